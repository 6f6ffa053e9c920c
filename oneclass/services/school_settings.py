"""A school's own settings, changed by its admin on the school's host (never the platform's).

Public functions take the acting user, check `school.*` first and run in one unit of work."""

from typing import Any

from sqlmodel import Session

from models import School
from oneclass.db import unit_of_work
from oneclass.i18n import _
from oneclass.permissions import require
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import get_current_school, language_problem
from oneclass.tenancy import forget_school_route


def _own_school(session: Session) -> School:
    school = get_current_school(session)
    if school is None:
        raise NotFound(_("This school could not be found."))  # a platform account has no school here
    return school


def _record_change(session: Session, school: School, actor: CurrentUser, ip: str, setting: str, old: Any, new: Any) -> None:
    """One settings change in the school's trail: which setting, from what, to what."""
    audit.record(
        session,
        school_id=school.id,
        action=audit.SCHOOL_SETTINGS_CHANGED,
        actor=actor.actor(ip),
        target=school.subdomain,
        detail={setting: {"from": old, "to": new}},
    )


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
        _record_change(session, school, actor, ip, "require_admin_mfa", not enabled, enabled)


def school_language(*, actor: CurrentUser) -> str:
    """The language the actor's school's pages are shown in to whoever has not chosen one."""
    require(actor, "school.read")
    with unit_of_work(actor) as session:
        return _own_school(session).language


def set_school_language(*, actor: CurrentUser, language: str, ip: str) -> str:
    """Set the school's default language (en, sn or nd): its people see their pages in it
    unless they chose another. The school's cached route carries it, so it is forgotten once
    the change is committed: the next page anyone opens is in the new language. Returns the
    language as stored."""
    require(actor, "school.update")
    language = language.strip().lower()
    problem = language_problem(language)
    if problem:
        raise ValidationFailed({"language": problem})
    with unit_of_work(actor) as session:
        school = _own_school(session)
        if school.language == language:
            return language
        old, school.language = school.language, language
        _record_change(session, school, actor, ip, "language", old, language)
    forget_school_route(school)
    return language


def report_positions_shown(*, actor: CurrentUser) -> bool:
    """Whether the school's report cards show class and level positions."""
    require(actor, "school.read")
    with unit_of_work(actor) as session:
        return _own_school(session).show_report_positions


def set_report_positions(*, actor: CurrentUser, shown: bool, ip: str) -> None:
    """Show or hide class and level positions on the school's report cards (every card made
    from now on, and every card downloaded again)."""
    require(actor, "school.update")
    with unit_of_work(actor) as session:
        school = _own_school(session)
        if school.show_report_positions == shown:
            return
        school.show_report_positions = shown
        _record_change(session, school, actor, ip, "show_report_positions", not shown, shown)
