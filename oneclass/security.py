"""Passwords and tokens in one place: argon2id hashes, the password policy, access JWTs,
opaque refresh/reset tokens (stored only as hashes), TOTP, and secrets sealed for the database."""

import base64
import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from uuid import UUID, uuid4

import jwt
import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from oneclass.i18n import _, format_message
from oneclass.settings import get_settings

_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified against when the account does not exist, so that timing does not reveal which
    emails have accounts. Made on first use, not at import: a hash costs every process (each
    worker, the CLI, each test run) about a second and 64 MiB."""
    return _hasher.hash("no-such-account-dummy-password")


JWT_ALGORITHM = "HS256"
# The cookies of a school's host that carry a browser's tokens (read by the upload guard too).
ACCESS_COOKIE = "oneclass_access"
REFRESH_COOKIE = "oneclass_refresh"
PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 128
TOTP_ISSUER = "OneClass"
TOTP_STEP_SECONDS = 30  # pyotp's default period, which authenticator apps assume
TOTP_VALID_WINDOW = 1  # steps either side of now that are still accepted


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Constant-ish time whether or not there is a hash to check against."""
    try:
        return _hasher.verify(password_hash or _dummy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


@lru_cache
def _common_passwords() -> frozenset[str]:
    path = Path(__file__).parent / "data" / "common_passwords.txt"
    return frozenset(line.strip().lower() for line in path.read_text().splitlines() if line.strip())


def password_problem(password: str, *, email: str = "") -> str | None:
    """Why `password` is refused (a sentence for the user, in the request's language), or None
    when it is acceptable."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return format_message("Use at least {count} characters.", count=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return format_message("Use at most {count} characters.", count=PASSWORD_MAX_LENGTH)
    lowered = password.lower()
    if lowered in _common_passwords() or len(set(lowered)) < 4:
        return _("This password is too common or too easy to guess; choose another.")
    local_part = email.split("@")[0].lower()
    if len(local_part) >= 4 and local_part in lowered:
        return _("The password must not contain your email address.")
    return None


def hash_token(token: str) -> str:
    """Refresh and reset tokens are random, so a fast hash is enough to store them safely."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class AccessClaims:
    """What a verified access token says. `school_id` is None for a platform (super admin) token."""

    user_id: UUID
    school_id: UUID | None
    role: str
    family_id: UUID
    token_id: str
    expires_at: datetime


class TokenInvalid(Exception):
    """The token is missing, malformed, expired, tampered with or signed by someone else."""


def issue_access_token(*, user_id: UUID, school_id: UUID | None, role: str, family_id: UUID) -> str:
    settings = get_settings()
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "sch": str(school_id) if school_id else "platform",
        "role": role,
        "fam": str(family_id),
        "jti": uuid4().hex,
        "typ": "access",
        "iat": now,
        "exp": now + timedelta(minutes=settings.access_token_minutes),
    }
    return jwt.encode(claims, settings.secret_key, algorithm=JWT_ALGORITHM)


def decode_access_token(token: str) -> AccessClaims:
    """Verify signature (HS256 only: `alg=none` and others are refused), expiry and shape."""
    try:
        claims = jwt.decode(
            token,
            get_settings().secret_key,
            algorithms=[JWT_ALGORITHM],
            options={"require": ["sub", "sch", "role", "fam", "jti", "typ", "exp", "iat"]},
        )
        if claims["typ"] != "access":
            raise TokenInvalid("not an access token")
        return AccessClaims(
            user_id=UUID(claims["sub"]),
            school_id=None if claims["sch"] == "platform" else UUID(claims["sch"]),
            role=str(claims["role"]),
            family_id=UUID(claims["fam"]),
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except (jwt.PyJWTError, ValueError, TypeError) as error:
        raise TokenInvalid(str(error)) from error


def new_totp_secret() -> str:
    return pyotp.random_base32()


def totp_uri(secret: str, *, email: str, issuer: str = TOTP_ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=issuer)


def totp_time_step(secret: str, code: str) -> int | None:
    """The time-step whose code `code` is (the one before and after now count too, for phones
    whose clock is a little off), or None when it is not a current code. Callers that must not
    accept a code twice remember the step (see services.auth.totp)."""
    code = code.strip().replace(" ", "")
    if not code.isdigit():
        return None
    try:
        return pyotp.TOTP(secret).verify_and_get_timecode(code, valid_window=TOTP_VALID_WINDOW)
    except pyotp.exceptions.OTPVerificationError:
        return None


def verify_totp(secret: str, code: str) -> bool:
    return totp_time_step(secret, code) is not None


def new_recovery_codes(count: int = 8) -> list[str]:
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(count)]


# --- secrets kept in the database --------------------------------------------------------------
# A secret the app must read back (a Paynow integration key) is stored sealed: Fernet (AES-128-CBC
# with HMAC-SHA256) under a key derived from SECRET_KEY, so a database dump alone does not reveal
# it. Changing SECRET_KEY makes sealed secrets unreadable: they are entered again.
SEAL_CONTEXT = b"oneclass sealed secrets v1"


@lru_cache
def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=SHA256(), length=32, salt=None, info=SEAL_CONTEXT).derive(secret_key.encode("utf-8"))
    return Fernet(base64.urlsafe_b64encode(derived))


def seal(plaintext: str) -> str:
    return _fernet(get_settings().secret_key).encrypt(plaintext.encode("utf-8")).decode("ascii")


def unseal(sealed: str) -> str | None:
    """The secret, or None when it was sealed under another SECRET_KEY (or is not a sealed value)."""
    try:
        return _fernet(get_settings().secret_key).decrypt(sealed.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError):
        return None
