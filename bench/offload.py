"""Offload benchmark: the one event loop serving many tabs that each search students, four ways.

Reflex runs every tab's events on one asyncio loop per worker. Here N simulated tabs (50 and 200 by
default) each search for a page of 50 students again and again, in one loop, with the service
called (a) synchronously on the loop (what handlers did before `offload`), (b) through
`oneclass.offload.offload` (the bounded service pool), (c) through `asyncio.to_thread` (the
loop's default pool) and (d) as the same SELECTs on an async SQLAlchemy session (psycopg async).
For each: calls/s, latency of a call from the tab's event arriving to its page back, the lag of
the loop (a ticker asks to wake every 1 ms and records how late it wakes: what every other tab
feels), and the peak RSS of the process. Then one tab runs a 200 ms query (pg_sleep) while the
others do trivial 1 ms events: how many of those complete during the slow query, for (a), (b), (d).

Each way runs in a fresh process of its own (so its peak RSS is its own). Prints a table and one
JSON line; asserts nothing about times.

    .venv/bin/python bench/offload.py [--schools 100] [--students 1000] [--tabs 50,200] [--seconds 3] [--ways loop,pool,to_thread,async]

Uses DATABASE_URL when set, else the embedded server; creates and drops its own database. The
service pool and both engines are sized by the app's settings: try DB_POOL_SIZE=4 DB_MAX_OVERFLOW=0.
"""

import argparse
import asyncio
import contextlib
import json
import random
import subprocess
import sys
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import or_
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlmodel import col, func, select
from sqlmodel.ext.asyncio.session import AsyncSession

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import drop_data, prepare
from bench.stats import percentile
from models import Enrolment, Role, SchoolClass, Student, User
from oneclass import db
from oneclass.offload import offload
from oneclass.services import students
from oneclass.services.auth import CurrentUser
from oneclass.services.paging import Page
from oneclass.settings import get_settings
from tests.conftest import apply_settings

WAYS = {
    "loop": "(a) sync on the loop",
    "pool": "(b) sync, offload pool",
    "to_thread": "(c) sync, to_thread",
    "async": "(d) async session",
}
# The slow query's scenario adds its ceiling: the same 200 ms as a plain asyncio.sleep, no query.
SLOW_WAYS = {"no_query": "(-) asyncio.sleep only", **{way: WAYS[way] for way in ("loop", "pool", "async")}}
WARMUP_SECONDS = 1.0
TICK = 0.001
SLOW_QUERY_SECONDS = 0.2

Search = Callable[[CurrentUser, str], Awaitable[Page]]


# The service as the app calls it: one tenant session, the list function, a page back.
def search_page(actor: CurrentUser, term: str) -> Page:
    with db.tenant_session(actor.school_id) as session:
        return students.list_students(session, actor=actor, search=term, page=1, per_page=50)


def slow_query(actor: CurrentUser) -> None:
    with db.tenant_session(actor.school_id) as session:
        session.exec(select(func.pg_sleep(SLOW_QUERY_SECONDS))).one()


# The same search as an async service would write it: an admin sees every student (no
# visibility filter), so these are list_students' two SELECTs; a tab checks the first page
# against the service's.
async def async_search_page(engine: AsyncEngine, actor: CurrentUser, term: str) -> Page:
    async with AsyncSession(engine, expire_on_commit=False) as session, session.begin():
        # The tenant hook of oneclass.db listens on sync sessions only: set the school here.
        await session.exec(select(func.set_config(db.TENANT_SETTING, str(actor.school_id), True)))
        pattern = f"%{term}%"
        query = (
            select(Student, SchoolClass.name)
            .outerjoin(Enrolment, col(Enrolment.student_id) == Student.id)
            .outerjoin(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
            .where(
                or_(
                    col(Student.first_name).ilike(pattern),
                    col(Student.last_name).ilike(pattern),
                    col(Student.admission_number).ilike(pattern),
                    (Student.first_name + " " + Student.last_name).ilike(pattern),
                )
            )
        )
        total = (await session.exec(select(func.count()).select_from(query.subquery()))).one()
        rows = (await session.exec(query.order_by(*students.SORTS["name"]).limit(50))).all()
        return Page(
            [
                {
                    "id": str(student.id),
                    "admission_number": student.admission_number,
                    "name": student.full_name,
                    "gender": student.gender,
                    "date_of_birth": student.date_of_birth.isoformat(),
                    "class": class_name or "",
                    "status": student.status,
                }
                for student, class_name in rows
            ],
            total,
        )


async def async_slow_query(engine: AsyncEngine, actor: CurrentUser) -> None:
    async with AsyncSession(engine) as session, session.begin():
        await session.exec(select(func.set_config(db.TENANT_SETTING, str(actor.school_id), True)))
        (await session.exec(select(func.pg_sleep(SLOW_QUERY_SECONDS)))).one()


def async_engine() -> AsyncEngine:
    """Sized like the app's sync engine, so (b) and (d) have as many connections each."""
    settings = get_settings()
    pool_size, overflow = settings.pool_share()
    return create_async_engine(db.app_url(), pool_pre_ping=True, pool_size=pool_size, max_overflow=overflow)


def school_admins() -> list[CurrentUser]:
    with db.owner_session() as session:
        admins = session.exec(select(User).where(User.role == Role.school_admin)).all()
    return [CurrentUser(id=a.id, school_id=a.school_id, email=a.email, full_name=a.full_name, role=a.role, family_id=a.id) for a in admins]


def searches(way: str, engine: AsyncEngine | None) -> Search:
    """One search, called as `way` calls it, from a coroutine on the loop."""

    async def on_loop(actor: CurrentUser, term: str) -> Page:
        return search_page(actor, term)

    async def in_pool(actor: CurrentUser, term: str) -> Page:
        return await offload(search_page, actor, term)

    async def to_thread(actor: CurrentUser, term: str) -> Page:
        return await asyncio.to_thread(search_page, actor, term)

    async def in_async(actor: CurrentUser, term: str) -> Page:
        assert engine is not None
        return await async_search_page(engine, actor, term)

    return {"loop": on_loop, "pool": in_pool, "to_thread": to_thread, "async": in_async}[way]


def reset_peak_rss() -> None:
    """Start the high-water mark of resident memory from now (Linux): what setting up the data
    took (an argon2 hash is 64 MiB) would otherwise hide the load's own peak."""
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """High-water resident memory since `reset_peak_rss` (VmHWM; not getrusage's ru_maxrss,
    which Linux keeps across exec and cannot reset)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return psutil.Process().memory_info().rss / 2**20


class LoopLag:
    """A coroutine that asks to wake every millisecond and notes how late it woke: (due, lag ms)."""

    def __init__(self) -> None:
        self.wakes: list[tuple[float, float]] = []
        self.running = True

    async def run(self) -> None:
        while self.running:
            due = time.perf_counter() + TICK
            await asyncio.sleep(TICK)
            self.wakes.append((due, max(0.0, time.perf_counter() - due) * 1000))

    def figures(self, start: float, end: float) -> dict[str, float]:
        # By when the wake was due: a loop blocked past the window still counts its lag.
        lags = [lag for due, lag in self.wakes if start <= due < end]
        return {"lag_p50_ms": percentile(lags, 0.5), "lag_p95_ms": percentile(lags, 0.95), "lag_max_ms": max(lags, default=float("nan"))}


async def load(way: str, tabs: int, seconds: float, per_school: int) -> dict[str, Any]:
    """`tabs` tabs searching back to back: WARMUP_SECONDS, then at least `seconds` measured (a
    blocked loop wakes late, so the window is what the loop actually saw)."""
    actors = school_admins()
    engine = async_engine() if way == "async" else None
    search = searches(way, engine)
    idle_rss = psutil.Process().memory_info().rss
    reset_peak_rss()
    lag = LoopLag()
    calls: list[tuple[float, float]] = []
    stopped = False
    checked_same_rows = way != "async"

    async def tab(number: int) -> None:
        nonlocal checked_same_rows
        rng = random.Random(number)
        while not stopped:
            actor, term = rng.choice(actors), f"Moyo{rng.randrange(9, per_school + 1, 9)}"
            sent = time.perf_counter()
            await asyncio.sleep(0)  # the event arrives through the loop, as a websocket message does
            if stopped:
                break
            found = await search(actor, term)
            calls.append((sent, time.perf_counter()))
            if not checked_same_rows:
                checked_same_rows = True
                assert found == await offload(search_page, actor, term), "the async search must return the service's rows"

    async def measure_window() -> tuple[float, float, float]:
        """(start, end, CPU seconds of every thread of this process in between)."""
        nonlocal stopped
        await asyncio.sleep(WARMUP_SECONDS)
        start, cpu_before = time.perf_counter(), time.process_time()
        await asyncio.sleep(seconds)
        end, cpu_after = time.perf_counter(), time.process_time()
        stopped = True
        return start, end, cpu_after - cpu_before

    ticker = asyncio.create_task(lag.run())
    tasks = [asyncio.create_task(tab(number)) for number in range(tabs)]
    start, end, cpu_seconds = await measure_window()
    await asyncio.gather(*tasks)
    lag.running = False
    await ticker
    threads = threading.active_count()
    if engine is not None:
        await engine.dispose()
    latencies = [(done - sent) * 1000 for sent, done in calls if start <= done < end]
    return {
        "way": way,
        "tabs": tabs,
        "window_s": end - start,
        "calls": len(latencies),
        "calls_per_s": len(latencies) / (end - start),
        "p50_ms": percentile(latencies, 0.5),
        "p95_ms": percentile(latencies, 0.95),
        "p99_ms": percentile(latencies, 0.99),
        "cpu_ms_per_call": cpu_seconds * 1000 / max(1, len(latencies)),
        **lag.figures(start, end),
        "threads": threads,
        "idle_rss_mb": idle_rss / 2**20,
        "peak_rss_mb": peak_rss_mb(),
    }


async def slow_and_trivial(way: str, tabs: int) -> dict[str, Any]:
    """One tab's 200 ms query, `way`'s way, while `tabs` tabs each await 1 ms events back to back:
    how many of those events completed while the slow query ran."""
    actor = school_admins()[0]
    engine = async_engine() if way == "async" else None

    async def on_loop() -> None:
        slow_query(actor)

    async def in_pool() -> None:
        await offload(slow_query, actor)

    async def in_async() -> None:
        assert engine is not None
        await async_slow_query(engine, actor)

    async def no_query() -> None:
        await asyncio.sleep(SLOW_QUERY_SECONDS)

    slow = {"loop": on_loop, "pool": in_pool, "async": in_async, "no_query": no_query}[way]
    await slow()  # warm: the pool's thread and connection, the engine's connection
    during = False
    events = 0
    running = True

    async def trivial() -> None:
        nonlocal events
        while running:
            await asyncio.sleep(TICK)
            if during:
                events += 1

    workers = [asyncio.create_task(trivial()) for _ in range(tabs)]
    await asyncio.sleep(0.1)
    started = time.perf_counter()
    during = True
    await slow()
    during = False
    elapsed = time.perf_counter() - started
    running = False
    await asyncio.gather(*workers)
    if engine is not None:
        await engine.dispose()
    return {"way": way, "tabs": tabs, "slow_query_ms": elapsed * 1000, "events_during": events, "events_ideal": int(tabs * SLOW_QUERY_SECONDS / TICK)}


def child(spec: dict[str, Any]) -> None:
    """One measurement in this (fresh) process; prints its figures as one JSON line."""
    apply_settings(DATABASE_URL=spec["url"])
    if spec["scenario"] == "load":
        result = asyncio.run(load(spec["way"], spec["tabs"], spec["seconds"], spec["students"]))
    else:
        result = asyncio.run(slow_and_trivial(spec["way"], spec["tabs"]))
    print(json.dumps(result))


def in_fresh_process(spec: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([sys.executable, __file__, "--child", json.dumps(spec)], cwd=ROOT, check=True, stdout=subprocess.PIPE, text=True)
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def print_table(loads: list[dict[str, Any]], slows: list[dict[str, Any]]) -> None:
    print(f"\n{'way':24} {'tabs':>4} {'calls/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'lag p50':>8} {'lag p95':>8} {'lag max':>8} {'CPU/call':>8} {'threads':>7} {'RSS MB':>7} {'growth':>6}")
    for r in loads:
        print(
            f"{WAYS[r['way']]:24} {r['tabs']:4d} {r['calls_per_s']:8.0f} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['p99_ms']:8.1f}"
            f" {r['lag_p50_ms']:8.2f} {r['lag_p95_ms']:8.2f} {r['lag_max_ms']:8.1f} {r['cpu_ms_per_call']:8.1f} {r['threads']:7d} {r['peak_rss_mb']:7.0f} {r['peak_rss_mb'] - r['idle_rss_mb']:+6.0f}"
        )
    print(f"\n{'one 200 ms query while other tabs do 1 ms events':49} {'query ms':>8} {'events':>7} {'of ideal':>8}")
    for r in slows:
        print(f"{SLOW_WAYS[r['way']]:24} {r['tabs']:4d} other tabs{'':14} {r['slow_query_ms']:8.0f} {r['events_during']:7d} {r['events_ideal']:8d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--tabs", default="50,200", help="comma-separated numbers of concurrent tabs")
    parser.add_argument("--seconds", type=float, default=3.0, help="measured seconds per way and number of tabs (after 1 s of warm-up)")
    parser.add_argument("--ways", default=",".join(WAYS), help=f"comma-separated, of {', '.join(WAYS)}")
    parser.add_argument("--slow-tabs", type=int, default=50, help="tabs doing trivial events beside the slow query")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(json.loads(args.child))
        return

    settings = get_settings()
    server_url, _redis_url, url, _pairs = prepare(args.schools, args.students)
    try:
        ways = [way for way in args.ways.split(",") if way]
        loads = [
            in_fresh_process({"scenario": "load", "url": url, "way": way, "tabs": int(tabs), "seconds": args.seconds, "students": args.students})
            for tabs in args.tabs.split(",")
            for way in ways
        ]
        slows = [in_fresh_process({"scenario": "slow", "url": url, "way": way, "tabs": args.slow_tabs}) for way in SLOW_WAYS if way in ways or way == "no_query"]
    finally:
        drop_data(server_url, url)
    print(
        f"service pool: {settings.db_pool_size} + {settings.db_max_overflow} connections, offload threads as many;"
        f" to_thread's default pool: {min(32, (psutil.cpu_count() or 1) + 4)} threads; {psutil.cpu_count()} CPUs;"
        f" GIL switch interval {sys.getswitchinterval() * 1000:.0f} ms"
    )
    print_table(loads, slows)
    print(json.dumps({"bench": "offload", "schools": args.schools, "students": args.students, "seconds": args.seconds, "load": loads, "slow_query": slows}))


if __name__ == "__main__":
    main()
