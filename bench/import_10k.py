"""Import benchmark: the time and memory of checking and importing 10,000 students with guardians.

Prints figures; asserts nothing. Works in a database of its own (created, then dropped) on the
server of DATABASE_URL, or on an embedded PostgreSQL under .oneclass/bench-servers when it is unset.

    .venv/bin/python bench/import_10k.py [--rows 10000] [--profile]
"""

import argparse
import cProfile
import csv
import io
import pstats
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def students_csv(rows: int) -> bytes:
    """Deterministic rows: siblings in pairs share a guardian; one guardian in ten has an email."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["admission_number", "first_name", "last_name", "date_of_birth", "gender", "class", "home_language", "address",
                     "guardian_name", "guardian_phone", "guardian_relationship", "guardian_email"])
    classes = ["Grade 1", "Grade 2", "Grade 3", "Grade 4", "Grade 5", "Grade 6", "Grade 7"]
    for number in range(rows):
        family = number // 2
        writer.writerow([
            f"B-{number:06d}", ("Tariro", "Tatenda", "Nyasha", "Sipho")[number % 4], ("Moyo", "Ncube", "Dube", "Sibanda")[family % 4],
            date(2010 + number % 10, 1 + number % 12, 1 + number % 28).isoformat(), ("female", "male")[number % 2],
            classes[number % 7] if number < 280 else "", "Shona", f"{number} Samora Machel Avenue, Harare",
            f"Guardian {family}", f"077{3000000 + family:07d}", "Mother", f"family{family}@example.com" if family % 10 == 0 else "",
        ])
    return buffer.getvalue().encode()


def measured(label: str, work: Callable[[], Any], profile: bool) -> Any:
    process = psutil.Process()
    rss_before = process.memory_info().rss
    tracemalloc.start()
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    result = profiler.runcall(work) if profiler else work()
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_after = process.memory_info().rss
    print(f"{label:<26} {elapsed:6.2f} s   Python peak {peak / 2**20:6.1f} MiB   RSS {rss_after / 2**20:6.0f} MiB (+{(rss_after - rss_before) / 2**20:.0f})")
    if profiler:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--profile", action="store_true", help="print where the time goes")
    args = parser.parse_args()

    from bench.data import bench_school
    from oneclass.services import imports

    with bench_school(students=5) as admin:
        content = students_csv(args.rows)
        print(f"{args.rows:,} student rows, {len(content) / 2**20:.1f} MiB of CSV")

        def preview() -> imports.ImportPreview:
            return imports.preview_import(actor=admin, kind="students", filename="bench.csv", content=content)

        def run() -> int:
            return imports.run_import(actor=admin, kind="students", filename="bench.csv", content=content, ip="127.0.0.1")

        checked = measured("preview (check every row)", preview, args.profile)
        if not checked.ok:
            print("the generated file has problems:", checked.problems, checked.errors[:5])
            return
        count = measured("import (check + write)", run, args.profile)
        print(f"imported {count:,} students")


if __name__ == "__main__":
    main()
