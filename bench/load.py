"""The load generator: many signed-in tabs of several schools, each acting as a person does, over
Reflex's own websocket protocol (bench/reflex_client.py), and the figures that say how the server
held up. Prints a table (and JSON with --json); asserts nothing.

Each session is one tab of one demo account (the README's: admin, teacher and parent of each demo
school). It opens the sign-in page, signs in (timed on its own: the password hash is deliberate),
opens its first page, and then, until the window ends, waits a think time drawn around the mean
(exponentially, as independent people do) and does one action of its role:

- admin: open Students; search the students with a new term each time;
- teacher: open My classes; open one of their class lists;
- parent: open My children; open one child's record.

An action's time runs from sending its events to the state delta that answers it. The measured
window starts once every session has signed in and opened its first page.

    .venv/bin/python bench/load.py --start --sessions 100 --duration 60
    .venv/bin/python bench/load.py --url http://localhost:3000 --sessions 50 --think 1

With --start it runs `oneclass run` on a fresh database of its own (the demo seed) on the
configured servers, or the embedded ones, and drops it afterwards; with --url it loads a server
that is already running (loopback only), whose database must hold the demo schools.
"""

import argparse
import asyncio
import contextlib
import json
import random
import resource
import statistics
import string
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import drop_data, new_database, running_app, servers
from bench.reflex_client import Tab, handler_name, is_loopback
from bench.stats import percentile
from oneclass import routes
from oneclass.seed import DEMO_PASSWORD
from state.auth import AuthState
from state.my_school import MyChildrenState, TeacherClassesState
from state.students import StudentListState

DEMO_SCHOOLS = ("harare-primary", "bulawayo-high")
ROLES = ("admin", "teacher", "parent")
MAX_SESSIONS = 5000
MAX_DURATION = 3600  # seconds: bounded, whatever is asked
TIMEOUT = 60  # seconds an action may take before it counts as an error


@dataclass
class Figures:
    """Latencies (seconds) and errors per action, and the sign-ins apart."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    counting: bool = False

    def record(self, action: str, seconds: float) -> None:
        if self.counting or action == "sign_in":
            self.latencies[action].append(seconds)

    def fail(self, action: str, error: BaseException) -> None:
        if self.counting or action in ("sign_in", "first_page"):
            self.errors[action].append(f"{type(error).__name__}: {error}"[:200])


class Session:
    """One tab of one demo account."""

    def __init__(self, base_port: int, school: str, role: str, figures: Figures, rng: random.Random) -> None:
        self.tab = Tab(f"http://{school}.localhost:{base_port}")
        self.email = f"{role}@{school}.test"
        self.role = role
        self.figures = figures
        self.rng = rng
        self.ids: list[str] = []  # the class or child ids the first page listed

    async def _timed(self, action: str, step: Callable[[], Awaitable[Any]]) -> Any:
        started = time.perf_counter()
        try:
            result = await asyncio.wait_for(step(), TIMEOUT)
        except (TimeoutError, OSError, ValueError, RuntimeError) as error:  # a refused or dropped socket, a timeout
            self.figures.fail(action, error)
            return None
        self.figures.record(action, time.perf_counter() - started)
        return result

    async def sign_in(self) -> bool:
        await self.tab.connect(routes.LOGIN, timeout=TIMEOUT)

        async def step() -> Any:
            since = self.tab.mark()
            await self.tab.send(handler_name(AuthState, "sign_in"), {"form": {"email": self.email, "password": DEMO_PASSWORD}})
            var, value = await self.tab.until_one_of(AuthState, {"access_token": bool, "login_error": bool}, since)
            if var == "login_error":
                raise RuntimeError(f"{self.email}: {value}")
            return value

        return bool(await self._timed("sign_in", step))

    # --- the actions ---------------------------------------------------------------------------

    async def _open(self, path: str, state: type[Any], var: str) -> Any:
        since = self.tab.mark()
        await self.tab.navigate(path)
        return await self.tab.until(state, var, since)

    async def _call(self, state: type[Any], handler: str, payload: dict[str, Any], answer: str) -> Any:
        since = self.tab.mark()
        await self.tab.send(handler_name(state, handler), payload)
        return await self.tab.until(state, answer, since)

    def first_page(self) -> tuple[str, Callable[[], Awaitable[Any]]]:
        opens = {
            "admin": ("open_students", lambda: self._open(routes.STUDENTS, StudentListState, "rows")),
            "teacher": ("open_classes", lambda: self._open(routes.TEACHER_CLASSES, TeacherClassesState, "classes")),
            "parent": ("open_children", lambda: self._open(routes.MY_CHILDREN, MyChildrenState, "children")),
        }
        return opens[self.role]

    async def open_first_page(self) -> bool:
        action, step = self.first_page()
        rows = await self._timed(action, step)
        if rows is None:
            self.figures.fail("first_page", RuntimeError(f"{self.email}: {action} had no answer"))
            return False
        self.ids = [row["id"] for row in rows if isinstance(row, dict) and "id" in row]
        return True

    def next_action(self) -> tuple[str, Callable[[], Awaitable[Any]]]:
        if self.rng.random() < 0.3 or not (self.ids or self.role == "admin"):
            return self.first_page()
        if self.role == "admin":
            term = "".join(self.rng.choices(string.ascii_lowercase, k=2))  # a new term (almost) every time
            return "search_students", lambda: self._call(StudentListState, "set_search", {"value": term}, "rows")
        chosen = self.rng.choice(self.ids)
        if self.role == "teacher":
            return "open_class_list", lambda: self._call(TeacherClassesState, "show_class", {"class_id": chosen}, "class_list")
        return "open_child", lambda: self._call(MyChildrenState, "show_child", {"student_id": chosen}, "profile")

    async def act_until(self, stop: asyncio.Event, think: float) -> None:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), self.rng.expovariate(1 / think) if think > 0 else 0)
                return
            except TimeoutError:
                pass
            action, step = self.next_action()
            await self._timed(action, step)
            self.tab.forget_updates()


# --- the server's processes ------------------------------------------------------------------


def server_processes(port: int) -> list[psutil.Process]:
    """The process listening on `port` and its whole tree (workers), and the database and cache
    servers of this machine (they serve the load too)."""
    listening = {c.pid for c in psutil.net_connections(kind="tcp") if c.laddr and c.laddr.port == port and c.status == psutil.CONN_LISTEN and c.pid}
    found: dict[int, psutil.Process] = {}
    for pid in listening:
        process = psutil.Process(pid)
        # Up to the process that started the server (a `oneclass run`), then everything under it.
        top = process
        while (parent := top.parent()) is not None and any(word in " ".join(parent.cmdline()) for word in ("oneclass", "reflex")):
            top = parent
        for member in [top, *top.children(recursive=True)]:
            found[member.pid] = member
    for process in psutil.process_iter(["name"]):
        if process.info["name"] in ("postgres", "redis-server", "valkey-server") and process.pid not in found:
            found[process.pid] = process
    return list(found.values())


@dataclass
class ProcessFigures:
    name: str
    pid: int
    rss_mb: float
    cpu_percent: float  # of one core, over the window


class ProcessWatch:
    """CPU time over the window and peak RSS of the server's processes (sampled every second)."""

    def __init__(self, processes: list[psutil.Process]) -> None:
        self.processes = processes
        self.cpu_start: dict[int, float] = {}
        self.peak_rss: dict[int, int] = defaultdict(int)
        self.started = 0.0

    def _cpu(self, process: psutil.Process) -> float:
        times = process.cpu_times()
        return times.user + times.system

    def total_rss(self) -> int:
        total = 0
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                total += process.memory_info().rss
        return total

    def start(self) -> None:
        self.started = time.perf_counter()
        for process in self.processes:
            with contextlib.suppress(psutil.Error):
                self.cpu_start[process.pid] = self._cpu(process)

    async def sample(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            for process in self.processes:
                with contextlib.suppress(psutil.Error):
                    self.peak_rss[process.pid] = max(self.peak_rss[process.pid], process.memory_info().rss)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1)

    def figures(self) -> list[ProcessFigures]:
        elapsed = time.perf_counter() - self.started
        rows = []
        for process in self.processes:
            try:
                cpu = self._cpu(process) - self.cpu_start.get(process.pid, 0.0)
                name = " ".join(process.cmdline()[:4])[-60:] or process.name()
            except psutil.Error:
                continue
            rows.append(ProcessFigures(name, process.pid, self.peak_rss[process.pid] / 2**20, 100 * cpu / elapsed))
        return sorted(rows, key=lambda row: -row.cpu_percent)


# --- running it ------------------------------------------------------------------------------


async def run_load(port: int, sessions: int, duration: float, think: float, sign_in_concurrency: int, seed: int) -> dict[str, Any]:
    figures = Figures()
    rng = random.Random(seed)
    accounts = [(school, role) for school in DEMO_SCHOOLS for role in ROLES]
    people = [Session(port, *accounts[n % len(accounts)], figures, random.Random(rng.random())) for n in range(sessions)]
    watch = ProcessWatch(server_processes(port))
    rss_before = watch.total_rss()
    own = psutil.Process()
    gate = asyncio.Semaphore(sign_in_concurrency)

    async def arrive(person: Session) -> bool:
        async with gate:  # sign-ins come in a few at a time, as people arrive, not all at once
            try:
                return await person.sign_in() and await person.open_first_page()
            except (TimeoutError, OSError, ValueError, RuntimeError) as error:
                figures.fail("sign_in", error)
                return False

    arriving = time.perf_counter()
    ready = [person for person, ok in zip(people, await asyncio.gather(*(arrive(p) for p in people)), strict=True) if ok]
    arrival_seconds = time.perf_counter() - arriving

    stop = asyncio.Event()
    figures.counting = True
    watch.start()
    own_cpu = own.cpu_times()
    sampler = asyncio.create_task(watch.sample(stop))
    started = time.perf_counter()
    actors = [asyncio.create_task(person.act_until(stop, think)) for person in ready]
    await asyncio.sleep(duration)
    stop.set()
    await asyncio.gather(*actors, return_exceptions=True)
    window = time.perf_counter() - started
    figures.counting = False
    await sampler
    own_after = own.cpu_times()
    rss_after = watch.total_rss()
    for person in people:
        await person.tab.close()

    actions = {}
    for action, values in sorted(figures.latencies.items()):
        actions[action] = {
            "count": len(values),
            "errors": len(figures.errors.get(action, [])),
            "p50_ms": 1000 * statistics.median(values) if values else None,
            "p95_ms": 1000 * percentile(values, 0.95),
            "p99_ms": 1000 * percentile(values, 0.99),
        }
    measured = [v for action, values in figures.latencies.items() if action != "sign_in" for v in values]
    return {
        "sessions": sessions,
        "ready": len(ready),
        "think_mean_s": think,
        "arrival_s": round(arrival_seconds, 1),
        "window_s": round(window, 1),
        "actions_per_s": round(len(measured) / window, 1),
        "all_actions": {
            "count": len(measured),
            "p50_ms": 1000 * statistics.median(measured) if measured else None,
            "p95_ms": 1000 * percentile(measured, 0.95),
            "p99_ms": 1000 * percentile(measured, 0.99),
        },
        "actions": actions,
        "errors": {action: {"count": len(messages), "first": messages[:3]} for action, messages in figures.errors.items()},
        "server_processes": [vars(row) for row in watch.figures()],
        "server_rss_mb_before": round(rss_before / 2**20, 1),
        "server_rss_mb_after": round(rss_after / 2**20, 1),
        "rss_kb_per_session": round((rss_after - rss_before) / 1024 / max(1, len(ready)), 1),
        "generator_cpu_percent": round(100 * ((own_after.user + own_after.system) - (own_cpu.user + own_cpu.system)) / window, 1),
    }


def print_report(report: dict[str, Any]) -> None:
    print(
        f"\n{report['ready']}/{report['sessions']} sessions ready in {report['arrival_s']} s; "
        f"window {report['window_s']} s, think time mean {report['think_mean_s']} s, {report['actions_per_s']} actions/s"
    )
    print(f"{'action':<18}{'count':>8}{'errors':>8}{'p50 ms':>10}{'p95 ms':>10}{'p99 ms':>10}")
    rows = [("every action", {**report["all_actions"], "errors": sum(e["count"] for a, e in report["errors"].items() if a != "sign_in")}), *report["actions"].items()]
    for action, row in rows:
        p50 = row["p50_ms"]
        print(f"{action:<18}{row['count']:>8}{row['errors']:>8}{(p50 or float('nan')):>10.1f}{row['p95_ms']:>10.1f}{row['p99_ms']:>10.1f}")
    for action, errors in report["errors"].items():
        print(f"errors in {action}: {errors['count']}, e.g. {errors['first'][:1]}")
    print(f"\nserver processes (peak RSS, CPU % of one core over the window); generator itself: {report['generator_cpu_percent']} %")
    for row in report["server_processes"]:
        if row["cpu_percent"] >= 0.5 or row["rss_mb"] >= 50:
            print(f"  {row['pid']:>7} {row['rss_mb']:>8.1f} MB {row['cpu_percent']:>6.1f} %  {row['name']}")
    print(f"server RSS {report['server_rss_mb_before']} MB before, {report['server_rss_mb_after']} MB after: {report['rss_kb_per_session']} KB per session")


def raise_open_file_limit(sessions: int) -> None:
    """A tab is a socket here and one in the server: the default 1,024 descriptors end early."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = min(hard, max(soft, 4 * sessions + 256))
    if wanted > soft:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sessions", type=int, default=100, help=f"concurrent signed-in tabs (at most {MAX_SESSIONS})")
    parser.add_argument("--duration", type=float, default=60, help=f"seconds measured after every session is ready (at most {MAX_DURATION})")
    parser.add_argument("--think", type=float, default=10, help="mean think time between a session's actions, seconds")
    parser.add_argument("--sign-in-concurrency", type=int, default=4, help="sessions signing in at once")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--url", help="a running server (loopback only), e.g. http://localhost:3000")
    parser.add_argument("--start", action="store_true", help="start `oneclass run` on a fresh demo database of its own")
    parser.add_argument("--port", type=int, default=3360, help="the port --start uses")
    parser.add_argument("--json", type=Path, help="also write the figures here as JSON")
    args = parser.parse_args()
    if not 1 <= args.sessions <= MAX_SESSIONS or not 0 < args.duration <= MAX_DURATION:
        parser.error(f"--sessions must be 1..{MAX_SESSIONS} and --duration 0..{MAX_DURATION}")
    if bool(args.url) == args.start:
        parser.error("give --url of a running server or --start, one of them")
    raise_open_file_limit(args.sessions)

    def load(port: int) -> dict[str, Any]:
        return asyncio.run(run_load(port, args.sessions, args.duration, args.think, args.sign_in_concurrency, args.seed))

    if args.url:
        parts = urlsplit(args.url)
        if not is_loopback(parts.hostname or ""):
            parser.error("the load generator talks to this machine only (loopback)")
        report = load(parts.port or 80)
    else:
        server_url, redis_url = servers()
        url = new_database(server_url)
        try:
            with running_app(url, redis_url, args.port):
                report = load(args.port)
        finally:
            drop_data(server_url, url)
    print_report(report)
    if args.json:
        args.json.write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
