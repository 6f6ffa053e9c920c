"""The audit trail: record an event (inside the caller's transaction), and list a school's
events with filters and pages for its administrators (`list_events`, the one public reader)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlmodel import Session, col, func, select

from models import AuditEvent, PlatformAuditEvent
from oneclass.db import InSchool, platform_unit_of_work, unit_of_work
from oneclass.i18n import N_, _
from oneclass.permissions import HasRole, require
from oneclass.services.paging import Page, like_pattern

PER_PAGE_MAX = 100

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
SCHOOL_EXPORTED = "school.exported"  # `oneclass school export`: the whole school, to a file
SCHOOL_IMPORTED = "school.imported"
REGISTER_CHANGED = "attendance.register_changed"  # a register of a day that is over

# What each action means, in English (message ids): the pages show it with t() beside the
# stored action, which stays as recorded. An action without a label shows as recorded only.
EXPORTED = "data.exported"

ACTION_LABELS: dict[str, str] = {
    SIGN_IN_SUCCEEDED: N_("Signed in"),
    SIGN_IN_FAILED: N_("Sign-in failed"),
    ACCOUNT_LOCKED: N_("Account locked"),
    SIGNED_OUT: N_("Signed out"),
    TOKEN_REUSE: N_("Reused sign-in token refused"),
    PASSWORD_CHANGED: N_("Password changed"),
    PASSWORD_RESET_ISSUED: N_("Password reset link issued"),
    PASSWORD_RESET: N_("Password reset"),
    TOTP_ENABLED: N_("Two-step sign-in turned on"),
    TOTP_DISABLED: N_("Two-step sign-in turned off"),
    TOTP_RESET: N_("Two-step sign-in reset by an administrator"),
    ROLE_CHANGED: N_("Role changed"),
    USER_CREATED: N_("User added"),
    USER_UPDATED: N_("User changed"),
    USER_DEACTIVATED: N_("User deactivated"),
    USER_REACTIVATED: N_("User reactivated"),
    SCHOOL_CREATED: N_("School created"),
    SCHOOL_SUSPENDED: N_("School suspended"),
    SCHOOL_REACTIVATED: N_("School reactivated"),
    SCHOOL_SETTINGS_CHANGED: N_("School settings changed"),
    SCHOOL_EXPORTED: N_("School exported"),
    SCHOOL_IMPORTED: N_("School imported"),
    "student.created": N_("Student added"),
    "student.updated": N_("Student changed"),
    "student.status_changed": N_("Student status changed"),
    "staff.updated": N_("Staff member changed"),
    "staff.duty_changed": N_("Duty given or taken"),
    "students.imported": N_("Students imported"),
    "staff.imported": N_("Staff imported"),
    "users.imported": N_("Users imported"),
    REGISTER_CHANGED: N_("Past register changed"),
    "fees.payment_taken": N_("Payment taken"),
    "fees.payment_reversed": N_("Payment reversed"),
    "fees.invoices_issued": N_("Invoices issued"),
    "fees.paynow_integration_changed": N_("Paynow integration changed"),
    "fees.paynow_flagged": N_("Online payment flagged for checking"),
    "fees.arrears_exported": N_("Arrears exported"),
    "data.exported": N_("List exported"),
    "fees.adjustment_added": N_("Discount or bursary added"),
    "fees.sponsor_added": N_("Sponsor added"),
}
PLATFORM = N_("Platform")  # the "school" of the platform's own events


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


class Exporter(Protocol):
    """Whoever downloads a list (a signed-in user: `CurrentUser`)."""

    @property
    def school_id(self) -> UUID | None: ...

    def actor(self, ip: str | None = None) -> Actor: ...


def record_export(*, actor: Exporter, what: str, rows: int, file_format: str, ip: str | None = None) -> None:
    """Put a list's download on the record (which list, how many rows, which format): the files
    hold personal data, and every export of it is audited (Zimbabwe's Cyber and Data Protection
    Act). The caller has checked that `actor` may export the list; a super admin's export goes
    to the platform's trail."""
    detail = {"list": what, "rows": rows, "format": file_format}
    if actor.school_id is None:
        with platform_unit_of_work() as session:
            record_platform(session, action=EXPORTED, actor=actor.actor(ip), detail=detail)
        return
    with unit_of_work(actor) as session:
        record(session, school_id=actor.school_id, action=EXPORTED, actor=actor.actor(ip), detail=detail)


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
        "action_label": ACTION_LABELS.get(event.action, ""),
        "target": event.target or "",
        "ip": event.ip or "",
    }


class Reader(HasRole, InSchool, Protocol):
    """Who reads a school's trail (a `CurrentUser`; named by shape, since CurrentUser's own
    module builds on this one's `Actor`)."""


def list_events(*, actor: Reader, filters: AuditFilter, page: int = 1, per_page: int = 50) -> Page:
    """One page of the actor's school's events, newest first (never cached: the trail is
    written by every sign-in, and what the admin sees must be what happened)."""
    require(actor, "audit.read")
    with unit_of_work(actor) as session:
        return query_events(session, filters, page=page, per_page=per_page)


def query_events(session: Session, filters: AuditFilter, *, page: int = 1, per_page: int = 50) -> Page:
    """A school's events, newest first (tenant session: RLS keeps it to that school)."""
    page, per_page = max(page, 1), min(max(per_page, 1), PER_PAGE_MAX)
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
        (e.created_at, _as_row(e, school_names.get(e.subject_school_id, _(PLATFORM)) if e.subject_school_id else _(PLATFORM)))
        for e in platform_events
    ]
    rows.sort(key=lambda pair: pair[0], reverse=True)
    total = sum(
        session.exec(select(func.count()).select_from(_filtered(model, filters).subquery())).one()
        for model in (AuditEvent, PlatformAuditEvent)
    )
    start = (page - 1) * per_page
    return Page([row for _, row in rows[start : start + per_page]], total)
