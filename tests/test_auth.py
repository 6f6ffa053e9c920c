"""Signing in against real PostgreSQL and Redis: lockout, refresh rotation, hosts, suspension,
password change and reset, TOTP."""

import os
import random
import subprocess
import sys
import textwrap
import time

import pyotp
import pytest
from sqlalchemy import text
from sqlmodel import select

from models import AuditEvent, OutgoingMail, School, SchoolStatus, User
from oneclass import db
from oneclass.services import auth
from oneclass.services.auth import AuthError, SecondFactorRequired
from oneclass.settings import PROJECT_ROOT
from oneclass.tenancy import SchoolRoute, find_school_route, forget_school_route
from tests.conftest import TEST_PASSWORD, SchoolFixture, apply_settings


def route(school: SchoolFixture) -> SchoolRoute:
    found = find_school_route(subdomain=school.subdomain)
    assert found is not None
    return found


def email(role: str, school: SchoolFixture) -> str:
    return f"{role}@{school.subdomain}.test"


def fresh_ip() -> str:
    """Each test signs in from its own address, so per-address counters never add up across tests."""
    return f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"


def sign_in(
    school: SchoolFixture, role: str = "teacher", password: str = TEST_PASSWORD, ip: str = "", **kwargs: str
) -> auth.TokenPair:
    return auth.sign_in(school=route(school), email=email(role, school), password=password, ip=ip or fresh_ip(), **kwargs)


def audit_actions(school: SchoolFixture) -> list[str]:
    with db.tenant_session(school.id) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.created_at)).all()]


def test_sign_in_issues_tokens_for_the_right_user(two_schools) -> None:
    school_a, _ = two_schools
    pair = auth.sign_in(school=route(school_a), email=email("TEACHER", school_a).upper(), password=TEST_PASSWORD, ip="10.0.0.1")
    assert pair.user.role == "teacher" and pair.user.school_id == school_a.id
    assert auth.authenticate(token=pair.access_token, school=route(school_a)).id == pair.user.id
    assert "sign_in.succeeded" in audit_actions(school_a)


def test_wrong_password_and_unknown_account_give_the_same_answer(two_schools) -> None:
    school_a, _ = two_schools
    with pytest.raises(AuthError) as wrong:
        sign_in(school_a, password="not-the-password")
    with pytest.raises(AuthError) as unknown:
        auth.sign_in(school=route(school_a), email="nobody@x.test", password="whatever-it-is", ip="10.0.0.1")
    assert wrong.value.message == unknown.value.message == "Email or password is incorrect."
    assert audit_actions(school_a).count("sign_in.failed") == 2


def test_token_of_school_a_is_refused_on_school_b(two_schools) -> None:
    school_a, school_b = two_schools
    pair = sign_in(school_a)
    with pytest.raises(AuthError, match="another school"):
        auth.authenticate(token=pair.access_token, school=route(school_b))
    with pytest.raises(AuthError, match="another school"):
        auth.authenticate(token=pair.access_token, school=None)  # nor at the platform
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_b), refresh_token=pair.refresh_token, ip="10.0.0.1")
    # School B's users cannot sign in on A's host either.
    with pytest.raises(AuthError):
        auth.sign_in(school=route(school_a), email=email("teacher", school_b), password=TEST_PASSWORD, ip="10.0.0.1")


def test_lockout_after_five_failures_and_its_expiry(two_schools) -> None:
    school_a, _ = two_schools
    real = os.environ.get("LOCKOUT_SECONDS")
    apply_settings(LOCKOUT_SECONDS="3")
    try:
        for _ in range(4):
            with pytest.raises(AuthError, match="incorrect"):
                sign_in(school_a, password="wrong-password-1")
        with pytest.raises(AuthError, match="locked"):
            sign_in(school_a, password="wrong-password-1")
        # Locked: even the right password is refused, with the lockout message.
        with pytest.raises(AuthError) as locked:
            sign_in(school_a)
        assert locked.value.code == "locked"
        # Another account of the same school is unaffected.
        assert sign_in(school_a, "student").user.role == "student"
        assert "account.locked" in audit_actions(school_a)
        time.sleep(3.5)
        assert sign_in(school_a).user.role == "teacher"
    finally:
        apply_settings(LOCKOUT_SECONDS=real)


def test_too_many_failures_from_one_address_lock_that_address(two_schools) -> None:
    school_a, _ = two_schools
    attacker = fresh_ip()
    roles = ["teacher", "student", "parent", "staff", "school_admin"]
    for attempt in range(20):  # spread over accounts, so no single account locks
        with pytest.raises(AuthError, match="incorrect"):
            sign_in(school_a, roles[attempt % 5], password=f"guess-number-{attempt}", ip=attacker)
    with pytest.raises(AuthError, match="your network"):
        sign_in(school_a, "teacher", ip=attacker)
    assert sign_in(school_a, "teacher").user.role == "teacher"  # from anywhere else: fine


def test_failure_count_survives_a_restart(two_schools) -> None:
    """Three failures here, two more in a separate process (a restarted app): locked."""
    school_a, _ = two_schools
    for _ in range(3):
        with pytest.raises(AuthError, match="incorrect"):
            sign_in(school_a, "parent", password="wrong-password-2", ip="10.0.0.1")
    code = textwrap.dedent(
        f"""
        from oneclass.services import auth
        from oneclass.tenancy import find_school_route
        school = find_school_route(subdomain={school_a.subdomain!r})
        for _ in range(2):
            try:
                auth.sign_in(school=school, email={email("parent", school_a)!r}, password="wrong-password-2", ip="10.0.0.1")
            except auth.AuthError as refusal:
                print(refusal.code)
        """
    )
    other_process = subprocess.run([sys.executable, "-c", code], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert other_process.stdout.split() == ["invalid_credentials", "locked"], other_process.stderr
    with pytest.raises(AuthError) as locked:
        sign_in(school_a, "parent")
    assert locked.value.code == "locked"


def test_refresh_rotates_and_reuse_revokes_the_family(two_schools) -> None:
    school_a, _ = two_schools
    first = sign_in(school_a)
    second = auth.refresh(school=route(school_a), refresh_token=first.refresh_token, ip="10.0.0.1")
    assert second.refresh_token != first.refresh_token
    assert second.user.family_id == first.user.family_id
    third = auth.refresh(school=route(school_a), refresh_token=second.refresh_token, ip="10.0.0.1")
    # Replaying a spent token (a thief's copy) ends the whole family, including the newest pair.
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=first.refresh_token, ip="10.0.0.2")
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=third.refresh_token, ip="10.0.0.1")
    with pytest.raises(AuthError):
        auth.authenticate(token=third.access_token, school=route(school_a))
    assert "refresh_token.reused" in audit_actions(school_a)
    # Another sign-in of the same user (another family) is untouched.
    assert auth.authenticate(token=sign_in(school_a).access_token, school=route(school_a)).role == "teacher"


def test_refresh_tokens_are_stored_hashed(two_schools) -> None:
    school_a, _ = two_schools
    pair = sign_in(school_a)
    with db.owner_engine().connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM refresh_tokens")).scalars().all()
    assert pair.refresh_token not in stored and len(stored) >= 1


def test_sign_out_revokes_access_and_refresh(two_schools) -> None:
    school_a, _ = two_schools
    pair = sign_in(school_a)
    auth.sign_out(user=pair.user, ip="10.0.0.1")
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school_a))
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=pair.refresh_token, ip="10.0.0.1")


def _set_status(school: SchoolFixture, status: SchoolStatus) -> None:
    with db.owner_session() as session:
        row = session.get(School, school.id)
        assert row is not None
        row.status = status
        session.commit()
        forget_school_route(row)


def test_suspended_school_is_refused(two_schools) -> None:
    school_a, school_b = two_schools
    pair = sign_in(school_a, "school_admin")
    _set_status(school_a, SchoolStatus.suspended)
    with pytest.raises(AuthError) as refused:
        sign_in(school_a, "school_admin")
    assert refused.value.code == "suspended"
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school_a))
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=pair.refresh_token, ip="10.0.0.1")
    assert sign_in(school_b).user.role == "teacher"  # the other school carries on
    _set_status(school_a, SchoolStatus.active)
    assert sign_in(school_a, "school_admin").user.role == "school_admin"


def test_deactivated_user_is_refused(two_schools) -> None:
    school_a, _ = two_schools
    pair = sign_in(school_a, "staff")
    with db.tenant_session(school_a.id) as session:
        user = session.exec(select(User).where(User.email == email("staff", school_a))).one()
        user.is_active = False
        session.commit()
    with pytest.raises(AuthError, match="deactivated"):
        sign_in(school_a, "staff")
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school_a))


def test_platform_admin_signs_in_at_the_root_only(two_schools) -> None:
    from oneclass.seed import seed_demo

    seed_demo()
    pair = auth.sign_in(school=None, email="root@oneclass.test", password="oneclass-demo", ip="10.0.0.1")
    assert pair.user.role == "super_admin" and pair.user.school_id is None
    assert auth.authenticate(token=pair.access_token, school=None).email == "root@oneclass.test"
    school_a, _ = two_schools
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school_a))
    with pytest.raises(AuthError):
        auth.sign_in(school=route(school_a), email="root@oneclass.test", password="oneclass-demo", ip="10.0.0.1")


def test_change_password(two_schools) -> None:
    school_a, _ = two_schools
    user = sign_in(school_a).user
    with pytest.raises(AuthError, match="current password"):
        auth.change_password(user=user, current_password="wrong", new_password="a-much-better-one-2026", ip="x")
    with pytest.raises(AuthError, match="too common"):
        auth.change_password(user=user, current_password=TEST_PASSWORD, new_password="password123", ip="x")
    auth.change_password(user=user, current_password=TEST_PASSWORD, new_password="a-much-better-one-2026", ip="x")
    with pytest.raises(AuthError):
        sign_in(school_a)
    assert sign_in(school_a, password="a-much-better-one-2026").user.id == user.id
    assert "password.changed" in audit_actions(school_a)


def test_admin_reset_link_is_one_time_and_expiring(two_schools) -> None:
    school_a, school_b = two_schools
    admin = sign_in(school_a, "school_admin").user
    teacher = sign_in(school_a, "teacher")
    link = auth.issue_password_reset(admin=admin, user_id=teacher.user.id, ip="x")
    token = link.split("token=")[1]
    with db.tenant_session(school_a.id) as session:
        mail = session.exec(select(OutgoingMail).where(OutgoingMail.recipient == email("teacher", school_a))).one()
    assert link in mail.body
    # The link is for school A only.
    with pytest.raises(AuthError):
        auth.reset_password(school=route(school_b), token=token, new_password="brand-new-secret-2026", ip="x")
    auth.reset_password(school=route(school_a), token=token, new_password="brand-new-secret-2026", ip="x")
    with pytest.raises(AuthError, match="used or expired"):
        auth.reset_password(school=route(school_a), token=token, new_password="another-new-secret-2026", ip="x")
    # The reset ended the teacher's existing sessions.
    with pytest.raises(AuthError):
        auth.authenticate(token=teacher.access_token, school=route(school_a))
    assert sign_in(school_a, password="brand-new-secret-2026").user.role == "teacher"
    # An expired link is refused.
    link = auth.issue_password_reset(admin=admin, user_id=teacher.user.id, ip="x")
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE password_reset_tokens SET expires_at = now() - interval '1 minute' WHERE used_at IS NULL"))
    with pytest.raises(AuthError, match="expired"):
        auth.reset_password(school=route(school_a), token=link.split("token=")[1], new_password="yet-another-secret-26", ip="x")
    # Only someone allowed to manage users may issue a link.
    from oneclass.permissions import PermissionDenied

    with pytest.raises(PermissionDenied):
        auth.issue_password_reset(admin=teacher.user, user_id=admin.id, ip="x")


def test_totp_enrolment_sign_in_and_recovery_code(two_schools) -> None:
    school_a, _ = two_schools
    user = sign_in(school_a, "school_admin").user
    enrolment = auth.begin_totp_enrolment(user)
    assert enrolment.qr_svg_data_uri.startswith("data:image/svg+xml")
    with pytest.raises(AuthError):
        auth.confirm_totp_enrolment(user=user, secret=enrolment.secret, code="12345x", ip="x")
    totp = pyotp.TOTP(enrolment.secret)
    codes = auth.confirm_totp_enrolment(user=user, secret=enrolment.secret, code=totp.now(), ip="x")
    assert len(codes) == 8
    with pytest.raises(SecondFactorRequired):
        sign_in(school_a, "school_admin")
    with pytest.raises(AuthError, match="code is not right"):
        sign_in(school_a, "school_admin", totp_code="abcdef")
    assert sign_in(school_a, "school_admin", totp_code=totp.now()).user.role == "school_admin"
    # A recovery code works once.
    assert sign_in(school_a, "school_admin", totp_code=codes[0]).user.role == "school_admin"
    with pytest.raises(AuthError):
        sign_in(school_a, "school_admin", totp_code=codes[0])
    assert "totp.enabled" in audit_actions(school_a)


def test_school_can_require_admins_to_enrol(two_schools) -> None:
    school_a, _ = two_schools
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE schools SET require_admin_mfa = true WHERE id = :id"), {"id": school_a.id})
    admin = sign_in(school_a, "school_admin").user
    assert admin.must_enrol_totp
    assert not sign_in(school_a, "teacher").user.must_enrol_totp
    enrolment = auth.begin_totp_enrolment(admin)
    auth.confirm_totp_enrolment(user=admin, secret=enrolment.secret, code=pyotp.TOTP(enrolment.secret).now(), ip="x")
    enrolled = sign_in(school_a, "school_admin", totp_code=pyotp.TOTP(enrolment.secret).now()).user
    assert not enrolled.must_enrol_totp
    with pytest.raises(AuthError, match="requires"):
        auth.disable_totp(user=enrolled, code=pyotp.TOTP(enrolment.secret).now(), ip="x")
