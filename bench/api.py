"""API benchmark: GET /api/v1/students (page of 50) and GET /api/v1/students/{id} with
100 schools x 1,000 students, 50 concurrent clients, against a bare Starlette route doing the
same single SQL query (the floor), in one run. Prints figures; asserts nothing.

    .venv/bin/python bench/api.py [--schools 100] [--students 1000] [--seconds 10] [--clients 50]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database. Servers are uvicorn with one worker each (as `oneclass run` has one backend worker).
"""

import argparse
import asyncio
import os
import random
import signal
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import PASSWORD, drop_data, prepare
from oneclass import db
from oneclass.settings import get_settings

FLOOR_APP = '''
import os
from uuid import UUID
from sqlalchemy import create_engine, text
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

engine = create_engine(os.environ["BENCH_APP_URL"], pool_size=20, max_overflow=10)
SCHOOLS = dict(line.split() for line in open(os.environ["BENCH_HOSTS"]))

def students(request):
    school = SCHOOLS[request.headers["host"].split(".")[0]]
    with engine.begin() as c:
        c.execute(text("SELECT set_config('app.current_school_id', :s, true)"), {"s": school})
        rows = c.execute(text("SELECT id, admission_number, first_name, last_name FROM students ORDER BY last_name, first_name LIMIT 50")).all()
    return JSONResponse([{"id": str(r[0]), "admission_number": r[1], "name": f"{r[2]} {r[3]}"} for r in rows])

def student(request):
    school = SCHOOLS[request.headers["host"].split(".")[0]]
    with engine.begin() as c:
        c.execute(text("SELECT set_config('app.current_school_id', :s, true)"), {"s": school})
        r = c.execute(text("SELECT id, admission_number, first_name, last_name FROM students WHERE id = :i"), {"i": request.path_params["sid"]}).one()
    return JSONResponse({"id": str(r[0]), "admission_number": r[1], "name": f"{r[2]} {r[3]}"})

app = Starlette(routes=[Route("/api/v1/students", students), Route("/api/v1/students/{sid}", student)])
'''


def start_server(args: list[str], port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", *args, "--port", str(port), "--log-level", "warning", "--no-access-log"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/api/v1/students", timeout=1)
            return process
        except httpx.HTTPError:
            time.sleep(0.2)
    raise SystemExit("server did not start")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


async def load(port: int, targets: list[tuple[dict[str, str], str]], clients: int, seconds: float) -> list[float]:
    """`clients` concurrent loops for `seconds`; each request picks a random (headers, path)."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30) as client:
        stop_at = time.perf_counter() + seconds

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < stop_at:
                headers, path = random.choice(targets)
                started = time.perf_counter()
                response = await client.get(path, headers=headers)
                latencies.append((time.perf_counter() - started) * 1000)
                errors += response.status_code != 200

        await asyncio.gather(*(worker() for _ in range(clients)))
    if errors:
        print(f"  ({errors} non-200 answers)")
    return latencies


def report(label: str, latencies: list[float], seconds: float) -> float:
    ordered = sorted(latencies)

    def pct(p: float) -> float:
        return ordered[min(len(ordered) - 1, int(p * len(ordered)))]

    print(f"{label:44s} {len(ordered) / seconds:8.0f} req/s  p50 {pct(0.5):7.1f} ms  p95 {pct(0.95):7.1f} ms  p99 {pct(0.99):7.1f} ms")
    return statistics.median(ordered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=50)
    args = parser.parse_args()

    server_url, redis_url, url, pairs = prepare(args.schools, args.students)
    env = {
        **os.environ, "DATABASE_URL": url, "REDIS_URL": redis_url, "CACHE_PREFIX": f"bench-{uuid.uuid4().hex[:6]}",
        "API_RATE_PER_IP": "10000000", "API_RATE_PER_TOKEN": "10000000", "DB_POOL_SIZE": "20",
    }
    hosts_file = Path(f"/tmp/bench-hosts-{uuid.uuid4().hex[:6]}")
    hosts_file.write_text("".join(f"{sub} {sid}\n" for sub, sid in pairs))
    try:
        api = start_server(["--factory", "oneclass.api:build_api"], 3310, env)
        sample = random.Random(1).sample(pairs, min(20, len(pairs)))
        headers_by_school = {}
        ids_by_school = {}
        with httpx.Client(base_url="http://127.0.0.1:3310") as client:
            for sub, _ in sample:
                host = {"Host": f"{sub}.localhost"}
                login = client.post("/api/v1/auth/login", headers=host, json={"email": f"admin@{sub}.test", "password": PASSWORD})
                headers_by_school[sub] = {**host, "Authorization": f"Bearer {login.json()['data']['access_token']}"}
                page = client.get("/api/v1/students?per_page=50", headers=headers_by_school[sub]).json()
                ids_by_school[sub] = [row["id"] for row in page["data"]]
        lists = [(headers_by_school[sub], "/api/v1/students?page=1&per_page=50") for sub, _ in sample]
        details = [(headers_by_school[sub], f"/api/v1/students/{sid}") for sub, _ in sample for sid in ids_by_school[sub]]
        uncached = [(headers_by_school[sub], f"/api/v1/students?page=1&per_page=50&search=Moyo{n}") for sub, _ in sample for n in range(1, 1000, 7)]
        asyncio.run(load(3310, lists + details, args.clients, 2))  # warm-up
        print(f"{args.clients} concurrent clients, {args.seconds:.0f} s each, 2 cores shared by server and load generator")
        api_list = report("API  GET /students (page of 50)", asyncio.run(load(3310, lists, args.clients, args.seconds)), args.seconds)
        report("API  GET /students?search= (mostly cache misses)", asyncio.run(load(3310, uncached, args.clients, args.seconds)), args.seconds)
        api_one = report("API  GET /students/{id}", asyncio.run(load(3310, details, args.clients, args.seconds)), args.seconds)
        stop_server(api)

        app_url = make_url(url).set(username=db.APP_ROLE, password=get_settings().app_db_password).render_as_string(hide_password=False)
        floor_env = {**env, "BENCH_APP_URL": app_url, "BENCH_HOSTS": str(hosts_file)}
        floor_module = Path("/tmp") / f"bench_floor_{uuid.uuid4().hex[:6]}.py"
        floor_module.write_text(FLOOR_APP)
        floor = start_server(["--app-dir", "/tmp", f"{floor_module.stem}:app"], 3311, floor_env)
        bare = [({"Host": h["Host"]}, p) for h, p in lists]
        bare_details = [({"Host": h["Host"]}, p) for h, p in details]
        asyncio.run(load(3311, bare + bare_details, args.clients, 2))
        floor_list = report("floor: Starlette + one SQL query (list)", asyncio.run(load(3311, bare, args.clients, args.seconds)), args.seconds)
        floor_one = report("floor: Starlette + one SQL query (one)", asyncio.run(load(3311, bare_details, args.clients, args.seconds)), args.seconds)
        stop_server(floor)
        floor_module.unlink()
        print(f"ratio API/floor p50: list {api_list / floor_list:.2f}x, one student {api_one / floor_one:.2f}x")
    finally:
        hosts_file.unlink(missing_ok=True)
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
