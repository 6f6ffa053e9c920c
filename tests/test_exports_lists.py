"""Exporting lists through the states' shared `export_csv` / `export_xlsx`: every row the filters
match (fetched a batch at a time, more than one batch here), never a credential, and a toast
instead of a file for a user who may not export."""

import asyncio
import csv
import inspect
import io
import random
from collections.abc import Iterator
from typing import Any, TypeVar, cast

import pytest
from reflex import constants
from reflex.event import EventSpec
from reflex.istate.data import RouterData
from reflex.state import State
from sqlmodel import func, select

from models import AuditEvent, Guardian, Role, Student, Subject
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.services import auth
from oneclass.tenancy import SchoolRoute
from state.admin_audit import AuditLogState
from state.admin_users import UserAdminState
from state.guardians import GuardiansState
from state.listing import PagedList
from state.staff import StaffState
from state.students import StudentListState
from state.subjects import SubjectsState
from tests.conftest import TEST_PASSWORD, SchoolFixture, delete_school, make_school

S = TypeVar("S", bound=State)


def fresh_ip() -> str:
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


@pytest.fixture(scope="module")
def school() -> Iterator[SchoolFixture]:
    made = make_school("export")
    yield made
    delete_school(made)


@pytest.fixture(scope="module")
def school_with_records() -> Iterator[SchoolFixture]:
    """A school whose every list has rows (the `school` above keeps only its users)."""
    made = make_school("records")
    with db.tenant_session(made.id) as session:
        seed_school_records(session, admin=school_admin_of(session, made.id), subdomain=made.subdomain, level="primary", students=5)
        session.commit()
    yield made
    delete_school(made)


def route(school: SchoolFixture) -> SchoolRoute:
    return SchoolRoute(id=school.id, name=school.name, subdomain=school.subdomain, level="primary", status="active")


def school_state(state_class: type[S], school: SchoolFixture, role: Role | None, path: str = "/") -> S:
    """The page's state as a browser on the school's host has it at `path`, signed in as the
    fixture user of `role` (None: nobody)."""
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    # Handlers read the school from the page's host on every event, as a browser's tab sends it.
    root.router = RouterData.from_router_data(
        {constants.RouteVar.HEADERS: {"origin": f"http://{school.subdomain}.localhost:3000"}, constants.RouteVar.ORIGIN: path}
    )
    state = cast(S, root.get_substate(state_class.get_full_name().split(".")))
    if role is not None:
        pair = auth.sign_in(
            school=route(school), email=f"{role.value}@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip()
        )
        state.access_token = pair.access_token  # type: ignore[attr-defined]
    return state


def run(result: Any) -> Any:
    """A handler's answer, awaited when the handler is async (those that touch data are)."""
    return asyncio.run(result) if inspect.isawaitable(result) else result


def small_batches(monkeypatch: pytest.MonkeyPatch, state_class: type[PagedList]) -> None:
    """Export two rows a query, so a handful of rows takes several batches."""
    monkeypatch.setattr(state_class, "export_batch", 2)


def test_the_user_list_exports_every_row_in_batches_and_no_credential(
    school: SchoolFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_batches(monkeypatch, UserAdminState)
    state = school_state(UserAdminState, school, Role.school_admin)
    assert run(state.load_users()) is None
    table = run(state._export_table())
    assert table is not None
    stem, columns, rows = table
    assert stem == "users"
    assert len(rows) == state.total == 5  # one of each school role: three batches of two
    assert {row["email"] for row in rows} == {f"{role.value}@{school.subdomain}.test" for role in Role if role != Role.super_admin}
    assert not any("password" in key or "hash" in key for key in columns)

    download = run(state.export_csv())
    assert isinstance(download, EventSpec)
    assert download.handler.fn.__qualname__ == "_download"
    assert "users-" in str(download.args) and ".csv" in str(download.args)
    assert isinstance(run(state.export_xlsx()), EventSpec)


def test_the_export_follows_the_filters(school: SchoolFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    small_batches(monkeypatch, UserAdminState)
    state = school_state(UserAdminState, school, Role.school_admin)
    run(state.set_role_filter("teacher"))
    table = run(state._export_table())
    assert table is not None
    assert [row["role"] for row in table[2]] == ["teacher"]


def test_csv_content_has_the_headings_and_every_row(school: SchoolFixture, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same table the handler renders, as the CSV a spreadsheet opens."""
    from oneclass.services import exports

    monkeypatch.setattr(StaffState, "export_batch", 1)
    state = school_state(StaffState, school, Role.school_admin)
    table = run(state._export_table())
    assert table is not None
    _stem, columns, rows = table
    parsed = list(csv.reader(io.StringIO(exports.rows_to_csv(columns, rows).decode("utf-8-sig"))))
    assert parsed[0] == list(columns.values())
    assert len(parsed) - 1 == len(rows) == 2  # the teacher and the staff member: a batch each
    assert {row[0] for row in parsed[1:]} == {"Teacher of export", "Staff of export"}


@pytest.mark.parametrize(
    "state_class",
    [UserAdminState, StaffState, GuardiansState, SubjectsState, AuditLogState, StudentListState],
)
def test_a_user_without_permission_gets_no_file(school: SchoolFixture, state_class: type[PagedList]) -> None:
    for role in (None, Role.teacher, Role.parent):
        state = school_state(state_class, school, role)
        assert run(state._export_table()) is None
        for handler in (state.export_csv, state.export_xlsx):
            refusal = run(handler())
            assert isinstance(refusal, EventSpec)
            assert "You do not have permission to do that." in str(refusal.args)


@pytest.mark.parametrize(
    ("state_class", "stem"),
    [(GuardiansState, "guardians"), (SubjectsState, "subjects"), (AuditLogState, "audit-log"), (StudentListState, "students")],
)
def test_every_school_list_exports_for_its_admin(
    school_with_records: SchoolFixture, state_class: type[PagedList], stem: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_batches(monkeypatch, state_class)
    state = school_state(state_class, school_with_records, Role.school_admin)  # the sign-in is an audit event
    table = run(state._export_table())
    assert table is not None
    assert table[0] == stem
    assert not any("medical" in key or "password" in key for key in table[1])
    listed = {"guardians": Guardian, "subjects": Subject, "audit-log": AuditEvent, "students": Student}[stem]
    with db.tenant_session(school_with_records.id) as session:
        in_school = session.exec(select(func.count()).select_from(listed)).one()
    assert len(table[2]) == in_school > 0  # every row the school has, fetched in batches of two
    assert isinstance(run(state.export_xlsx()), EventSpec)



def _exports_on_record(school: SchoolFixture) -> list[dict[str, Any]]:
    with db.tenant_session(school.id) as session:
        return [e.detail for e in session.exec(select(AuditEvent).where(AuditEvent.action == "data.exported").order_by(AuditEvent.created_at)).all()]


def test_every_download_of_a_list_is_on_the_audit_trail_and_a_refusal_is_not(school_with_records: SchoolFixture) -> None:
    before = _exports_on_record(school_with_records)
    state = school_state(StudentListState, school_with_records, Role.school_admin)
    run(state.load())
    assert isinstance(run(state.export_csv()), EventSpec)
    assert isinstance(run(state.export_xlsx()), EventSpec)
    refused = school_state(StudentListState, school_with_records, Role.parent)
    run(refused.export_csv())
    after = _exports_on_record(school_with_records)
    assert after[len(before):] == [
        {"list": "students", "rows": state.total, "format": "csv"},
        {"list": "students", "rows": state.total, "format": "xlsx"},
    ]


def test_a_search_keystroke_reloads_the_users_in_the_same_event(school: SchoolFixture) -> None:
    """No event goes back to the browser: the handler itself loads the filtered rows."""
    state = school_state(UserAdminState, school, Role.school_admin)
    assert run(state.load_users()) is None and state.total == 5
    assert run(state.set_search("teacher@")) is None
    assert [row["email"] for row in state.rows] == [f"teacher@{school.subdomain}.test"] and state.total == 1
    assert run(state.set_status_filter("inactive")) is None
    assert (state.rows, state.total, state.page) == ([], 0, 1)


def test_the_audit_filters_reload_in_the_same_event(school: SchoolFixture) -> None:
    state = school_state(AuditLogState, school, Role.school_admin)
    assert run(state.load_events()) is None and state.total >= 1
    assert run(state.apply_filters({"actor": f"school_admin@{school.subdomain}", "since": "", "until": ""})) is None
    assert state.events and {event["actor"] for event in state.events} == {f"school_admin@{school.subdomain}.test"}
    assert run(state.apply_filters({"actor": "%", "since": "", "until": ""})) is None
    assert state.total == 0  # a wildcard is searched for, not obeyed


@pytest.mark.parametrize("role", [None, Role.teacher, Role.parent])
def test_the_users_and_audit_lists_refuse_everyone_but_the_admin(school: SchoolFixture, role: Role | None) -> None:
    users_state = school_state(UserAdminState, school, role)
    run(users_state.set_search(""))
    assert (users_state.rows, users_state.total) == ([], 0)
    audit_state = school_state(AuditLogState, school, role)
    run(audit_state.set_action_filter("sign_in"))
    assert (audit_state.events, audit_state.total) == ([], 0)
