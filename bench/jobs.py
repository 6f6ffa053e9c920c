"""Jobs benchmark: an import written in the request against the same import as a background job
(upload to storage, queue, worker, progress rows, the page's polling), for several file sizes.
What it prints is why files under `LARGE_IMPORT_ROWS` rows stay in the request.

Prints figures; asserts nothing. Works in a database of its own (created, then dropped) on the
server of DATABASE_URL (else an embedded PostgreSQL), with the Redis of REDIS_URL (else the
embedded one), and starts its own `oneclass worker`.

    .venv/bin/python bench/jobs.py [--sizes 10,200,1000,5000]
"""

import argparse
import csv
import io
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import bench_school
from oneclass.current_user import CurrentUser
from oneclass.services import imports, jobs

POLL_SECONDS = 0.02  # finer than the page's 0.5 s, so the figure is the job's, not the polling's


def students_csv(prefix: str, rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["admission_number", "first_name", "last_name", "date_of_birth", "gender", "guardian_name", "guardian_phone", "guardian_relationship"])
    for number in range(rows):
        writer.writerow([f"{prefix}-{number:06d}", "Tariro", "Moyo", "2014-03-14", "female", f"Guardian {number}", f"077{3000000 + number:07d}", "Mother"])
    return buffer.getvalue().encode()


def as_job(admin: CurrentUser, content: bytes) -> float:
    started = time.perf_counter()
    job_id = imports.start_import_job(actor=admin, kind="students", filename="bench.csv", content=content, ip="127.0.0.1")
    while not (row := jobs.read_job(actor=admin, job_id=job_id))["finished"]:
        time.sleep(POLL_SECONDS)
    assert row["status"] == "succeeded", row
    return time.perf_counter() - started


def in_request(admin: CurrentUser, content: bytes) -> float:
    started = time.perf_counter()
    imports.run_import(actor=admin, kind="students", filename="bench.csv", content=content, ip="127.0.0.1")
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,200,1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with bench_school() as admin:
        worker = subprocess.Popen([sys.executable, "-m", "oneclass", "worker", "--concurrency=1"], cwd=ROOT, env=dict(os.environ),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            as_job(admin, students_csv("WARM", 1))  # the worker's first job also starts it: not counted
            print(f"{'rows':>6} {'in the request':>16} {'as a job':>10} {'difference':>11}   (median of {args.repeat}, seconds)")
            for size in (int(size) for size in args.sizes.split(",")):
                inline = [in_request(admin, students_csv(f"I{size}x{n}", size)) for n in range(args.repeat)]
                queued = [as_job(admin, students_csv(f"J{size}x{n}", size)) for n in range(args.repeat)]
                a, b = statistics.median(inline), statistics.median(queued)
                print(f"{size:>6} {a:>16.3f} {b:>10.3f} {b - a:>+11.3f}")
        finally:
            worker.terminate()
            worker.wait(timeout=30)

if __name__ == "__main__":
    main()
