"""Users of a school, and the platform's super admins."""

from uuid import UUID

from sqlmodel import Session, func, select

from models import PlatformUser, Role, User
from oneclass.security import hash_password


def create_user(
    session: Session,
    *,
    school_id: UUID,
    email: str,
    full_name: str,
    role: Role,
    password: str | None = None,
) -> User:
    """Add a user to a school; `session` is that school's tenant session."""
    user = User(
        school_id=school_id,
        email=email.strip().lower(),
        full_name=full_name.strip(),
        role=role,
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    return user


def count_users(session: Session) -> int:
    return session.exec(select(func.count()).select_from(User)).one()


def create_platform_user(
    session: Session, *, email: str, full_name: str, password: str
) -> PlatformUser:
    """Add a super admin; `session` must be one allowed to write `platform_users`."""
    user = PlatformUser(
        email=email.strip().lower(), full_name=full_name.strip(), password_hash=hash_password(password)
    )
    session.add(user)
    session.flush()
    return user
