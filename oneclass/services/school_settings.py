"""A school's own settings, changed by its admin on the school's host (never the platform's).

Public functions take the acting user, check `school.*` first and run in one unit of work."""

from sqlmodel import Session

from models import School
from oneclass.db import unit_of_work
from oneclass.permissions import require
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound
from oneclass.services.schools import get_current_school


def _own_school(session: Session) -> School:
    school = get_current_school(session)
    if school is None:
        raise NotFound("This school could not be found.")  # a platform account has no school here
    return school


def admin_mfa_required(*, actor: CurrentUser) -> bool:
    """Whether the actor's school makes its administrators use a second factor."""
    require(actor, "school.read")
    with unit_of_work(actor) as session:
        return _own_school(session).require_admin_mfa


def set_require_admin_mfa(*, actor: CurrentUser, enabled: bool, ip: str) -> None:
    """Turn the second-factor rule for administrators on or off. It applies from each admin's
    next event (the acting admin's too): until they enrol, the guard sends them to enrolment."""
    require(actor, "school.update")
    with unit_of_work(actor) as session:
        school = _own_school(session)
        if school.require_admin_mfa == enabled:
            return
        school.require_admin_mfa = enabled
        audit.record(
            session,
            school_id=school.id,
            action=audit.SCHOOL_SETTINGS_CHANGED,
            actor=actor.actor(ip),
            target=school.subdomain,
            detail={"require_admin_mfa": {"from": not enabled, "to": enabled}},
        )
