"""The platform's administration against real PostgreSQL and Redis: creating a school with its
first administrator, refusing bad input and non-super-admins, suspending and reactivating, what
the platform role may reach, and the audit trail it leaves."""

import asyncio
import inspect
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, TypeVar, cast

import pytest
from reflex import constants
from reflex.event import EventSpec
from reflex.istate.data import RouterData
from reflex.state import State
from sqlalchemy import text
from sqlalchemy.exc import ProgrammingError
from sqlmodel import col, func, select

from models import AuditEvent, PlatformAuditEvent, Role, School, SchoolStatus
from oneclass import db
from oneclass.permissions import PermissionDenied
from oneclass.services import audit, auth, users
from oneclass.services import schools as schools_service
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import (
    SchoolCreationIncomplete,
    SchoolRow,
    create_school_with_admin,
    list_schools,
    platform_events,
    set_school_status,
)
from oneclass.services.users import create_platform_user
from oneclass.tenancy import HostKind, SchoolRoute, resolve_host
from state.platform import PlatformAuditState, PlatformSchoolsState
from tests.conftest import NO_SUCH_ID

PLATFORM_PASSWORD = "platform-root-2026"
ADMIN_PASSWORD = "first-admin-2026"
S = TypeVar("S", bound=State)


def fresh_ip() -> str:
    """Each sign-in from its own address, so per-address lockout counters never add up."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def new_subdomain(label: str = "new") -> str:
    return f"{label}-{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="module")
def super_admin_tokens() -> auth.TokenPair:
    """A super admin, signed in at the root domain the way the UI signs one in."""
    email = f"root-{uuid.uuid4().hex[:8]}@oneclass.test"
    with db.owner_session() as session:
        create_platform_user(session, email=email, full_name="Platform Tester", password=PLATFORM_PASSWORD)
        session.commit()
    return auth.sign_in(school=None, email=email, password=PLATFORM_PASSWORD, ip=fresh_ip())


@pytest.fixture(scope="module")
def super_admin(super_admin_tokens: auth.TokenPair) -> CurrentUser:
    return super_admin_tokens.user


@pytest.fixture
def created() -> Iterator[list[uuid.UUID]]:
    """Ids of the schools a test creates; deleted afterwards (as the owner: nothing else may)."""
    ids: list[uuid.UUID] = []
    yield ids
    with db.owner_session() as session:
        for school_id in ids:
            school = session.get(School, school_id)
            if school is not None:
                session.delete(school)
        session.commit()


@dataclass(frozen=True)
class MadeSchool:
    """What a test needs of a school it created (the service answers with a row)."""

    id: uuid.UUID
    name: str
    subdomain: str
    currency: str

    @classmethod
    def of(cls, row: SchoolRow) -> "MadeSchool":
        return cls(uuid.UUID(row["id"]), row["name"], row["subdomain"], row["currency"])


def new_school(actor: CurrentUser, created: list[uuid.UUID], **overrides: str) -> MadeSchool:
    subdomain = overrides.pop("subdomain", new_subdomain())
    fields = {
        "name": f"School {subdomain}",
        "subdomain": subdomain,
        "level": "secondary",
        "currency": "ZiG",
        "admin_email": f"head@{subdomain}.test",
        "admin_name": "First Head",
        "admin_password": ADMIN_PASSWORD,
        **overrides,
    }
    school = MadeSchool.of(create_school_with_admin(actor=actor, ip="203.0.113.7", **fields))
    created.append(school.id)
    return school


def school_route(subdomain: str) -> SchoolRoute:
    """As every request does: resolve the host (through the Redis cache)."""
    resolution = resolve_host(f"{subdomain}.localhost:3000")
    assert resolution.kind is HostKind.school and resolution.school is not None
    return resolution.school


def sign_in_as_admin(school: MadeSchool) -> auth.TokenPair:
    return auth.sign_in(
        school=school_route(school.subdomain), email=f"head@{school.subdomain}.test", password=ADMIN_PASSWORD, ip=fresh_ip()
    )


def written_counts() -> tuple[int, int]:
    """How many schools and platform audit events exist, seen by the owner (all of them)."""
    with db.owner_session() as session:
        return (
            session.exec(select(func.count()).select_from(School)).one(),
            session.exec(select(func.count()).select_from(PlatformAuditEvent)).one(),
        )


# --- creating a school ----------------------------------------------------------------------


def test_new_school_resolves_at_once_and_its_admin_signs_in_there(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    subdomain = new_subdomain("mutare")
    # Somebody tried the address before the school existed: the miss is cached...
    assert resolve_host(f"{subdomain}.localhost:3000").kind is HostKind.unknown
    school = new_school(super_admin, created, subdomain=subdomain, name="  Mutare High  ")
    # ...and forgotten when the school is created.
    route = school_route(subdomain)
    assert (route.id, route.name, route.level, route.status) == (school.id, "Mutare High", "secondary", "active")
    assert school.currency == "ZiG"

    pair = sign_in_as_admin(school)
    assert (pair.user.role, pair.user.school_id, pair.user.full_name) == (Role.school_admin.value, school.id, "First Head")
    assert auth.authenticate(token=pair.access_token, school=route).id == pair.user.id
    # The admin belongs to the new school only.
    with db.tenant_session(school.id) as session:
        assert users.count_users(session) == 1


def test_a_new_school_speaks_english_unless_the_platform_chooses_its_language(
    super_admin: CurrentUser, created: list[uuid.UUID]
) -> None:
    plain = new_school(super_admin, created, subdomain=new_subdomain("plain"))
    shona = new_school(super_admin, created, subdomain=new_subdomain("shona"), language="sn")
    assert (school_route(plain.subdomain).language, school_route(shona.subdomain).language) == ("en", "sn")
    assert schools_service.get_school(actor=super_admin, school_id=shona.id)["language"] == "sn"


def test_an_unknown_language_is_refused_in_words_that_name_the_choices(super_admin: CurrentUser) -> None:
    with pytest.raises(ValidationFailed) as refusal:
        create_school_with_admin(
            actor=super_admin, name="Babel School", subdomain=new_subdomain("babel"), level="primary", currency="USD",
            admin_email="head@babel.test", admin_name="Head", admin_password=ADMIN_PASSWORD, ip="203.0.113.7", language="fr",
        )
    assert refusal.value.errors == {
        "language": "Choose the school's language: English (en), chiShona (sn), isiNdebele (nd)."
    }


def test_subdomain_and_admin_email_are_stored_lowercase(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    subdomain = new_subdomain("gweru")
    school = new_school(super_admin, created, subdomain=f" {subdomain.upper()} ", admin_email=f"HEAD@{subdomain}.TEST")
    assert school.subdomain == subdomain
    assert sign_in_as_admin(school).user.email == f"head@{subdomain}.test"


def test_creating_a_school_is_audited_in_both_trails(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    school = new_school(super_admin, created)
    with db.platform_session() as session:
        platform_events = session.exec(
            select(PlatformAuditEvent).where(PlatformAuditEvent.subject_school_id == school.id)
        ).all()
    assert [(e.action, e.actor_email, e.target, e.ip) for e in platform_events] == [
        (audit.SCHOOL_CREATED, super_admin.email, school.subdomain, "203.0.113.7")
    ]
    assert platform_events[0].detail == {"name": school.name, "admin": f"head@{school.subdomain}.test"}
    with db.tenant_session(school.id) as session:
        school_events = session.exec(select(AuditEvent)).all()
    assert [(e.action, e.actor_id, e.target) for e in school_events] == [
        (audit.USER_CREATED, super_admin.id, f"head@{school.subdomain}.test")
    ]


def test_platform_audit_log_lists_the_creation_with_the_school_name(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    school = new_school(super_admin, created)
    page = platform_events(actor=super_admin, filters=audit.AuditFilter(action="school.", actor=super_admin.email))
    assert {"school": school.name, "action": audit.SCHOOL_CREATED, "target": school.subdomain}.items() <= page.rows[0].items()


# --- refusing bad input: nothing is written -------------------------------------------------


@pytest.mark.parametrize(
    "subdomain",
    ["", "-leading", "trailing-", "under_score", "dotted.name", "spaced name", "a" * 64, "ümlaut"],
)
def test_a_subdomain_that_is_no_dns_label_is_refused(super_admin: CurrentUser, subdomain: str) -> None:
    before = written_counts()
    with pytest.raises(ValidationFailed) as refusal:
        create_school_with_admin(
            actor=super_admin, name="Bad Address School", subdomain=subdomain, level="primary", currency="USD",
            admin_email="head@bad.test", admin_name="Head", admin_password=ADMIN_PASSWORD, ip="203.0.113.7",
        )
    assert set(refusal.value.errors) == {"subdomain"}
    assert written_counts() == before


@pytest.mark.parametrize("subdomain", ["www", "api", "admin", "platform", "app", "mail", "static", "assets", "WWW"])
def test_a_reserved_subdomain_is_refused(super_admin: CurrentUser, subdomain: str) -> None:
    before = written_counts()
    with pytest.raises(ValidationFailed) as refusal:
        create_school_with_admin(
            actor=super_admin, name="Reserved School", subdomain=subdomain, level="primary", currency="USD",
            admin_email="head@reserved.test", admin_name="Head", admin_password=ADMIN_PASSWORD, ip="203.0.113.7",
        )
    assert refusal.value.errors == {"subdomain": "This subdomain is reserved for the platform; choose another."}
    assert written_counts() == before


def test_a_subdomain_in_use_is_refused(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    school = new_school(super_admin, created)
    before = written_counts()
    with pytest.raises(ValidationFailed) as refusal:
        new_school(super_admin, created, subdomain=school.subdomain.upper(), admin_email="other@elsewhere.test")
    assert refusal.value.errors == {"subdomain": "Another school already uses this subdomain."}
    assert written_counts() == before
    with db.tenant_session(school.id) as session:
        assert users.count_users(session) == 1


def test_a_subdomain_taken_between_the_check_and_the_write_is_refused_by_name(
    super_admin: CurrentUser, created: list[uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two super admins at once: the database's UNIQUE constraint answers, in the form's words."""
    school = new_school(super_admin, created)
    monkeypatch.setattr(schools_service, "_subdomain_problem", lambda _session, _subdomain: None)
    before = written_counts()
    with pytest.raises(ValidationFailed) as refusal:
        new_school(super_admin, created, subdomain=school.subdomain, admin_email="other@elsewhere.test")
    assert refusal.value.errors == {"subdomain": "Another school already uses this subdomain."}
    assert written_counts() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("admin_password", "short"),
        ("admin_password", "password123"),
        ("admin_password", "headmaster-2026"),  # contains the email's local part
        ("admin_email", "not-an-email"),
        ("admin_email", "head@localhost"),
        ("admin_name", "   "),
        ("name", ""),
        ("name", "x" * 201),
        ("level", "university"),
        ("currency", "ZAR"),
        ("language", "fr"),
    ],
)
def test_bad_fields_are_refused_by_name_and_nothing_is_written(super_admin: CurrentUser, field: str, value: str) -> None:
    subdomain = new_subdomain("refused")
    fields = {
        "name": "Refused School",
        "subdomain": subdomain,
        "level": "combined",
        "currency": "USD",
        "admin_email": "headmaster@refused.test",
        "admin_name": "Head",
        "admin_password": ADMIN_PASSWORD,
        field: value,
    }
    before = written_counts()
    with pytest.raises(ValidationFailed) as refusal:
        create_school_with_admin(actor=super_admin, ip="203.0.113.7", **fields)
    assert set(refusal.value.errors) == {field}
    assert written_counts() == before
    assert resolve_host(f"{subdomain}.localhost").kind is HostKind.unknown


def test_every_problem_is_reported_at_once(super_admin: CurrentUser) -> None:
    with pytest.raises(ValidationFailed) as refusal:
        create_school_with_admin(
            actor=super_admin, name="", subdomain="www", level="", currency="", admin_email="",
            admin_name="", admin_password="", ip="203.0.113.7",
        )
    assert set(refusal.value.errors) == {
        "name", "subdomain", "level", "currency", "admin_email", "admin_name", "admin_password"
    }


def test_when_the_admin_cannot_be_written_the_school_is_left_suspended(
    super_admin: CurrentUser, created: list[uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform role may not delete a school: a half-made one is never left active."""

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("the tenant write failed")

    monkeypatch.setattr(users, "create_user", refuse)
    subdomain = new_subdomain("half")
    with pytest.raises(SchoolCreationIncomplete):
        create_school_with_admin(
            actor=super_admin, name="Half Made", subdomain=subdomain, level="primary", currency="USD",
            admin_email=f"head@{subdomain}.test", admin_name="Head", admin_password=ADMIN_PASSWORD, ip="203.0.113.7",
        )
    with db.platform_session() as session:
        school = session.exec(select(School).where(School.subdomain == subdomain)).one()
        events = session.exec(select(PlatformAuditEvent).where(PlatformAuditEvent.subject_school_id == school.id)).all()
    created.append(school.id)
    assert school.status == SchoolStatus.suspended
    assert school_route(subdomain).status == "suspended"
    assert [(e.action, e.detail["reason"]) for e in events] == [
        (audit.SCHOOL_SUSPENDED, "its first administrator could not be created")
    ]


# --- only super admins ----------------------------------------------------------------------


def test_a_school_admin_may_not_create_or_suspend_schools(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    school = new_school(super_admin, created)
    school_admin = sign_in_as_admin(school).user
    before = written_counts()
    with pytest.raises(PermissionDenied):
        create_school_with_admin(
            actor=school_admin, name="Rogue School", subdomain=new_subdomain("rogue"), level="primary", currency="USD",
            admin_email="rogue@rogue.test", admin_name="Rogue", admin_password=ADMIN_PASSWORD, ip="203.0.113.7",
        )
    with pytest.raises(PermissionDenied):
        set_school_status(actor=school_admin, school_id=school.id, status=SchoolStatus.suspended, ip="203.0.113.7")
    assert written_counts() == before
    assert school_route(school.subdomain).status == "active"


# --- suspending and reactivating ------------------------------------------------------------


def test_suspension_refuses_sign_in_at_once_and_reactivation_restores_it(
    super_admin: CurrentUser, created: list[uuid.UUID]
) -> None:
    school = new_school(super_admin, created)
    signed_in = sign_in_as_admin(school)  # also caches the route as active

    suspended = set_school_status(actor=super_admin, school_id=school.id, status=SchoolStatus.suspended, ip="203.0.113.8")
    assert suspended["status"] == "suspended"
    with pytest.raises(AuthError) as refusal:
        sign_in_as_admin(school)
    assert refusal.value.code == "suspended"
    # An admin who was already signed in loses access on their next request too.
    with pytest.raises(AuthError) as ended:
        auth.authenticate(token=signed_in.access_token, school=school_route(school.subdomain))
    assert ended.value.code == "suspended"

    set_school_status(actor=super_admin, school_id=str(school.id), status=SchoolStatus.active, ip="203.0.113.8")
    assert sign_in_as_admin(school).user.school_id == school.id

    with db.platform_session() as session:
        actions = session.exec(
            select(PlatformAuditEvent.action)
            .where(PlatformAuditEvent.subject_school_id == school.id)
            .order_by(col(PlatformAuditEvent.created_at))
        ).all()
    assert actions == [audit.SCHOOL_CREATED, audit.SCHOOL_SUSPENDED, audit.SCHOOL_REACTIVATED]


def test_setting_the_status_a_school_already_has_records_nothing(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    school = new_school(super_admin, created)
    before = written_counts()
    set_school_status(actor=super_admin, school_id=school.id, status=SchoolStatus.active, ip="203.0.113.8")
    assert written_counts() == before


@pytest.mark.parametrize("school_id", [NO_SUCH_ID, "not-a-uuid"])
def test_an_unknown_school_is_not_found(super_admin: CurrentUser, school_id: str) -> None:
    with pytest.raises(NotFound):
        set_school_status(actor=super_admin, school_id=school_id, status=SchoolStatus.suspended, ip="203.0.113.8")


# --- the list -------------------------------------------------------------------------------


def test_list_searches_name_and_subdomain_filters_status_and_pages(
    super_admin: CurrentUser, created: list[uuid.UUID]
) -> None:
    marker = uuid.uuid4().hex[:6]
    for name in ("Chegutu Primary", "Bindura Secondary", "Avondale Combined"):
        new_school(super_admin, created, subdomain=f"{name.split()[0].lower()}-{marker}", name=f"{name} {marker}")
    quiet = new_school(super_admin, created, subdomain=f"quiet-{marker}", name="Unlisted Name")
    set_school_status(actor=super_admin, school_id=quiet.id, status=SchoolStatus.suspended, ip="203.0.113.8")

    everything = list_schools(actor=super_admin, search=marker.upper())
    first = list_schools(actor=super_admin, search=marker, per_page=2)
    second = list_schools(actor=super_admin, search=marker, page=2, per_page=2)
    by_subdomain = list_schools(actor=super_admin, search=f"QUIET-{marker}")
    suspended = list_schools(actor=super_admin, search=marker, status="suspended")
    literal = list_schools(actor=super_admin, search="%")

    assert everything.total == 4
    assert [row["name"] for row in everything.rows] == [
        f"Avondale Combined {marker}", f"Bindura Secondary {marker}", f"Chegutu Primary {marker}", "Unlisted Name"
    ]
    assert (first.total, len(first.rows), len(second.rows)) == (4, 2, 2)
    assert {r["id"] for r in first.rows}.isdisjoint(r["id"] for r in second.rows)
    assert [row["subdomain"] for row in by_subdomain.rows] == [f"quiet-{marker}"]
    assert [(row["name"], row["status"]) for row in suspended.rows] == [("Unlisted Name", "suspended")]
    assert literal.rows == []  # `%` is searched for literally, not as a wildcard
    assert set(everything.rows[0]) == {"id", "name", "subdomain", "level", "currency", "status", "language", "created"}


# --- the platform role's reach --------------------------------------------------------------


def test_platform_role_sees_every_school_but_no_school_data(super_admin: CurrentUser, created: list[uuid.UUID]) -> None:
    new_school(super_admin, created)
    new_school(super_admin, created)
    with db.owner_engine().connect() as connection:
        all_schools = connection.execute(text("SELECT count(*) FROM schools")).scalar_one()
        all_users = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert all_schools >= 2 and all_users >= 2  # refuse to pass on empty tables

    with db.platform_engine().connect() as connection:
        assert connection.execute(text("SELECT current_user")).scalar() == db.PLATFORM_ROLE
        assert connection.execute(text("SELECT count(*) FROM schools")).scalar() == all_schools
        for statement in ("SELECT count(*) FROM users", "SELECT count(*) FROM refresh_tokens"):
            with pytest.raises(ProgrammingError, match="permission denied"):
                connection.execute(text(statement))
            connection.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(text("DELETE FROM schools"))
        connection.rollback()
        with pytest.raises(ProgrammingError, match="permission denied"):
            connection.execute(
                text(
                    "INSERT INTO users (school_id, email, full_name, role) "
                    "SELECT id, 'x@y.test', 'X', 'teacher' FROM schools LIMIT 1"
                )
            )
        connection.rollback()


# --- the states behind the pages: every handler re-checks the user --------------------------


def platform_state(state_class: type[S], access_token: str = "", host: str = "localhost:3000") -> S:
    """The page's state as a browser's tab on `host` (the root domain unless told) has it,
    signed in with `access_token`."""
    root = State(_reflex_internal_init=True)  # type: ignore[call-arg]
    # Handlers read the host on every event, as a browser's tab sends it.
    root.router = RouterData.from_router_data({constants.RouteVar.HEADERS: {"origin": f"http://{host}"}, constants.RouteVar.ORIGIN: "/"})
    state = cast(S, root.get_substate(state_class.get_full_name().split(".")))
    state.access_token = access_token
    return state


def run(result: Any) -> Any:
    """A handler's answer, awaited when the handler is async."""
    return asyncio.run(result) if inspect.isawaitable(result) else result


def toast_message(event: object) -> str:
    """The text of an `rx.toast` event a handler returned."""
    assert isinstance(event, EventSpec)
    return str(event.args)


def good_form(subdomain: str) -> dict[str, str]:
    return {
        "name": "Form School",
        "subdomain": subdomain,
        "level": "primary",
        "currency": "USD",
        "admin_name": "Form Head",
        "admin_email": f"head@{subdomain}.test",
        "admin_password": ADMIN_PASSWORD,
    }


def every_refused_handler(schools_state: PlatformSchoolsState, audit_state: PlatformAuditState, school: MadeSchool) -> list[Any]:
    """Call every platform handler that reaches a service, as a browser could by name; return
    their answers."""
    schools_state.rows = [{"id": str(school.id), "name": school.name, "status": "active"}]
    schools_state._confirm_school_id = str(school.id)
    answers = [
        run(schools_state.load_schools()),
        run(schools_state.set_search(school.subdomain)),
        run(schools_state.filter_status("active")),
        run(schools_state.next_page()),
        run(schools_state.create_school(good_form(new_subdomain()))),
        run(schools_state.ask_status_change(str(school.id))),
    ]
    schools_state.rows = [{"id": str(school.id), "name": school.name, "status": "active"}]
    answers += [
        run(schools_state.confirm_status_change()),
        run(schools_state.export_csv()),
        run(audit_state.load_events()),
        run(audit_state.apply_filters({"action": "school.", "actor": "", "date_from": "", "date_to": ""})),
        run(audit_state.previous_page()),
        run(audit_state.export_xlsx()),
    ]
    return answers


@pytest.mark.parametrize("caller", ["nobody", "a forged token", "a school admin's token at the root domain", "a school admin on their school's host"])
def test_without_a_super_admin_every_handler_refuses_and_touches_nothing(
    super_admin: CurrentUser, created: list[uuid.UUID], caller: str
) -> None:
    school = new_school(super_admin, created)
    token, host = {
        "nobody": ("", "localhost:3000"),
        "a forged token": ("not-a-token", "localhost:3000"),
        "a school admin's token at the root domain": (sign_in_as_admin(school).access_token, "localhost:3000"),
        "a school admin on their school's host": (sign_in_as_admin(school).access_token, f"{school.subdomain}.localhost:3000"),
    }[caller]
    schools_state, audit_state = platform_state(PlatformSchoolsState, token, host), platform_state(PlatformAuditState, token, host)
    before = written_counts()

    answers = every_refused_handler(schools_state, audit_state, school)

    assert written_counts() == before
    assert school_route(school.subdomain).status == "active"
    assert (schools_state.total, schools_state.confirm_open, audit_state.total, audit_state.events) == (0, False, 0, [])
    assert schools_state.rows in ([], [{"id": str(school.id), "name": school.name, "status": "active"}])  # only what it was given
    assert schools_state.create_errors == {}
    # Nobody signed in here is sent to sign in by the page guard (no toast, nothing else); a
    # school's admin is told no; a download is never among the answers.
    refusals = [toast_message(answer) for answer in answers if answer is not None]
    if caller == "a school admin on their school's host":
        assert len(refusals) == len(answers)
    assert all("do not have" in refusal for refusal in refusals), refusals


def test_a_super_admin_lists_creates_and_suspends_through_the_state(
    super_admin_tokens: auth.TokenPair, created: list[uuid.UUID]
) -> None:
    existing = new_school(super_admin_tokens.user, created)
    state = platform_state(PlatformSchoolsState, super_admin_tokens.access_token)
    assert run(state.load_schools()) is None
    assert existing.name in [row["name"] for row in state.rows]

    state.set_create_open(True)
    assert run(state.create_school({**good_form("www"), "admin_password": "short"})) is None
    assert state.create_open
    assert set(state.create_errors) == {"form", "subdomain", "admin_password"}
    assert state.create_errors["form"] == "Please correct the fields marked below."
    assert state.create_errors["subdomain"].startswith("This subdomain is reserved")
    assert state.create_errors["admin_password"] == "Use at least 10 characters."

    subdomain = new_subdomain("form")
    done = run(state.create_school(good_form(subdomain)))
    assert f"Form School is ready at {subdomain}.localhost." in toast_message(done)
    route = school_route(subdomain)
    created.append(route.id)
    assert not state.create_open

    run(state.set_search(f"  {subdomain}  "))
    assert (state.search, [row["subdomain"] for row in state.rows]) == (subdomain, [subdomain])
    run(state.ask_status_change(str(route.id)))
    assert (state.confirm_open, state.confirm_suspend, state.confirm_name) == (True, True, "Form School")
    assert "Form School is suspended." in toast_message(run(state.confirm_status_change()))
    assert school_route(subdomain).status == "suspended"
    assert [row["status"] for row in state.rows] == ["suspended"]
    run(state.filter_status("active"))
    assert state.rows == []


def test_the_schools_export_holds_every_matching_school_not_one_page(
    super_admin_tokens: auth.TokenPair, created: list[uuid.UUID], monkeypatch: pytest.MonkeyPatch
) -> None:
    marker = uuid.uuid4().hex[:6]
    made = [new_school(super_admin_tokens.user, created, subdomain=f"export{n}-{marker}") for n in range(3)]
    monkeypatch.setattr(PlatformSchoolsState, "per_page", 2)  # a page smaller than the list
    state = platform_state(PlatformSchoolsState, super_admin_tokens.access_token)
    run(state.set_search(marker))
    assert (len(state.rows), state.total) == (2, 3)
    download = run(state.export_csv())
    assert isinstance(download, EventSpec) and "schools-" in str(download.args)
    table = run(state._export_table())
    assert table is not None
    assert sorted(row["subdomain"] for row in table[2]) == [school.subdomain for school in made]


def test_the_audit_state_filters_by_action_and_refuses_a_backwards_date_range(
    super_admin_tokens: auth.TokenPair, created: list[uuid.UUID]
) -> None:
    new_school(super_admin_tokens.user, created)
    state = platform_state(PlatformAuditState, super_admin_tokens.access_token)
    run(state.apply_filters({"action": "school.", "actor": super_admin_tokens.user.email, "date_from": "", "date_to": ""}))
    assert state.events and {event["action"] for event in state.events} <= {
        audit.SCHOOL_CREATED, audit.SCHOOL_SUSPENDED, audit.SCHOOL_REACTIVATED
    }
    run(state.apply_filters({"action": "", "actor": "", "date_from": "2026-02-01", "date_to": "2026-01-01"}))
    assert state.filter_error == "The 'From' date must not be after the 'To' date."
    assert state.action_filter == "school."  # the refused filters were not applied
