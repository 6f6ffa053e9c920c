"""Backup and restore time: `oneclass backup` of N schools x M students (bench/data.py's data set:
schools, their admins, their students), then `oneclass restore` into a new database, each
timed as a whole (the restore includes building the schema by the migrations, verifying every
file and every table's count and fingerprint, and ANALYZE); then one school's export and its
import into another deployment. Prints figures; asserts nothing.

    .venv/bin/python bench/restore.py [--schools 100] [--students 1000]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
databases; the object store is an empty directory of its own.
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import drop_data, new_database, prepare
from oneclass import backup, db, migrate, school_transfer, storage
from oneclass.settings import get_settings

RTO_SECONDS = 4 * 3600


def size_mib(directory: Path) -> float:
    return sum(path.stat().st_size for path in directory.rglob("*") if path.is_file()) / 2**20


def use_database(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    get_settings.cache_clear()
    db.reset_engines()


def time_school_move(source: str, target: str, subdomain: str, file: Path) -> None:
    """`oneclass school export` of one school from `source`, `oneclass school import` into `target`."""
    use_database(source)
    started = time.perf_counter()
    manifest = school_transfer.export_school(subdomain, file)
    exported = time.perf_counter() - started
    use_database(target)
    started = time.perf_counter()
    school_transfer.import_school(file)
    imported = time.perf_counter() - started
    print(f"one school: {backup.describe(manifest)}, {file.stat().st_size / 2**10:.0f} KiB: export {exported:.1f} s, import {imported:.1f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--students", type=int, default=1000)
    args = parser.parse_args()

    server_url, _redis_url, url, pairs = prepare(args.schools, args.students)
    scratch = Path(tempfile.mkdtemp(prefix="oneclass-bench-restore-"))
    os.environ["DATA_DIR"] = str(scratch / "data")  # an object store of the bench's own
    get_settings.cache_clear()
    storage.reset_backend()
    target, second = new_database(server_url), new_database(server_url)
    migrate.upgrade(second)
    try:
        started = time.perf_counter()
        manifest = backup.backup(scratch / "backup", url)
        backup_seconds = time.perf_counter() - started
        rows = sum(table["rows"] for table in manifest["tables"].values())
        print(f"backup:  {backup.describe(manifest)}, {size_mib(scratch / 'backup'):.1f} MiB in {backup_seconds:.1f} s")
        started = time.perf_counter()
        backup.restore(scratch / "backup", target)
        restore_seconds = time.perf_counter() - started
        print(f"restore: {rows} rows in {restore_seconds:.1f} s ({rows / restore_seconds:,.0f} rows/s), verified table by table")
        print(f"RTO 4 h: this restore took {restore_seconds / RTO_SECONDS:.2%} of it")
        time_school_move(url, second, pairs[0][0], scratch / "school.zip")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        drop_data(server_url, target)
        drop_data(server_url, second)
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
