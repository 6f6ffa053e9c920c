"""Signing in against real PostgreSQL and Redis: lockout, refresh rotation, hosts, suspension,
password change and reset, TOTP."""

import os
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Callable
from typing import NoReturn

import pyotp
import pytest
import redis
from sqlalchemy import text
from sqlmodel import select

from models import AuditEvent, OutgoingMail, School, SchoolStatus, User
from oneclass import cache, db, i18n
from oneclass.security import TOTP_STEP_SECONDS
from oneclass.services import auth
from oneclass.services.auth import AuthError, SecondFactorRequired
from oneclass.services.auth.lockout import _failure_keys
from oneclass.services.users import create_platform_user
from oneclass.settings import PROJECT_ROOT
from oneclass.tenancy import SchoolRoute, find_school_route, forget_school_route
from tests.conftest import TEST_PASSWORD, SchoolFixture, apply_settings, fresh_ip


def route(school: SchoolFixture) -> SchoolRoute:
    found = find_school_route(subdomain=school.subdomain)
    assert found is not None
    return found


def email(role: str, school: SchoolFixture) -> str:
    return f"{role}@{school.subdomain}.test"


def sign_in(
    school: SchoolFixture, role: str = "teacher", password: str = TEST_PASSWORD, ip: str = "", **kwargs: str
) -> auth.TokenPair:
    return auth.sign_in(school=route(school), email=email(role, school), password=password, ip=ip or fresh_ip(), **kwargs)


def audit_actions(school: SchoolFixture) -> list[str]:
    with db.tenant_session(school.id) as session:
        return [e.action for e in session.exec(select(AuditEvent).order_by(AuditEvent.created_at)).all()]


def test_sign_in_issues_tokens_for_the_right_user(two_schools) -> None:
    school_a, _ = two_schools
    pair = auth.sign_in(school=route(school_a), email=email("TEACHER", school_a).upper(), password=TEST_PASSWORD, ip=fresh_ip())
    assert pair.user.role == "teacher" and pair.user.school_id == school_a.id
    assert auth.authenticate(token=pair.access_token, school=route(school_a)).id == pair.user.id
    assert "sign_in.succeeded" in audit_actions(school_a)


def test_wrong_password_and_unknown_account_give_the_same_answer(two_schools) -> None:
    school_a, _ = two_schools
    with pytest.raises(AuthError) as wrong:
        sign_in(school_a, password="not-the-password")
    with pytest.raises(AuthError) as unknown:
        auth.sign_in(school=route(school_a), email="nobody@x.test", password="whatever-it-is", ip=fresh_ip())
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
        auth.refresh(school=route(school_b), refresh_token=pair.refresh_token, ip=fresh_ip())
    # School B's users cannot sign in on A's host either.
    with pytest.raises(AuthError):
        auth.sign_in(school=route(school_a), email=email("teacher", school_b), password=TEST_PASSWORD, ip=fresh_ip())


def test_lockout_after_five_failures_and_its_expiry(two_schools) -> None:
    school_a, _ = two_schools
    real = os.environ.get("LOCKOUT_SECONDS")
    apply_settings(LOCKOUT_SECONDS="120")
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
        # The lock lasts LOCKOUT_SECONDS; instead of waiting it out, let its time run out now.
        lock = _failure_keys(school_a.id, email("teacher", school_a), "")[2]
        assert 110 < cache.get_redis().ttl(lock) <= 120
        cache.get_redis().expire(lock, 0)  # a time-out of 0: Redis ends the key as if its time had come
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


def test_an_address_stopped_at_one_school_still_signs_in_at_another(two_schools) -> None:
    """Per-address counters belong to a school: attackers sharing an address with a school's
    users (a carrier's NAT) cannot lock those users out by failing at another school."""
    school_a, school_b = two_schools
    shared = fresh_ip()
    roles = ["teacher", "student", "parent", "staff", "school_admin"]
    for attempt in range(20):
        with pytest.raises(AuthError, match="incorrect"):
            sign_in(school_a, roles[attempt % 5], password=f"guess-number-{attempt}", ip=shared)
    with pytest.raises(AuthError, match="your network"):
        sign_in(school_a, "teacher", ip=shared)
    assert sign_in(school_b, "teacher", ip=shared).user.school_id == school_b.id


def test_failure_count_survives_a_restart(two_schools) -> None:
    """Three failures here, two more in a separate process (a restarted app): locked."""
    school_a, _ = two_schools
    address = fresh_ip()
    for _ in range(3):
        with pytest.raises(AuthError, match="incorrect"):
            sign_in(school_a, "parent", password="wrong-password-2", ip=address)
    code = textwrap.dedent(
        f"""
        from oneclass.services import auth
        from oneclass.tenancy import find_school_route
        school = find_school_route(subdomain={school_a.subdomain!r})
        for _ in range(2):
            try:
                auth.sign_in(school=school, email={email("parent", school_a)!r}, password="wrong-password-2", ip={address!r})
            except auth.AuthError as refusal:
                print(refusal.code)
        """
    )
    other_process = subprocess.run([sys.executable, "-c", code], check=False, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60)
    assert other_process.stdout.split() == ["invalid_credentials", "locked"], other_process.stderr
    with pytest.raises(AuthError) as locked:
        sign_in(school_a, "parent")
    assert locked.value.code == "locked"


def test_refresh_rotates_and_reuse_revokes_the_family(two_schools) -> None:
    school_a, _ = two_schools
    first = sign_in(school_a)
    second = auth.refresh(school=route(school_a), refresh_token=first.refresh_token, ip=fresh_ip())
    assert second.refresh_token != first.refresh_token
    assert second.user.family_id == first.user.family_id
    third = auth.refresh(school=route(school_a), refresh_token=second.refresh_token, ip=fresh_ip())
    # Replaying a spent token (a thief's copy) ends the whole family, including the newest pair.
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=first.refresh_token, ip=fresh_ip())
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=third.refresh_token, ip=fresh_ip())
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
    auth.sign_out(actor=pair.user, ip=fresh_ip())
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school_a))
    with pytest.raises(AuthError):
        auth.refresh(school=route(school_a), refresh_token=pair.refresh_token, ip=fresh_ip())


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
        auth.refresh(school=route(school_a), refresh_token=pair.refresh_token, ip=fresh_ip())
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
    pair = auth.sign_in(school=None, email="root@oneclass.test", password="oneclass-demo", ip=fresh_ip())
    assert pair.user.role == "super_admin" and pair.user.school_id is None
    assert auth.authenticate(token=pair.access_token, school=None).email == "root@oneclass.test"
    school_a, _ = two_schools
    with pytest.raises(AuthError):
        auth.authenticate(token=pair.access_token, school=route(school_a))
    with pytest.raises(AuthError):
        auth.sign_in(school=route(school_a), email="root@oneclass.test", password="oneclass-demo", ip=fresh_ip())


def test_change_password(two_schools) -> None:
    school_a, _ = two_schools
    user = sign_in(school_a).user
    with pytest.raises(AuthError, match="current password"):
        auth.change_password(actor=user, current_password="wrong", new_password="a-much-better-one-2026", ip="x")
    with pytest.raises(AuthError, match="too common"):
        auth.change_password(actor=user, current_password=TEST_PASSWORD, new_password="password123", ip="x")
    auth.change_password(actor=user, current_password=TEST_PASSWORD, new_password="a-much-better-one-2026", ip="x")
    with pytest.raises(AuthError):
        sign_in(school_a)
    assert sign_in(school_a, password="a-much-better-one-2026").user.id == user.id
    assert "password.changed" in audit_actions(school_a)


@pytest.mark.parametrize("platform", [False, True], ids=["school user", "super admin"])
def test_changing_the_password_ends_every_other_sign_in(two_schools, platform: bool) -> None:
    """A thief's stolen session ends when the owner changes the password; the owner's carries on."""
    school_a, _ = two_schools
    if platform:
        school, login, password = None, f"root-{uuid.uuid4().hex[:8]}@oneclass.test", TEST_PASSWORD
        with db.owner_session() as session:
            create_platform_user(session, email=login, full_name="Platform Owner", password=password)
            session.commit()
    else:
        school, login, password = route(school_a), email("teacher", school_a), TEST_PASSWORD
    stolen = auth.sign_in(school=school, email=login, password=password, ip=fresh_ip())
    stolen_later = auth.refresh(school=school, refresh_token=stolen.refresh_token, ip=fresh_ip())  # a rotated family too
    own = auth.sign_in(school=school, email=login, password=password, ip=fresh_ip())
    assert auth.authenticate(token=stolen_later.access_token, school=school).id == own.user.id  # now cached
    new_password = f"owner-takes-it-back-{uuid.uuid4().hex[:6]}"
    auth.change_password(actor=own.user, current_password=password, new_password=new_password, ip=fresh_ip())
    for access in (stolen.access_token, stolen_later.access_token):
        with pytest.raises(AuthError, match="session has ended"):
            auth.authenticate(token=access, school=school)
    with pytest.raises(AuthError):
        auth.refresh(school=school, refresh_token=stolen_later.refresh_token, ip=fresh_ip())
    assert auth.authenticate(token=own.access_token, school=school).id == own.user.id
    assert auth.refresh(school=school, refresh_token=own.refresh_token, ip=fresh_ip()).user.family_id == own.user.family_id


def test_a_stolen_session_cannot_guess_the_password_without_limit(two_schools) -> None:
    """Re-entering the password to change it counts toward the same lock as signing in."""
    school_a, _ = two_schools
    stolen = sign_in(school_a, "staff").user
    for attempt in range(4):
        with pytest.raises(AuthError, match="current password"):
            auth.change_password(actor=stolen, current_password=f"guess-{attempt}", new_password="the-thiefs-choice-2026", ip=fresh_ip())
    with pytest.raises(AuthError, match="current password"):
        auth.change_password(actor=stolen, current_password="guess-4", new_password="the-thiefs-choice-2026", ip=fresh_ip())
    with pytest.raises(AuthError) as locked:
        auth.change_password(actor=stolen, current_password=TEST_PASSWORD, new_password="the-thiefs-choice-2026", ip=fresh_ip())
    assert locked.value.code == "locked"


def reset_mails(school: SchoolFixture) -> list[OutgoingMail]:
    with db.tenant_session(school.id) as session:
        return list(session.exec(select(OutgoingMail).where(OutgoingMail.recipient == email("teacher", school))).all())


def test_admin_reset_link_is_one_time_and_expiring(two_schools) -> None:
    school_a, school_b = two_schools
    admin = sign_in(school_a, "school_admin").user
    teacher = sign_in(school_a, "teacher")
    link = auth.issue_password_reset(admin=admin, user_id=teacher.user.id, ip="x")
    token = link.split("token=")[1]
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


def test_a_new_reset_link_voids_the_older_ones(two_schools) -> None:
    school_a, _ = two_schools
    admin = sign_in(school_a, "school_admin").user
    teacher = sign_in(school_a, "teacher").user
    older = [auth.issue_password_reset(admin=admin, user_id=teacher.id, ip="x") for _ in range(2)]
    newest = auth.issue_password_reset(admin=admin, user_id=teacher.id, ip="x")
    for link in older:
        with pytest.raises(AuthError, match="used or expired"):
            auth.reset_password(school=route(school_a), token=link.split("token=")[1], new_password="from-an-old-link-2026", ip="x")
    auth.reset_password(school=route(school_a), token=newest.split("token=")[1], new_password="from-the-new-link-2026", ip="x")
    assert sign_in(school_a, password="from-the-new-link-2026").user.id == teacher.id


def test_the_reset_mail_is_in_the_users_language_else_the_schools(two_schools) -> None:
    """The mail is for the user: their language, else their school's, never the admin's (who
    issues it here from a Shona page). Compares with the catalogues: passes once they hold
    the reset mail's words."""
    school_a, _ = two_schools
    admin = sign_in(school_a, "school_admin").user
    teacher = sign_in(school_a, "teacher").user
    with i18n.language("nd"):
        nd_subject = i18n.gettext("Reset your OneClass password")
    assert nd_subject != "Reset your OneClass password", "merge the i18n fragments into the catalogues"
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE schools SET language = 'nd' WHERE id = :id"), {"id": school_a.id})
    with i18n.language("sn"):
        auth.issue_password_reset(admin=admin, user_id=teacher.id, ip="x")
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE users SET language = 'en' WHERE id = :id"), {"id": teacher.id})
    with i18n.language("sn"):
        auth.issue_password_reset(admin=admin, user_id=teacher.id, ip="x")
    subjects = sorted(mail.subject for mail in reset_mails(school_a))
    assert subjects == sorted([nd_subject, "Reset your OneClass password"])


def test_reset_tokens_are_not_kept_readable_in_the_mail_log(two_schools) -> None:
    """The admin sees the link once; the mail log (readable by anyone reading the table) says a
    link was made, for whom and where, without the link or its token."""
    school_a, _ = two_schools
    admin = sign_in(school_a, "school_admin").user
    teacher = sign_in(school_a, "teacher").user
    link = auth.issue_password_reset(admin=admin, user_id=teacher.id, ip="x")
    token = link.split("token=")[1]
    assert len(token) >= 32
    (mail,) = reset_mails(school_a)
    assert mail.subject == "Reset your OneClass password"
    assert token not in mail.body and link not in mail.body and "token=" not in mail.body
    assert teacher.full_name in mail.body and admin.full_name in mail.body
    with db.owner_engine().connect() as connection:
        stored = connection.execute(text("SELECT token_hash FROM password_reset_tokens")).scalars().all()
    assert token not in stored


_HANDED_OUT: dict[str, set[int]] = {}


def code(secret: str) -> str:
    """A code of `secret` that no earlier call handed out: the newest of the three time-steps
    accepted now (previous, current, next) not given yet. Each code is accepted once, so a test
    that asked for "the next step" and then "the previous one" failed whenever a 30-second
    boundary fell between the calls: the previous step was then the one spent at enrolment."""
    handed_out = _HANDED_OUT.setdefault(secret, set())
    now = int(time.time()) // TOTP_STEP_SECONDS
    step = next(s for s in (now + 1, now, now - 1) if s not in handed_out)
    handed_out.add(step)
    return pyotp.TOTP(secret).generate_otp(step)


def enrol(user: auth.CurrentUser) -> tuple[str, list[str]]:
    """Turn TOTP on for `user` with the current code; the secret and the recovery codes."""
    secret = auth.begin_totp_enrolment(actor=user).secret
    return secret, auth.confirm_totp_enrolment(actor=user, secret=secret, code=code(secret), ip="x")


def test_totp_enrolment_sign_in_and_recovery_code(two_schools) -> None:
    school_a, _ = two_schools
    user = sign_in(school_a, "school_admin").user
    enrolment = auth.begin_totp_enrolment(actor=user)
    assert enrolment.qr_svg_data_uri.startswith("data:image/svg+xml")
    with pytest.raises(AuthError):
        auth.confirm_totp_enrolment(actor=user, secret=enrolment.secret, code="12345x", ip="x")
    codes = auth.confirm_totp_enrolment(actor=user, secret=enrolment.secret, code=code(enrolment.secret), ip="x")
    assert len(codes) == 8
    with pytest.raises(SecondFactorRequired):
        sign_in(school_a, "school_admin")
    with pytest.raises(AuthError, match="code is not right"):
        sign_in(school_a, "school_admin", totp_code="abcdef")
    assert sign_in(school_a, "school_admin", totp_code=code(enrolment.secret)).user.role == "school_admin"
    # A recovery code works once.
    assert sign_in(school_a, "school_admin", totp_code=codes[0]).user.role == "school_admin"
    with pytest.raises(AuthError):
        sign_in(school_a, "school_admin", totp_code=codes[0])
    assert "totp.enabled" in audit_actions(school_a)


def test_a_totp_code_is_accepted_once(two_schools) -> None:
    """A code seen over a shoulder (or the one just typed at enrolment) cannot be replayed in
    its window, on this app or another worker: the spent time-step is kept in Redis."""
    school_a, _ = two_schools
    user = sign_in(school_a, "school_admin").user
    secret = auth.begin_totp_enrolment(actor=user).secret
    enrolment_code = code(secret)
    auth.confirm_totp_enrolment(actor=user, secret=secret, code=enrolment_code, ip="x")
    with pytest.raises(AuthError, match="used already"):
        sign_in(school_a, "school_admin", totp_code=enrolment_code)
    fresh = code(secret)
    assert sign_in(school_a, "school_admin", totp_code=fresh).user.id == user.id
    with pytest.raises(AuthError, match="used already") as replayed:
        sign_in(school_a, "school_admin", totp_code=fresh)
    assert replayed.value.code == "totp_invalid"
    with pytest.raises(AuthError, match="not right"):
        auth.disable_totp(actor=user, code=fresh, ip="x")
    auth.disable_totp(actor=user, code=code(secret), ip="x")


class UnreachableRedis:
    """A Redis client whose every command fails at once, as a stopped server's would."""

    def __getattr__(self, command: str) -> Callable[..., NoReturn]:
        def refuse(*_args: object, **_kwargs: object) -> NoReturn:
            raise redis.ConnectionError(f"Redis is unreachable ({command})")

        return refuse


def test_without_redis_totp_codes_are_refused_and_recovery_codes_still_work(two_schools, monkeypatch) -> None:
    """Fail closed: a code that cannot be remembered could be replayed, so it is refused with a
    clear message; recovery codes are spent in PostgreSQL and remain the way in."""
    school_a, _ = two_schools
    user = sign_in(school_a, "school_admin").user
    secret, recovery = enrol(user)
    monkeypatch.setattr(cache, "get_redis", UnreachableRedis)
    with pytest.raises(AuthError, match="cannot be checked just now") as refused:
        sign_in(school_a, "school_admin", totp_code=code(secret))
    assert refused.value.code == "totp_unavailable"
    assert sign_in(school_a, "school_admin", totp_code=recovery[0]).user.id == user.id


def test_replacing_an_enabled_totp_secret_needs_proof(two_schools) -> None:
    """Holding a stolen session is not enough to move the second factor to the thief's phone:
    a code of the current app (or a recovery code) or the password is asked for."""
    school_a, _ = two_schools
    user = sign_in(school_a, "teacher").user
    old_secret, _ = enrol(user)
    thief_secret = auth.begin_totp_enrolment(actor=user).secret
    with pytest.raises(AuthError, match="code from your current app") as refused:
        auth.confirm_totp_enrolment(actor=user, secret=thief_secret, code=code(thief_secret), ip="x")
    assert refused.value.code == "reauth_required"
    with pytest.raises(AuthError, match="code from your current app"):
        auth.confirm_totp_enrolment(
            actor=user, secret=thief_secret, code=code(thief_secret), current_password="a-guess-at-it", current_code="000000", ip="x"
        )
    # Still the old app's secret.
    assert sign_in(school_a, "teacher", totp_code=code(old_secret)).user.id == user.id
    # The owner, with a code of the old app, moves to a new phone; then with the password, to another.
    new_secret = auth.begin_totp_enrolment(actor=user).secret
    auth.confirm_totp_enrolment(actor=user, secret=new_secret, code=code(new_secret), current_code=code(old_secret), ip="x")
    newest_secret = auth.begin_totp_enrolment(actor=user).secret
    auth.confirm_totp_enrolment(actor=user, secret=newest_secret, code=code(newest_secret), current_password=TEST_PASSWORD, ip="x")
    with pytest.raises(AuthError):
        sign_in(school_a, "teacher", totp_code=code(new_secret))
    assert sign_in(school_a, "teacher", totp_code=code(newest_secret)).user.id == user.id


def test_an_admin_resets_a_users_two_step_sign_in(two_schools) -> None:
    from oneclass.permissions import PermissionDenied
    from oneclass.services.errors import NotFound

    school_a, school_b = two_schools
    admin = sign_in(school_a, "school_admin").user
    teacher = sign_in(school_a, "teacher").user
    secret, _ = enrol(teacher)
    session_with_phone = sign_in(school_a, "teacher", totp_code=code(secret))
    with pytest.raises(PermissionDenied):
        auth.reset_two_step(actor=sign_in(school_a, "staff").user, user_id=teacher.id, ip="x")
    other_admin = sign_in(school_b, "school_admin").user
    with pytest.raises(NotFound):
        auth.reset_two_step(actor=other_admin, user_id=teacher.id, ip="x")  # another school's user: not there
    with pytest.raises(NotFound):
        auth.reset_two_step(actor=admin, user_id="not-an-id", ip="x")
    assert sign_in(school_a, "teacher", totp_code=code(secret)).user.id == teacher.id  # untouched so far
    assert auth.reset_two_step(actor=admin, user_id=str(teacher.id), ip="10.1.2.3") == teacher.full_name
    # The password alone signs in again; every earlier sign-in is over.
    assert sign_in(school_a, "teacher").user.id == teacher.id
    with pytest.raises(AuthError):
        auth.authenticate(token=session_with_phone.access_token, school=route(school_a))
    with db.tenant_session(school_a.id) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == "totp.reset")).one()
        row = session.get(User, teacher.id)
    assert (event.actor_id, event.target, event.ip) == (admin.id, teacher.email, "10.1.2.3")
    assert row is not None and not row.totp_enabled and row.totp_secret is None and row.recovery_code_hashes == []


def test_school_can_require_admins_to_enrol(two_schools) -> None:
    school_a, _ = two_schools
    with db.owner_engine().begin() as connection:
        connection.execute(text("UPDATE schools SET require_admin_mfa = true WHERE id = :id"), {"id": school_a.id})
    admin = sign_in(school_a, "school_admin").user
    assert admin.must_enrol_totp
    assert not sign_in(school_a, "teacher").user.must_enrol_totp
    secret, _ = enrol(admin)
    enrolled = sign_in(school_a, "school_admin", totp_code=code(secret)).user
    assert not enrolled.must_enrol_totp
    with pytest.raises(AuthError, match="requires"):
        auth.disable_totp(actor=enrolled, code=code(secret), ip="x")
