"""Student list benchmark: search + a page of 50 with 100 schools x 1,000 students.

Prints p50/p95 of (1) the service call `students.list_students` and (2) the Students page's
websocket event round trip in a real browser (the search event sent -> its state update back;
the input's 300 ms typing debounce comes before and is not counted), with the events the browser
sent and the database transactions committed per keystroke. Asserts nothing.

    .venv/bin/python bench/students.py [--schools 100] [--students 1000] [--calls 200] [--searches 30]
"""

import argparse
import random
import sys
import time
from pathlib import Path
from uuid import UUID

from playwright.sync_api import sync_playwright
from sqlmodel import select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import CHROMIUM_ARGS, PASSWORD, drop_data, prepare, running_app
from bench.stats import percentiles
from models import User
from oneclass import db
from oneclass.services import students
from oneclass.services.auth import CurrentUser
from tests.conftest import apply_settings


def service_calls(url: str, pairs: list[tuple[str, str]], calls: int, per_school: int) -> list[float]:
    apply_settings(DATABASE_URL=url)
    rng = random.Random(7)
    samples = []
    for _ in range(calls):
        _subdomain, school_id = rng.choice(pairs)
        with db.tenant_session(school_id) as session:
            admin = session.exec(select(User)).first()
            assert admin is not None
            actor = CurrentUser(id=admin.id, school_id=UUID(school_id), email=admin.email, full_name="", role=admin.role, family_id=admin.id)
            started = time.perf_counter()
            page = students.list_students(actor=actor, search=f"Moyo{rng.randrange(9, per_school + 1, 9)}", page=1, per_page=50)
            samples.append((time.perf_counter() - started) * 1000)
            assert page.total >= 1
    return samples


def committed_transactions(url: str) -> int:
    """Transactions committed in the bench's database so far (PostgreSQL's own statistics)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db.normalise_url(url), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_stat_clear_snapshot()"))
        count = connection.execute(text("SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()")).scalar_one()
    engine.dispose()
    return int(count)


def websocket_round_trips(url: str, redis_url: str, searches: int, port: int, per_school: int) -> tuple[list[float], float, float]:
    """The round trips, and the events sent and transactions committed per keystroke."""
    with running_app(url, redis_url, port):
        samples: list[float] = []
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            page = browser.new_page()
            sent: list[float] = []
            list_events: list[str] = []

            def on_sent(frame: object) -> None:
                if "student_list_state" in str(frame):
                    list_events.append(str(frame))
                if "set_search" in str(frame):
                    sent.append(time.perf_counter())

            def on_socket(socket) -> None:  # type: ignore[no-untyped-def]
                socket.on("framesent", on_sent)
                # The state update carrying the new page of rows ends the round trip.
                socket.on("framereceived", lambda frame: samples.append((time.perf_counter() - sent.pop()) * 1000) if sent and "rows" in str(frame) else None)

            page.on("websocket", on_socket)
            base = f"http://bench1.localhost:{port}"
            page.goto(f"{base}/login")
            page.get_by_label("Email").fill("admin@bench1.test")
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(f"{base}/admin**")
            page.goto(f"{base}/students")
            box = page.get_by_label("Search students")
            box.wait_for()
            page.wait_for_timeout(2000)  # the page's own loading is over
            list_events.clear()
            transactions_before = committed_transactions(url)
            for number in range(searches):
                term = f"Moyo{9 * (number % (per_school // 9) + 1)}"
                box.fill(term)
                page.get_by_text(term).first.wait_for(timeout=30_000)
                time.sleep(0.4)
            # The statistics collector reports at most every second or so.
            time.sleep(1.5)
            transactions = committed_transactions(url) - transactions_before
            events = len(list_events)
            browser.close()
        return samples, events / searches, transactions / searches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--schools", type=int, default=100)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--searches", type=int, default=30)
    parser.add_argument("--port", type=int, default=3330)
    args = parser.parse_args()

    server_url, redis_url, url, pairs = prepare(args.schools, args.students)
    try:
        print(f"service list_students (search + page of 50)  {percentiles(service_calls(url, pairs, args.calls, args.students))}")
        samples, events, transactions = websocket_round_trips(url, redis_url, args.searches, args.port, args.students)
        print(f"page websocket event round trip (search)     {percentiles(samples)}")
        print(f"per keystroke: {events:.1f} events sent by the browser, {transactions:.1f} database transactions committed")
    finally:
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
