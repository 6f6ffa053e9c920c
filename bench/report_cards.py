"""Report-card benchmark: 500 report cards (one secondary level of 25 streams, 10 subjects, two
assessments each) published through a real `oneclass worker`: the job's total time from the
click to the ZIP, the time per card, the ZIP's size, and the worker's peak memory (all its
processes, sampled every 50 ms). Also one card rendered alone in this process, for the share the
PDF itself takes. Prints figures; asserts nothing.

    .venv/bin/python bench/report_cards.py [--students 500]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database, and starts (and stops) its own worker.
"""

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import as_owner, drop_data, prepare, school_admin_actor
from bench.gradebook import GRADEBOOK_SQL
from oneclass.services import jobs, report_cards
from tests.conftest import apply_settings

POLL_SECONDS = 0.05


def tree_rss(process: psutil.Process) -> int:
    try:
        return sum(p.memory_info().rss for p in [process, *process.children(recursive=True)])
    except psutil.Error:
        return 0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--students", type=int, default=500)
    args = parser.parse_args()
    server_url, _redis, url, pairs = prepare(1, args.students)
    school_id = pairs[0][1]
    worker = None
    try:
        with as_owner(url, school_id, GRADEBOOK_SQL) as connection:
            actor = school_admin_actor(connection, school_id)
            term_id = connection.execute(text("SELECT id FROM terms")).scalar_one()
            student_id, first_class = connection.execute(text("SELECT student_id, class_id FROM enrolments LIMIT 1")).one()
        apply_settings(DATABASE_URL=url)

        alone = []
        for _ in range(20):
            started = time.perf_counter()
            report_cards.report_card_pdf(actor=actor, student_id=student_id, term_id=term_id)
            alone.append((time.perf_counter() - started) * 1000)
        print(f"one card on request (read + assemble + PDF): median {statistics.median(alone):.1f} ms over {len(alone)}")

        worker = subprocess.Popen([sys.executable, "-m", "oneclass", "worker", "--concurrency=1"], cwd=ROOT, env=dict(os.environ),
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        watched = psutil.Process(worker.pid)
        peak, idle = [0], [0]
        stop = threading.Event()

        def sample() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], tree_rss(watched))
                time.sleep(POLL_SECONDS)

        # The worker's first job starts its pool: a one-class job first, not counted.
        warm = report_cards.publish_report_cards(actor=actor, term_id=term_id, scope=f"class:{first_class}")
        while not jobs.read_job(actor=actor, job_id=warm)["finished"]:
            time.sleep(POLL_SECONDS)
        idle[0] = tree_rss(watched)
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        started = time.perf_counter()
        job_id = report_cards.publish_report_cards(actor=actor, term_id=term_id, scope="level:F3")
        while not (row := jobs.read_job(actor=actor, job_id=job_id))["finished"]:
            time.sleep(POLL_SECONDS)
        total = time.perf_counter() - started
        stop.set()
        sampler.join()
        assert row["status"] == "succeeded", row
        size = len(report_cards.report_zip(actor=actor, job_id=job_id).content)
        cards = row["total"]
        print(f"{cards} report cards through the worker: {total:.1f} s in all, {1000 * total / cards:.1f} ms per card, ZIP {size / 1e6:.1f} MB")
        print(f"worker memory: {idle[0] / 2**20:.0f} MiB before the batch, peak {peak[0] / 2**20:.0f} MiB during it (all its processes)")
    finally:
        if worker:
            worker.terminate()
            worker.wait(timeout=30)
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
