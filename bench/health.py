"""`/health` under a probe storm: requests/s and latency with 50 concurrent connections against the
API server (one uvicorn worker, as `oneclass run` has one backend worker), the transactions per
second the storm causes on the database, and beside it the same server answering a path that
does nothing (a 404: the server's own floor on this machine). Prints figures; asserts nothing.

    .venv/bin/python bench/health.py [--seconds 10] [--clients 50]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database.
"""

import argparse
import asyncio
import os
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, text

from bench.api import load, report, start_server, stop_server
from bench.data import drop_data, prepare

PORT = 3312


def transactions(url: str) -> int:
    """Transactions the database has committed or rolled back so far, as the server counts them."""
    engine = create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        ).scalar_one()
    engine.dispose()
    return int(count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()

    server_url, redis_url, url, _pairs = prepare(1, 1)
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "CACHE_PREFIX": f"bench-{uuid.uuid4().hex[:6]}"}
    try:
        api = start_server(["--factory", "oneclass.api:build_api"], PORT, env)
        try:
            probes = [({}, "/health")]
            asyncio.run(load(PORT, probes, args.clients, 2))  # warm-up
            print(f"{args.clients} concurrent connections, {args.seconds:.0f} s, 2 cores shared by server and load generator")
            before = transactions(url)
            report("GET /health", asyncio.run(load(PORT, probes, args.clients, args.seconds)), args.seconds)
            time.sleep(1)  # the server reports its counters about once a second
            print(f"{'  database transactions during the storm':50s} {(transactions(url) - before) / args.seconds:8.1f} /s")
            report("GET /no-such-path (404: the floor)", asyncio.run(load(PORT, [({}, "/no-such-path")], args.clients, args.seconds)), args.seconds)
        finally:
            stop_server(api)
    finally:
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
