"""The audit trail: record an event, list events with filters and pages."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlmodel import Session, col, func, select

from models import AuditEvent, PlatformAuditEvent
from oneclass.services.paging import Page, like_pattern

# What is audited (the `action` column).
SIGN_IN_SUCCEEDED = "sign_in.succeeded"
SIGN_IN_FAILED = "sign_in.failed"
ACCOUNT_LOCKED = "account.locked"
SIGNED_OUT = "signed_out"
TOKEN_REUSE = "refresh_token.reused"
PASSWORD_CHANGED = "password.changed"
PASSWORD_RESET_ISSUED = "password.reset_issued"
PASSWORD_RESET = "password.reset"
TOTP_ENABLED = "totp.enabled"
TOTP_DISABLED = "totp.disabled"
TOTP_RESET = "totp.reset"  # by an admin, for a user who lost their second factor
ROLE_CHANGED = "user.role_changed"
USER_CREATED = "user.created"
USER_UPDATED = "user.updated"
USER_DEACTIVATED = "user.deactivated"
USER_REACTIVATED = "user.reactivated"
SCHOOL_CREATED = "school.created"
SCHOOL_SUSPENDED = "school.suspended"
SCHOOL_REACTIVATED = "school.reactivated"
SCHOOL_SETTINGS_CHANGED = "school.settings_changed"


@dataclass(frozen=True)
class Actor:
    """Who is acting, for the record (None id: somebody not signed in)."""

    id: UUID | None = None
    email: str | None = None
    ip: str | None = None


def _event_fields(action: str, actor: Actor, target: str | None, detail: dict[str, Any] | None) -> dict[str, Any]:
    """The columns a school event and a platform event share."""
    return {
        "action": action,
        "actor_id": actor.id,
        "actor_email": actor.email,
        "ip": actor.ip,
        "target": target,
        "detail": detail or {},
    }


def record(
    session: Session,
    *,
    school_id: UUID,
    action: str,
    actor: Actor,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an event to a school's trail; `session` is that school's tenant session."""
    session.add(AuditEvent(school_id=school_id, **_event_fields(action, actor, target, detail)))


def record_platform(
    session: Session,
    *,
    action: str,
    actor: Actor,
    school_id: UUID | None = None,
    target: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Append an event to the platform's trail; `session` is a platform session."""
    session.add(PlatformAuditEvent(subject_school_id=school_id, **_event_fields(action, actor, target, detail)))


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""  # a prefix: "sign_in" matches both sign-in outcomes
    actor: str = ""  # part of the actor's email
    since: datetime | None = None
    until: datetime | None = None


def _filtered(model: type[AuditEvent] | type[PlatformAuditEvent], filters: AuditFilter):  # type: ignore[no-untyped-def]
    query = select(model)
    if filters.action:
        query = query.where(col(model.action).startswith(filters.action, autoescape=True))
    if filters.actor:
        query = query.where(col(model.actor_email).ilike(like_pattern(filters.actor), escape="\\"))
    if filters.since:
        query = query.where(col(model.created_at) >= filters.since)
    if filters.until:
        query = query.where(col(model.created_at) < filters.until)
    return query


def _as_row(event: AuditEvent | PlatformAuditEvent, school: str) -> dict[str, Any]:
    return {
        "id": str(event.id),
        "when": event.created_at.strftime("%Y-%m-%d %H:%M:%S UTC"),
        "school": school,
        "actor": event.actor_email or "",
        "action": event.action,
        "target": event.target or "",
        "ip": event.ip or "",
    }


def list_events(session: Session, filters: AuditFilter, *, page: int = 1, per_page: int = 50) -> Page:
    """A school's events, newest first (tenant session: RLS keeps it to that school)."""
    query = _filtered(AuditEvent, filters)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    events = session.exec(
        query.order_by(col(AuditEvent.created_at).desc()).offset((page - 1) * per_page).limit(per_page)
    ).all()
    return Page([_as_row(event, "") for event in events], total)


def list_all_events(
    session: Session, filters: AuditFilter, *, school_names: dict[UUID, str], page: int = 1, per_page: int = 50
) -> Page:
    """Every school's events and the platform's, newest first (platform session)."""
    limit = page * per_page
    school_events = session.exec(
        _filtered(AuditEvent, filters).order_by(col(AuditEvent.created_at).desc()).limit(limit)
    ).all()
    platform_events = session.exec(
        _filtered(PlatformAuditEvent, filters).order_by(col(PlatformAuditEvent.created_at).desc()).limit(limit)
    ).all()
    rows = [(e.created_at, _as_row(e, school_names.get(e.school_id, ""))) for e in school_events]
    rows += [
        (e.created_at, _as_row(e, school_names.get(e.subject_school_id, "Platform") if e.subject_school_id else "Platform"))
        for e in platform_events
    ]
    rows.sort(key=lambda pair: pair[0], reverse=True)
    total = sum(
        session.exec(select(func.count()).select_from(_filtered(model, filters).subquery())).one()
        for model in (AuditEvent, PlatformAuditEvent)
    )
    start = (page - 1) * per_page
    return Page([row for _, row in rows[start : start + per_page]], total)
