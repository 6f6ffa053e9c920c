"""Nothing blocks the event loop (issue 9 §2): while one tab's query waits on the database, the
other tabs' events keep completing.

One tab searches the students while a transaction of the test holds the `students` table locked,
so that query waits in PostgreSQL for as long as the test likes. Meanwhile a second tab sends
events that touch no database. Had the search run on the event loop, not one of them could finish
until the lock was released; off the loop (`offload`), every one of them finishes first. The test
looks at the order in which events completed, it times nothing: the only clock releases the lock
after a while in any case, so that a stuck loop fails the test instead of hanging it.
"""

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from state.gradebook import GradebookState
from state.students import StudentListState
from tests.conftest import TEST_PASSWORD, SchoolFixture, delete_school, fresh_ip, make_school
from tests.events import Browser, Tab, event_name

TRIVIAL_EVENTS = 20
STUCK_AFTER_SECONDS = 20  # the lock goes then in any case: a bound on waiting, never an assertion on speed


@pytest.fixture
def school() -> Iterator[SchoolFixture]:
    school = make_school("loop")
    with db.tenant_session(school.id) as session:
        seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=8)
        session.commit()
    yield school
    delete_school(school)


def _signed_in_tab(browser: Browser, origin: str, email: str) -> Tab:
    from state.auth import AuthState

    tab = browser.connect(origin=origin, ip=fresh_ip(), page="/login")
    tab.send(event_name(AuthState, "sign_in"), {"form": {"email": email, "password": TEST_PASSWORD}})
    assert tab.value(AuthState, "access_token"), tab.value(AuthState, "login_error")
    tab.send(event_name(StudentListState, "load"), page="/students")
    assert tab.value(StudentListState, "rows"), "the admin sees the school's students"
    tab.clear()
    return tab


def _event(tab: Tab, name: str, payload: dict[str, Any]) -> dict[str, Any]:
    path = tab.browser.pages[tab.token]
    return {"name": name, "payload": payload, "router_data": {"pathname": path, "asPath": path, "query": {}}}


def test_a_query_waiting_in_one_tab_holds_up_no_other_tab(school: SchoolFixture) -> None:
    import oneclass.oneclass as module

    browser = Browser(module.app)
    origin = f"http://{school.subdomain}.localhost:3000"
    try:
        searching = _signed_in_tab(browser, origin, f"school_admin@{school.subdomain}.test")
        other = _signed_in_tab(browser, origin, f"school_admin@{school.subdomain}.test")
        namespace = module.app.event_namespace
        assert namespace is not None
        locker = create_engine(db.owner_url())
        holding = locker.connect()
        holding.execute(text("BEGIN"))
        holding.execute(text("LOCK TABLE students IN ACCESS EXCLUSIVE MODE"))
        released = threading.Lock()

        def release() -> None:
            # From this thread at the end, or from the timer's if the loop is stuck (a search run
            # on the loop would wait for this lock with every other tab waiting behind it).
            if released.acquire(blocking=False):
                holding.execute(text("ROLLBACK"))
                holding.close()

        timer = threading.Timer(STUCK_AFTER_SECONDS, release)
        timer.start()
        try:

            async def while_locked() -> list[int]:
                await namespace.on_event(searching.sid, _event(searching, event_name(StudentListState, "set_search"), {"value": "a"}))
                # For each of the other tab's events: how many updates the search had sent when it finished.
                search_answered_by: list[int] = []
                for number in range(TRIVIAL_EVENTS):
                    before = len(other.updates)
                    await namespace.on_event(other.sid, _event(other, event_name(GradebookState, "set_editor_open"), {"value": number % 2 == 0}))
                    while len(other.updates) == before:
                        await asyncio.sleep(0.01)
                    search_answered_by.append(len(searching.updates))
                return search_answered_by

            search_answered_by = browser.run(while_locked())
            assert search_answered_by == [0] * TRIVIAL_EVENTS, (
                f"the other tab's events waited for the search: it had answered before {sum(1 for n in search_answered_by if n)} of them"
            )
        finally:
            timer.cancel()
            release()
            locker.dispose()
        browser.run(browser.settle())
        assert searching.value(StudentListState, "rows"), "once the lock went, the search answered"
    finally:
        browser.close()
