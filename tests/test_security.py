"""Passwords, access tokens (every refusal), TOTP, and the permission matrix with wildcards."""

import base64
import json
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import jwt
import pyotp
import pytest

from models import Role
from oneclass.permissions import PERMISSIONS, PermissionDenied, can, grant_allows, require, role_can
from oneclass.security import (
    TokenInvalid,
    decode_access_token,
    hash_password,
    issue_access_token,
    password_problem,
    verify_password,
    verify_totp,
)
from oneclass.settings import get_settings


def test_argon2_hash_verifies_only_the_right_password() -> None:
    hashed = hash_password("correct horse battery")
    assert hashed.startswith("$argon2id$")
    assert hashed != hash_password("correct horse battery")  # salted
    assert verify_password(hashed, "correct horse battery")
    assert not verify_password(hashed, "correct horse batterz")
    assert not verify_password(None, "anything")
    assert not verify_password("not-a-hash", "anything")


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short", "at least 10"),
        ("password123", "too common"),
        ("aaaaaaaaaaaa", "too common"),
        ("x" * 129, "at most 128"),
        ("tendai.moyo-2026!", "email"),
    ],
)
def test_password_policy_refuses(password: str, problem: str) -> None:
    message = password_problem(password, email="tendai.moyo@school.test")
    assert message is not None and problem in message


def test_password_policy_accepts_a_decent_password() -> None:
    assert password_problem("mhondoro-yedu-2026", email="tendai@school.test") is None


def _token(**overrides: object) -> str:
    return issue_access_token(user_id=uuid4(), school_id=uuid4(), role="teacher", family_id=uuid4(), **overrides)  # type: ignore[arg-type]


def test_access_token_round_trip() -> None:
    user_id, school_id, family_id = uuid4(), uuid4(), uuid4()
    claims = decode_access_token(issue_access_token(user_id=user_id, school_id=school_id, role="parent", family_id=family_id))
    assert (claims.user_id, claims.school_id, claims.role, claims.family_id) == (user_id, school_id, "parent", family_id)
    lifetime = claims.expires_at - datetime.now(UTC)
    assert timedelta(minutes=14) < lifetime <= timedelta(minutes=15)


def _segments(token: str) -> list[str]:
    return token.split(".")


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_alg_none_is_refused() -> None:
    payload = jwt.decode(_token(), options={"verify_signature": False})
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(payload)}."
    with pytest.raises(TokenInvalid):
        decode_access_token(unsigned)


def test_wrong_key_is_refused() -> None:
    payload = jwt.decode(_token(), options={"verify_signature": False})
    forged = jwt.encode(payload, "somebody-elses-key-that-is-long-enough!", algorithm="HS256")
    with pytest.raises(TokenInvalid):
        decode_access_token(forged)


def test_expired_token_is_refused() -> None:
    payload = jwt.decode(_token(), options={"verify_signature": False})
    payload["exp"] = int((datetime.now(UTC) - timedelta(seconds=1)).timestamp())
    expired = jwt.encode(payload, get_settings().secret_key, algorithm="HS256")
    with pytest.raises(TokenInvalid, match="expired"):
        decode_access_token(expired)


def test_tampered_claim_is_refused() -> None:
    header, payload, signature = _segments(_token())
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["role"] = "school_admin"
    with pytest.raises(TokenInvalid):
        decode_access_token(f"{header}.{_b64(claims)}.{signature}")


def test_missing_claims_and_wrong_type_are_refused() -> None:
    key = get_settings().secret_key
    exp = datetime.now(UTC) + timedelta(minutes=5)
    with pytest.raises(TokenInvalid):
        decode_access_token(jwt.encode({"sub": str(uuid4()), "exp": exp}, key, algorithm="HS256"))
    payload = jwt.decode(_token(), options={"verify_signature": False})
    payload["typ"] = "refresh"
    with pytest.raises(TokenInvalid):
        decode_access_token(jwt.encode(payload, key, algorithm="HS256"))
    with pytest.raises(TokenInvalid):
        decode_access_token("not.a.token")


def test_totp_codes() -> None:
    secret = pyotp.random_base32()
    totp = pyotp.TOTP(secret)
    assert verify_totp(secret, totp.now())
    assert verify_totp(secret, f" {totp.now()[:3]} {totp.now()[3:]} ")  # spaces as apps show them
    current = {totp.at(datetime.now(UTC) + timedelta(seconds=30 * step)) for step in (-1, 0, 1)}
    wrong = next(code for code in ("000000", "111111", "222222", "333333") if code not in current)
    assert not verify_totp(secret, wrong)
    assert not verify_totp(secret, "abcdef")


def test_wildcards() -> None:
    assert grant_allows("grades.*", "grades.update")
    assert grant_allows("*", "school.delete")
    assert not grant_allows("grades.*", "gradesx.read")
    assert not grant_allows("grades.read", "grades.update")


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (Role.super_admin, ["platform.schools", "users.delete"], []),
        (
            Role.school_admin,
            ["users.create", "school.update", "audit.read", "grades.update", "classes.manage", "subjects.manage", "departments.manage"],
            ["platform.schools"],
        ),
        (
            Role.teacher,
            ["classes.read", "students.read", "grades.update"],
            ["classes.manage", "subjects.manage", "school.update", "users.read", "students.update", "audit.read"],
        ),
        (Role.student, ["grades.read", "attendance.read"], ["grades.update", "child.read", "users.read", "classes.read"]),
        (Role.parent, ["child.read", "fees.read", "grades.read"], ["grades.update", "users.read", "students.read", "classes.read"]),
        (Role.staff, ["reports.read"], ["departments.manage", "reports.create", "users.read", "grades.read", "classes.read"]),
    ],
)
def test_permission_matrix(role: Role, allowed: list[str], refused: list[str]) -> None:
    for permission in allowed:
        assert role_can(role.value, permission), (role, permission)
    for permission in refused:
        assert not role_can(role.value, permission), (role, permission)


def test_each_role_opens_only_its_own_dashboard() -> None:
    for role in Role:
        others = [f"dashboard.{other.value}" for other in Role if other is not role]
        assert role_can(role.value, f"dashboard.{role.value}")
        if role is not Role.super_admin:
            assert not any(role_can(role.value, other) for other in others)
    assert set(PERMISSIONS) == set(Role)


def test_can_and_require() -> None:
    class Someone:
        role = "teacher"

    assert can(Someone(), "grades.update")
    assert not can(None, "grades.read")
    assert not role_can("janitor", "grades.read")
    with pytest.raises(PermissionDenied):
        require(Someone(), "users.create")
