"""The load generator's protocol code against the running app (issue 9 §1): a tab without a
browser signs in, opens a page and gets its rows, as each demo role; a wrong password is an error,
not a hang; a short run of the generator itself reports every action and no error."""

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from bench.load import run_load
from bench.reflex_client import Tab, handler_name
from oneclass import routes
from oneclass.seed import DEMO_PASSWORD
from state.auth import AuthState
from state.my_school import MyChildrenState, TeacherClassesState
from state.students import StudentListState
from tests.e2e.conftest import RunningApp

pytestmark = pytest.mark.e2e


def run(coroutine: Coroutine[Any, Any, Any]) -> Any:
    """`coroutine` on an event loop of its own thread: while the browser fixture lives, Playwright's
    sync API keeps a loop running in this one, where asyncio.run refuses to start another."""
    with ThreadPoolExecutor(1) as thread:
        return thread.submit(asyncio.run, coroutine).result()


def school_student_ids(app: RunningApp, subdomain: str) -> set[str]:
    engine = create_engine(app.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT s.id FROM students s JOIN schools c ON c.id = s.school_id WHERE c.subdomain = :subdomain"),
                {"subdomain": subdomain},
            )
            return {str(row[0]) for row in rows}
    finally:
        engine.dispose()


async def signed_in_tab(app: RunningApp, subdomain: str, email: str, password: str = DEMO_PASSWORD) -> tuple[Tab, str, Any]:
    tab = Tab(app.url(subdomain).rstrip("/"))
    await tab.connect(routes.LOGIN)
    since = tab.mark()
    await tab.send(handler_name(AuthState, "sign_in"), {"form": {"email": email, "password": password}})
    var, value = await tab.until_one_of(AuthState, {"access_token": bool, "login_error": bool}, since, timeout=30)
    return tab, var, value


def test_an_admin_tab_signs_in_and_gets_the_schools_students(running_app: RunningApp) -> None:
    async def scenario() -> tuple[list[dict[str, Any]], str, list[dict[str, Any]], dict[str, str]]:
        tab, var, _token = await signed_in_tab(running_app, "harare-primary", "admin@harare-primary.test")
        assert var == "access_token"
        since = tab.mark()
        await tab.navigate(routes.STUDENTS)
        rows = await tab.until(StudentListState, "rows", since, timeout=30)
        since = tab.mark()
        first_name = rows[0]["name"].split()[0]
        await tab.send(handler_name(StudentListState, "set_search"), {"value": first_name})
        found = await tab.until(StudentListState, "rows", since, timeout=30)
        cookies = dict(tab.cookies)
        await tab.close()
        return rows, first_name, found, cookies

    rows, first_name, found, cookies = run(scenario())
    ours = school_student_ids(running_app, "harare-primary")
    assert rows and {row["id"] for row in rows} <= ours
    assert found and all(first_name.lower() in row["name"].lower() for row in found) and {row["id"] for row in found} <= ours
    assert any(key.endswith("access_token") and value for key, value in cookies.items()), "the tab keeps the sign-in cookie"


def test_teacher_and_parent_tabs_open_their_pages(running_app: RunningApp) -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any], dict[str, Any]]:
        teacher, _, _ = await signed_in_tab(running_app, "bulawayo-high", "teacher@bulawayo-high.test")
        since = teacher.mark()
        await teacher.navigate(routes.TEACHER_CLASSES)
        classes = await teacher.until(TeacherClassesState, "classes", since, timeout=30)
        since = teacher.mark()
        await teacher.send(handler_name(TeacherClassesState, "show_class"), {"class_id": classes[-1]["id"]})
        class_list = await teacher.until(TeacherClassesState, "class_list", since, timeout=30)
        parent, _, _ = await signed_in_tab(running_app, "bulawayo-high", "parent@bulawayo-high.test")
        since = parent.mark()
        await parent.navigate(routes.MY_CHILDREN)
        children = await parent.until(MyChildrenState, "children", since, timeout=30)
        since = parent.mark()
        await parent.send(handler_name(MyChildrenState, "show_child"), {"student_id": children[0]["id"]})
        profile = await parent.until(MyChildrenState, "profile", since, timeout=30)
        await teacher.close()
        await parent.close()
        return classes, class_list, children, profile

    classes, class_list, children, profile = run(scenario())
    ours = school_student_ids(running_app, "bulawayo-high")
    assert classes and class_list and {row["id"] for row in class_list} <= ours
    assert children and {child["id"] for child in children} <= ours
    assert profile.get("name") == children[0]["name"]


def test_a_wrong_password_is_an_answer_not_a_hang(running_app: RunningApp) -> None:
    async def scenario() -> tuple[str, Any]:
        tab, var, value = await signed_in_tab(running_app, "harare-primary", "teacher@harare-primary.test", "not-the-password")
        await tab.close()
        return var, value

    var, message = run(scenario())
    assert var == "login_error" and message


def test_a_short_run_reports_every_action(running_app: RunningApp) -> None:
    report = run(run_load(running_app.port, sessions=6, duration=4, think=0.3, sign_in_concurrency=3, seed=7))
    assert report["ready"] == 6 and not report["errors"], report["errors"]
    assert report["actions"]["sign_in"]["count"] == 6
    assert report["all_actions"]["count"] > 0 and report["all_actions"]["p95_ms"] > 0
    assert {"open_students", "open_classes", "open_children"} & set(report["actions"])
    assert report["server_processes"], "the server's processes are found by its port"

