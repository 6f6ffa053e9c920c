"""Passwords: a user changing their own, an admin issuing a one-time reset link, and spending it.

Changing the password ends every other sign-in of the user (whoever holds a stolen session is
put out), and a reset ends all of them. A new reset link voids the user's older ones, and the
raw link is never stored: the admin sees it once on screen, the database keeps its hash.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from sqlalchemy import text, update
from sqlmodel import col, select

from models import OutgoingMail, PasswordResetToken, User
from oneclass import i18n, routes
from oneclass.current_user import CurrentUser
from oneclass.i18n import _, format_message
from oneclass.permissions import require
from oneclass.security import (
    hash_password,
    hash_token,
    new_opaque_token,
    password_problem,
    verify_password,
)
from oneclass.services import audit
from oneclass.services.audit import Actor
from oneclass.services.auth.accounts import (
    NO_SUCH_USER,
    AuthError,
    HostSchool,
    account_unit_of_work,
    end_sign_ins,
    load_account,
    now,
    record,
)
from oneclass.services.auth.lockout import clear_failures, reentered_ok
from oneclass.settings import get_settings


def change_password(*, actor: CurrentUser, current_password: str, new_password: str, ip: str) -> None:
    """Set a new password (the current one proves it is the owner, not a stolen session) and
    end every other sign-in of the user; this one carries on."""
    with account_unit_of_work(actor.school_id) as session:
        account = load_account(session, actor)
        if not reentered_ok(actor.school_id, account.email, ip, lambda: verify_password(account.password_hash, current_password)):
            raise AuthError("invalid_credentials", _("Your current password is not right."))
        problem = password_problem(new_password, email=account.email)
        if problem:
            raise AuthError("weak_password", problem)
        account.password_hash = hash_password(new_password)
        account.password_changed_at = now()
        end_sign_ins(session, actor.school_id, account.id, keep=actor.family_id)
        record(session, actor.school_id, audit.PASSWORD_CHANGED, actor.actor(ip), target=account.email)


def issue_password_reset(*, admin: CurrentUser, user_id: UUID, ip: str) -> str:
    """A one-time link, valid for a day, for a user of the admin's school; any older link of
    theirs stops working. The link's address is the school's own, from settings; the mail
    logged for the user says a link was made, without the link (only the admin sees it)."""
    require(admin, "users.update")
    if admin.school_id is None:
        raise AuthError("not_found", _(NO_SUCH_USER))
    token = new_opaque_token()
    hours = get_settings().password_reset_hours
    with account_unit_of_work(admin.school_id) as session:
        user = session.get(User, user_id)
        if user is None:
            raise AuthError("not_found", _(NO_SUCH_USER))
        session.execute(
            update(PasswordResetToken)
            .where(col(PasswordResetToken.user_id) == user.id, col(PasswordResetToken.used_at).is_(None))
            .values(used_at=now())
        )
        session.add(
            PasswordResetToken(
                school_id=admin.school_id,
                user_id=user.id,
                token_hash=hash_token(token),
                expires_at=now() + timedelta(hours=hours),
                created_by=admin.id,
            )
        )
        subdomain, school_language = session.connection().execute(text("SELECT subdomain, language FROM schools")).one()
        origin = routes.school_origin(subdomain)
        # The mail is read by the user, in their language (else their school's), not the admin's.
        with i18n.language(user.language or school_language):
            session.add(
                OutgoingMail(
                    school_id=admin.school_id,
                    recipient=user.email,
                    subject=_("Reset your OneClass password"),
                    body=format_message(
                        "Hello {name},\n\n{admin} has made you a link to set a new OneClass password at {origin}. "
                        "They will give it to you themselves; it works once, within {hours} hours.\n"
                        "If you did not ask for it, tell your school's office.\n",
                        name=user.full_name,
                        admin=admin.full_name,
                        origin=origin,
                        hours=hours,
                    ),
                )
            )
        record(session, admin.school_id, audit.PASSWORD_RESET_ISSUED, admin.actor(ip), target=user.email)
    return f"{origin}{routes.RESET_PASSWORD}?token={token}"


def reset_password(*, school: HostSchool, token: str, new_password: str, ip: str) -> None:
    """Spend a reset link: set the password, end every sign-in of that user, lift any lockout."""
    refused = AuthError("token_invalid", _("This reset link is invalid, used or expired. Ask your administrator for a new one."))
    with account_unit_of_work(school.id) as session:
        row = session.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == hash_token(token))).first()
        if row is None or row.used_at is not None or row.expires_at < now():
            raise refused
        user = session.get(User, row.user_id)
        if user is None:
            raise refused
        problem = password_problem(new_password, email=user.email)
        if problem:
            raise AuthError("weak_password", problem)
        row.used_at = now()
        user.password_hash = hash_password(new_password)
        user.password_changed_at = now()
        end_sign_ins(session, school.id, user.id)
        record(session, school.id, audit.PASSWORD_RESET, Actor(user.id, user.email, ip), target=user.email)
        email = user.email
    clear_failures(school.id, email)
