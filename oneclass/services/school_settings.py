"""A school's own settings, changed by its admin on the school's host (never the platform's).

Public functions take the acting user, check `school.*` first and run in one unit of work."""

import hashlib
from typing import Any

from sqlmodel import Session

from models import School
from oneclass import storage
from oneclass.db import unit_of_work
from oneclass.i18n import _, format_message
from oneclass.permissions import require
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import get_current_school, language_problem
from oneclass.tenancy import forget_school_route

MAX_LOGO_BYTES = 1024 * 1024


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


def registers_taken_per_lesson(*, actor: CurrentUser) -> bool:
    """Whether the school takes a register per lesson (False: once a day, the default)."""
    require(actor, "school.read")
    with unit_of_work(actor) as session:
        return _own_school(session).registers_per_lesson


def set_registers_per_lesson(*, actor: CurrentUser, per_lesson: bool, ip: str) -> None:
    """Take registers per lesson of the timetable, or once a day. Registers already taken stay
    as they were (daily ones keep counting in the rates either way)."""
    require(actor, "school.update")
    with unit_of_work(actor) as session:
        school = _own_school(session)
        if school.registers_per_lesson == per_lesson:
            return
        school.registers_per_lesson = per_lesson
        _record_change(session, school, actor, ip, "registers_per_lesson", not per_lesson, per_lesson)


def _logo_type(content: bytes) -> str:
    """The image type the bytes are (by their first bytes, not the name a browser sends)."""
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return ""


def school_logo(*, actor: CurrentUser) -> tuple[bytes, str] | None:
    """The school's logo (as on its report cards) and its type; None when it has none."""
    require(actor, "school.read")
    with unit_of_work(actor) as session:
        key = _own_school(session).logo_key
    if not key:
        return None
    try:
        content = storage.get(actor, key)
    except NotFound:
        return None
    return content, _logo_type(content) or "image/png"


def set_school_logo(*, actor: CurrentUser, content: bytes, ip: str) -> None:
    """The school's logo for its report cards: a PNG or JPEG image of at most 1 MB, kept in
    storage under the school's key (the old file is removed once the new one is named)."""
    require(actor, "school.update")
    if not _logo_type(content):
        raise ValidationFailed({"logo": _("Upload a PNG or JPEG image.")})
    if len(content) > MAX_LOGO_BYTES:
        raise ValidationFailed({"logo": format_message("The logo must be {size} MB or smaller.", size=MAX_LOGO_BYTES // (1024 * 1024))})
    assert actor.school_id is not None
    key = storage.school_key(actor.school_id, "logo", f"logo-{hashlib.sha256(content).hexdigest()[:16]}")
    with unit_of_work(actor) as session:
        school = _own_school(session)
        storage.put(actor, key, content, _logo_type(content))  # the file first: the row never names a missing file
        replaced = school.logo_key if school.logo_key != key else None
        _record_change(session, school, actor, ip, "logo_key", school.logo_key, key)
        school.logo_key = key
    if replaced:
        storage.delete(actor, replaced)
