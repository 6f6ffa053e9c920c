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
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
POLL_SECONDS = 0.02  # finer than the page's 0.5 s, so the figure is the job's, not the polling's


def students_csv(prefix: str, rows: int) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["admission_number", "first_name", "last_name", "date_of_birth", "gender", "guardian_name", "guardian_phone", "guardian_relationship"])
    for number in range(rows):
        writer.writerow([f"{prefix}-{number:06d}", "Tariro", "Moyo", "2014-03-14", "female", f"Guardian {number}", f"077{3000000 + number:07d}", "Mother"])
    return buffer.getvalue().encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", default="10,200,1000,5000")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from models import Role, SchoolLevel
    from oneclass import cache, db, embedded, migrate
    from oneclass.demo_records import school_admin_of
    from oneclass.services import imports, jobs
    from oneclass.services.schools import create_school
    from oneclass.services.users import create_user
    from oneclass.settings import get_settings

    data_dir = ROOT / ".oneclass" / "bench-servers"
    server_url = db.normalise_url(os.environ["DATABASE_URL"]) if os.environ.get("DATABASE_URL") else embedded.start_postgres(data_dir)
    os.environ.setdefault("REDIS_URL", embedded.start_redis(data_dir))
    os.environ["CACHE_PREFIX"] = f"oneclass-bench-{uuid.uuid4().hex[:8]}"
    name = f"oneclass_bench_{uuid.uuid4().hex[:8]}"
    server = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    os.environ["DATABASE_URL"] = make_url(server_url).set(database=name).render_as_string(hide_password=False)
    get_settings.cache_clear()
    db.reset_engines()
    cache.reset_cache_client()
    worker = None
    try:
        migrate.upgrade()
        with db.owner_session() as session:
            school = create_school(session, name="Bench Primary", subdomain="bench-primary", level=SchoolLevel.primary)
            session.commit()
        with db.tenant_session(school.id) as session:
            create_user(session, school_id=school.id, email="admin@bench.test", full_name="Bench Admin", role=Role.school_admin)
            admin = school_admin_of(session, school.id)
            session.commit()
        worker = subprocess.Popen([sys.executable, "-m", "oneclass", "worker", "--concurrency=1"], cwd=ROOT, env=dict(os.environ),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

        def as_job(content: bytes) -> float:
            started = time.perf_counter()
            job_id = imports.start_import_job(actor=admin, kind="students", filename="bench.csv", content=content, ip="127.0.0.1")
            while not (row := jobs.read_job(actor=admin, job_id=job_id))["finished"]:
                time.sleep(POLL_SECONDS)
            assert row["status"] == "succeeded", row
            return time.perf_counter() - started

        def in_request(content: bytes) -> float:
            started = time.perf_counter()
            imports.run_import(actor=admin, kind="students", filename="bench.csv", content=content, ip="127.0.0.1")
            return time.perf_counter() - started

        as_job(students_csv("WARM", 1))  # the worker's first job also starts it: not counted
        print(f"{'rows':>6} {'in the request':>16} {'as a job':>10} {'difference':>11}   (median of {args.repeat}, seconds)")
        for size in (int(size) for size in args.sizes.split(",")):
            inline = [in_request(students_csv(f"I{size}x{n}", size)) for n in range(args.repeat)]
            queued = [as_job(students_csv(f"J{size}x{n}", size)) for n in range(args.repeat)]
            a, b = statistics.median(inline), statistics.median(queued)
            print(f"{size:>6} {a:>16.3f} {b:>10.3f} {b - a:>+11.3f}")
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)
        db.reset_engines()
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


if __name__ == "__main__":
    main()
