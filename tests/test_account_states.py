"""The account's event handlers on a tab's state tree, built directly as the state manager
builds it for an event (the handler's state with every substate below it), connected from a
school's host with a user's tokens.

Signing out forgets everything the tab loaded: not only the tokens, but every feature state's
rows and private (backend-only) vars, so the next person at the same browser sees nothing of
the last one's. An admin's "Reset two-step" works for the admin and for nobody else."""

import asyncio
from typing import Any, TypeVar

import pyotp
import pytest
import reflex as rx
from reflex import constants
from reflex.state import BaseState, State
from sqlmodel import select

from models import User
from oneclass import db
from oneclass.services import auth
from oneclass.services.auth import AuthError
from oneclass.tenancy import find_school_route
from state.account import AccountState
from state.admin_users import UserAdminState
from state.auth import AuthState
from state.imports import ImportState
from state.students import StudentListState
from tests.conftest import TEST_PASSWORD, SchoolFixture, fresh_ip

S = TypeVar("S", bound=BaseState)


def tab_on(school: SchoolFixture, path: str) -> State:
    """A tab's whole state tree, connected from the school's host."""
    root = State(_reflex_internal_init=True)
    host = f"{school.subdomain}.localhost:3000"
    root._update_router_vars(
        {
            constants.RouteVar.HEADERS: {"origin": f"http://{host}", "host": host},
            constants.RouteVar.ORIGIN: path,
            constants.RouteVar.PATH: path,
            constants.RouteVar.CLIENT_IP: fresh_ip(),
            constants.RouteVar.CLIENT_TOKEN: "a-tab",
            constants.RouteVar.SESSION_ID: "a-session",
        },
        {},
    )
    return root


def signed_in_tab(school: SchoolFixture, role: str, path: str) -> tuple[State, auth.TokenPair]:
    pair = auth.sign_in(
        school=find_school_route(subdomain=school.subdomain), email=f"{role}@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip()
    )
    root = tab_on(school, path)
    signed_in = substate(root, AuthState)
    signed_in.access_token, signed_in.refresh_token = pair.access_token, pair.refresh_token
    return root, pair


def substate(root: State, state_class: type[S]) -> S:
    found = root.get_substate(state_class.get_full_name().split("."))
    assert isinstance(found, state_class)
    return found


def test_sign_out_clears_every_loaded_state(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    route = find_school_route(subdomain=school.subdomain)
    root, pair = signed_in_tab(school, "school_admin", "/admin/users")
    signed_in = substate(root, AuthState)
    # What the admin's pages loaded: lists, a reset link on screen, an upload kept on the
    # backend, a TOTP secret half-way through enrolment.
    users = substate(root, UserAdminState)
    users.rows = [{"id": "1", "full_name": "Tendai Moyo", "email": "tendai@school.test"}]
    users.reset_link = "https://school.test/reset-password?token=secret"
    upload = substate(root, ImportState)
    upload._content = b"email,full_name,role\n"
    students = substate(root, StudentListState)
    students.rows = [{"id": "2", "name": "Rudo Moyo", "national_id": "63-123456A75"}]
    students.total = 1
    account = substate(root, AccountState)
    account._pending_totp_secret = "JBSWY3DPEHPK3PXP"
    account.recovery_codes = ["abc123-def456"]

    outcome: Any = asyncio.run(AuthState.sign_out.fn(signed_in))

    assert isinstance(outcome, rx.event.EventSpec)  # to the sign-in page
    assert (signed_in.access_token, signed_in.refresh_token, signed_in.user_role) == ("", "", "")
    assert signed_in._user is None
    assert users.rows == [] and users.reset_link == ""
    assert upload._content == b""
    assert students.rows == [] and students.total == 0
    assert account._pending_totp_secret == "" and account.recovery_codes == []
    # And the sign-in itself is over, not only forgotten by this tab.
    with pytest.raises(AuthError, match="session has ended"):
        auth.authenticate(token=pair.access_token, school=route)


def two_step_on(school: SchoolFixture, role: str) -> bool:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == f"{role}@{school.subdomain}.test")).one()
        return user.totp_enabled


def test_only_an_admin_resets_two_step_sign_in(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    route = find_school_route(subdomain=school.subdomain)
    staff = auth.sign_in(school=route, email=f"staff@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip()).user
    secret = auth.begin_totp_enrolment(actor=staff).secret
    auth.confirm_totp_enrolment(actor=staff, secret=secret, code=pyotp.TOTP(secret).now(), ip=fresh_ip())

    teacher_tab, _ = signed_in_tab(school, "teacher", "/admin/users")
    refused: Any = asyncio.run(UserAdminState.reset_two_step.fn(substate(teacher_tab, UserAdminState), str(staff.id)))
    assert "You do not have permission" in str(refused)
    assert two_step_on(school, "staff")

    admin_tab, _ = signed_in_tab(school, "school_admin", "/admin/users")
    done: Any = asyncio.run(UserAdminState.reset_two_step.fn(substate(admin_tab, UserAdminState), str(staff.id)))
    assert f"Two-step sign-in is off for {staff.full_name}" in str(done)
    assert not two_step_on(school, "staff")
