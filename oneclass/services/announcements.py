"""Announcements: posted to the whole school, a grade level, a class or a role, with an optional
attachment; read by their audience, counted for their sender.

Who may post: the school's administrators (`communication.manage`) to any audience; a teacher
(`communication.announce`) to a class they teach, checked by `academics.require_class`.

Who is in an audience (`announcement_recipients`, and the same rule as a query in
`_addressed_to`): a class is its enrolled students, their guardians' parent accounts and its
teachers (class teacher and subject teachers); a level is every class of that level this year; a
role is every user with that role; the school is everyone. A parent is in their children's class
and level audiences and in the role 'parent'. Administrators read every announcement of the
school; an author reads their own.

The attachment lives in the object store under the school's key; it is served only by
`attachment()`, which asks the same audience rule. A file is at most `MAX_ATTACHMENT_BYTES` and
one of `ATTACHMENT_TYPES`, recognised by its first bytes (not by the name the browser sent).
"""

import hashlib
import re
from dataclasses import dataclass
from typing import TypedDict
from uuid import UUID, uuid4

from sqlalchemy import ColumnElement, and_, false, or_
from sqlmodel import Session, col, func, select

from models import (
    GRADE_LEVEL_NAMES,
    Announcement,
    AnnouncementRead,
    Audience,
    Enrolment,
    GradeLevel,
    Guardian,
    Role,
    SchoolClass,
    Student,
    StudentGuardian,
    TeachingAssignment,
    User,
)
from oneclass import storage
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_datetime, format_message
from oneclass.permissions import can, require
from oneclass.services import academics, notifications
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page
from oneclass.services.students import class_ids_taught_by, current_year_id

READ = "communication.read"
ANNOUNCE = "communication.announce"
MANAGE = "communication.manage"  # any audience; withdraw anyone's

MAX_TITLE = 200
MAX_BODY = 5000
MAX_ATTACHMENT_BYTES = 5 * 1024 * 1024
# What an attachment may be, known by its first bytes: the type it is served with, its extension.
ATTACHMENT_TYPES: dict[bytes, tuple[str, str]] = {
    b"%PDF-": ("application/pdf", "pdf"),
    b"\x89PNG\r\n\x1a\n": ("image/png", "png"),
    b"\xff\xd8\xff": ("image/jpeg", "jpg"),
}
NO_SUCH_ANNOUNCEMENT = N_("No such announcement.")
AUDIENCE_LABELS = {
    Audience.school: N_("Whole school"),
    Audience.level: N_("Grade level"),
    Audience.class_: N_("Class"),
    Audience.role: N_("Role"),
}
ROLE_AUDIENCES = {
    Role.school_admin.value: N_("School admins"),
    Role.teacher.value: N_("Teachers"),
    Role.student.value: N_("Students"),
    Role.parent.value: N_("Parents"),
    Role.staff.value: N_("Staff"),
}
NOBODY = UUID(int=0)


def _school(actor: CurrentUser) -> UUID:
    if actor.school_id is None:
        raise NotFound(_(NO_SUCH_ANNOUNCEMENT))
    return actor.school_id


@dataclass(frozen=True)
class Attachment:
    name: str
    data: bytes


@dataclass(frozen=True)
class AnnouncementInput:
    audience: str  # an Audience value
    target: str  # the grade level, the class id or the role; "" for the whole school
    title: str
    body: str
    attachment: Attachment | None = None


class AnnouncementRow(TypedDict):
    id: str
    title: str
    body: str
    audience: str  # who it is for, in the reader's language
    author: str
    posted: str
    attachment: str  # the file's name, "" for none
    unread: bool
    mine: bool  # the reader may see its read count and withdraw it
    reads: int
    recipients: int


class AudienceChoices(TypedDict):
    audiences: dict[str, str]  # Audience value: label (English, shown with t())
    levels: dict[str, str]
    classes: dict[str, str]
    roles: dict[str, str]


# --- who is in an audience ------------------------------------------------------------------


def _this_years_classes(session: Session) -> ColumnElement[bool]:
    year = current_year_id(session)
    return col(SchoolClass.academic_year_id) == year if year else col(SchoolClass.id).isnot(None)


def _members_of_classes(session: Session, class_ids: set[UUID]) -> set[UUID]:
    """The users of some classes: their students, their students' guardians, their teachers."""
    ids = class_ids or {NOBODY}
    students = select(Enrolment.student_id).where(col(Enrolment.class_id).in_(ids))
    members = set(session.exec(select(Student.user_id).where(col(Student.id).in_(students), col(Student.user_id).isnot(None))).all())
    members |= set(
        session.exec(
            select(Guardian.user_id)
            .join(StudentGuardian, col(StudentGuardian.guardian_id) == Guardian.id)
            .where(col(StudentGuardian.student_id).in_(students), col(Guardian.user_id).isnot(None))
        ).all()
    )
    members |= set(session.exec(select(TeachingAssignment.teacher_id).where(col(TeachingAssignment.class_id).in_(ids))).all())
    members |= set(session.exec(select(SchoolClass.class_teacher_id).where(col(SchoolClass.id).in_(ids), col(SchoolClass.class_teacher_id).isnot(None))).all())
    return {member for member in members if member is not None}


def announcement_recipients(session: Session, announcement: Announcement) -> list[UUID]:
    """The active users an announcement is addressed to: the hook a notification sender calls
    (inside the caller's transaction, on the announcement's school)."""
    users = select(User.id).where(User.is_active)
    if announcement.audience == Audience.role:
        users = users.where(User.role == announcement.role)
    elif announcement.audience == Audience.class_:
        users = users.where(col(User.id).in_(_members_of_classes(session, {announcement.class_id or NOBODY}) or {NOBODY}))
    elif announcement.audience == Audience.level:
        classes = set(session.exec(select(SchoolClass.id).where(SchoolClass.grade_level == announcement.grade_level, _this_years_classes(session))).all())
        users = users.where(col(User.id).in_(_members_of_classes(session, classes) or {NOBODY}))
    return list(session.exec(users.order_by(col(User.id))).all())


def _classes_of(session: Session, actor: CurrentUser) -> set[UUID]:
    """The classes whose announcements reach the actor: a teacher's, a student's own, a parent's
    children's."""
    if actor.role == Role.teacher:
        return class_ids_taught_by(session, actor.id)
    if actor.role == Role.student:
        students = select(Student.id).where(Student.user_id == actor.id)
    elif actor.role == Role.parent:
        students = (
            select(StudentGuardian.student_id)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .where(Guardian.user_id == actor.id)
        )
    else:
        return set()
    return set(session.exec(select(Enrolment.class_id).where(col(Enrolment.student_id).in_(students))).all())


def _addressed_to(session: Session, actor: CurrentUser) -> ColumnElement[bool]:
    """The announcements the actor may read: every one for an administrator, else those whose
    audience holds them, and their own."""
    if can(actor, MANAGE):
        return col(Announcement.id).isnot(None)
    class_ids = _classes_of(session, actor)
    levels = set(
        session.exec(select(SchoolClass.grade_level).where(col(SchoolClass.id).in_(class_ids or {NOBODY}), _this_years_classes(session))).all()
    )
    return or_(
        col(Announcement.audience) == Audience.school,
        col(Announcement.author_id) == actor.id,
        and_(col(Announcement.audience) == Audience.role, col(Announcement.role) == actor.role),
        and_(col(Announcement.audience) == Audience.class_, col(Announcement.class_id).in_(class_ids)) if class_ids else false(),
        and_(col(Announcement.audience) == Audience.level, col(Announcement.grade_level).in_(levels)) if levels else false(),
    )


def _readable(session: Session, actor: CurrentUser, announcement_id: UUID) -> Announcement:
    found = session.exec(select(Announcement).where(Announcement.id == announcement_id, _addressed_to(session, actor))).first()
    if found is None:
        raise NotFound(_(NO_SUCH_ANNOUNCEMENT))
    return found


# --- posting ---------------------------------------------------------------------------------


def audience_choices(*, actor: CurrentUser) -> AudienceChoices:
    """What the actor may address: an administrator anything, a teacher the classes they teach."""
    require(actor, ANNOUNCE)
    with unit_of_work(actor) as session:
        visible = None if can(actor, MANAGE) else class_ids_taught_by(session, actor.id)
        query = select(SchoolClass.id, SchoolClass.name).where(_this_years_classes(session)).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))
        if visible is not None:
            query = query.where(col(SchoolClass.id).in_(visible or {NOBODY}))
        classes = {str(class_id): name for class_id, name in session.exec(query).all()}
        levels = sorted(set(session.exec(select(SchoolClass.grade_level).where(_this_years_classes(session))).all()), key=lambda level: list(GradeLevel).index(GradeLevel(level)))
    if visible is not None:
        return AudienceChoices(audiences={Audience.class_.value: AUDIENCE_LABELS[Audience.class_]}, levels={}, classes=classes, roles={})
    return AudienceChoices(
        audiences={audience.value: label for audience, label in AUDIENCE_LABELS.items()},
        levels={level: GRADE_LEVEL_NAMES[GradeLevel(level)] for level in levels},
        classes=classes,
        roles=dict(ROLE_AUDIENCES),
    )


def _checked_attachment(attachment: Attachment) -> tuple[str, str]:
    """The attachment's type and a safe file name; ValidationFailed for a file too large or of a
    type not taken."""
    if not attachment.data:
        raise ValidationFailed({"attachment": _("The file is empty.")})
    if len(attachment.data) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed({"attachment": format_message("The file is larger than {size} MB.", size=MAX_ATTACHMENT_BYTES // (1024 * 1024))})
    kind = next((found for magic, found in ATTACHMENT_TYPES.items() if attachment.data.startswith(magic)), None)
    if kind is None:
        raise ValidationFailed({"attachment": _("Attach a PDF, PNG or JPEG file.")})
    content_type, extension = kind
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", attachment.name.rsplit(".", 1)[0]).strip(".-")[:80] or "attachment"
    return content_type, f"{stem}.{extension}"


def _validated(session: Session, actor: CurrentUser, data: AnnouncementInput) -> Announcement:
    errors: dict[str, str] = {}
    title, body = data.title.strip(), data.body.strip()
    if not title or len(title) > MAX_TITLE:
        errors["title"] = format_message("Give a title of at most {count} characters.", count=MAX_TITLE)
    if not body or len(body) > MAX_BODY:
        errors["body"] = format_message("Write the announcement, at most {count} characters.", count=MAX_BODY)
    announcement = Announcement(school_id=_school(actor), author_id=actor.id, audience=Audience.school, title=title, body=body)
    try:
        audience = Audience(data.audience)
    except ValueError:
        errors["audience"] = _("Choose who the announcement is for.")
        raise ValidationFailed(errors) from None
    if audience != Audience.class_ and not can(actor, MANAGE):
        errors["audience"] = _("You may announce only to the classes you teach.")
    announcement.audience = audience
    if audience == Audience.level:
        if data.target not in {level.value for level in GradeLevel}:
            errors["target"] = _("Choose a grade level.")
        announcement.grade_level = data.target
    elif audience == Audience.role:
        if data.target not in ROLE_AUDIENCES:
            errors["target"] = _("Choose a role.")
        announcement.role = data.target
    elif audience == Audience.class_:
        try:
            class_id = UUID(data.target)
        except ValueError:
            errors["target"] = _("Choose a class.")
        else:
            academics.require_class(session, actor, ANNOUNCE, class_id)  # a class not theirs: not found
            announcement.class_id = class_id
    if errors:
        raise ValidationFailed(errors)
    return announcement


def post_announcement(*, actor: CurrentUser, data: AnnouncementInput) -> str:
    """Post an announcement (and keep its attachment); returns its id. Nothing is kept when
    anything is refused."""
    require(actor, ANNOUNCE)
    checked = _checked_attachment(data.attachment) if data.attachment is not None else None
    key = None
    try:
        with unit_of_work(actor) as session:
            announcement = _validated(session, actor, data)
            announcement.id = uuid4()
            if data.attachment is not None and checked is not None and actor.school_id is not None:
                digest = hashlib.sha256(data.attachment.data).hexdigest()[:16]
                key = storage.school_key(actor.school_id, "announcements", f"{announcement.id}-{digest}")
                announcement.attachment_key, announcement.attachment_type, announcement.attachment_name = key, *checked
                announcement.attachment_size = len(data.attachment.data)
                storage.put(actor, key, data.attachment.data, checked[0])
            session.add(announcement)
            session.flush()
            # Its audience hears of it in their notifications (and by mail, those who chose it);
            # the notices commit with it and are sent after.
            audience = [user_id for user_id in announcement_recipients(session, announcement) if user_id != actor.id]
            notifications.notify_users(session, announcement.school_id, audience, "announcement", str(announcement.id), announcement.title, announcement.body)
    except Exception:
        if key:
            storage.delete(actor, key)  # the row was not kept: neither is its file
        raise
    return str(announcement.id)


def withdraw_announcement(*, actor: CurrentUser, announcement_id: UUID) -> None:
    """Remove an announcement (its author, or an administrator) with its reads and its file."""
    require(actor, ANNOUNCE)
    with unit_of_work(actor) as session:
        announcement = session.get(Announcement, announcement_id)
        if announcement is None or not (can(actor, MANAGE) or announcement.author_id == actor.id):
            raise NotFound(_(NO_SUCH_ANNOUNCEMENT))
        key = announcement.attachment_key
        session.delete(announcement)
    if key:
        storage.delete(actor, key)  # after the commit: a refused delete keeps its file


# --- reading ---------------------------------------------------------------------------------


def _audience_label(announcement: Announcement, class_names: dict[UUID, str]) -> str:
    if announcement.audience == Audience.level and announcement.grade_level:
        return _(GRADE_LEVEL_NAMES[GradeLevel(announcement.grade_level)])
    if announcement.audience == Audience.class_ and announcement.class_id:
        return class_names.get(announcement.class_id, "")
    if announcement.audience == Audience.role and announcement.role:
        return _(ROLE_AUDIENCES[announcement.role])
    return _(AUDIENCE_LABELS[Audience.school])


def _rows(session: Session, actor: CurrentUser, found: list[Announcement]) -> list[AnnouncementRow]:
    ids = [a.id for a in found] or [NOBODY]
    read_by_me = set(session.exec(select(AnnouncementRead.announcement_id).where(col(AnnouncementRead.announcement_id).in_(ids), AnnouncementRead.user_id == actor.id)).all())
    read_counts: dict[UUID, int] = dict(
        session.exec(select(AnnouncementRead.announcement_id, func.count()).where(col(AnnouncementRead.announcement_id).in_(ids)).group_by(col(AnnouncementRead.announcement_id))).all()
    )
    authors = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_({a.author_id for a in found if a.author_id} or {NOBODY}))).all())
    class_names = dict(session.exec(select(SchoolClass.id, SchoolClass.name).where(col(SchoolClass.id).in_({a.class_id for a in found if a.class_id} or {NOBODY}))).all())
    rows = []
    for announcement in found:
        mine = announcement.author_id == actor.id or can(actor, MANAGE)
        rows.append(
            AnnouncementRow(
                id=str(announcement.id), title=announcement.title, body=announcement.body,
                audience=_audience_label(announcement, class_names), author=authors.get(announcement.author_id or NOBODY, ""),
                posted=format_datetime(announcement.created_at), attachment=announcement.attachment_name or "",
                unread=announcement.id not in read_by_me and announcement.author_id != actor.id, mine=mine,
                reads=read_counts.get(announcement.id, 0) if mine else 0, recipients=len(announcement_recipients(session, announcement)) if mine else 0,
            )
        )
    return rows


def _newest_first(session: Session, actor: CurrentUser, offset: int, limit: int) -> tuple[list[Announcement], int]:
    addressed = _addressed_to(session, actor)
    total = session.exec(select(func.count()).select_from(Announcement).where(addressed)).one()
    found = session.exec(select(Announcement).where(addressed).order_by(col(Announcement.created_at).desc(), col(Announcement.id)).offset(offset).limit(limit)).all()
    return list(found), total


def read_announcements(*, actor: CurrentUser, page: int = 1, per_page: int = 10, mark_read: bool = True) -> Page:
    """A page of the announcements addressed to the actor, newest first. Shown whole on the
    page, they count as read by the actor from now on (the sender's read counts); an integrator
    listing them (`mark_read=False`) reads nothing for the person."""
    require(actor, READ)
    per_page = min(max(per_page, 1), 100)
    with unit_of_work(actor) as session:
        found, total = _newest_first(session, actor, (max(page, 1) - 1) * per_page, per_page)
        rows = _rows(session, actor, found)
        for row in rows if mark_read else []:
            if row["unread"]:
                session.add(AnnouncementRead(school_id=_school(actor), announcement_id=UUID(row["id"]), user_id=actor.id))
    return Page(rows=[dict(row) for row in rows], total=total)


def latest_announcements(*, actor: CurrentUser, limit: int = 3) -> list[AnnouncementRow]:
    """The newest announcements addressed to the actor (a dashboard's card); reading them here
    marks nothing read."""
    require(actor, READ)
    with unit_of_work(actor) as session:
        found, _total = _newest_first(session, actor, 0, limit)
        return _rows(session, actor, found)


def attachment(*, actor: CurrentUser, announcement_id: UUID) -> tuple[str, str, bytes]:
    """An announcement's file (name, type, bytes), for a reader in its audience only."""
    require(actor, READ)
    with unit_of_work(actor) as session:
        announcement = _readable(session, actor, announcement_id)
        if not announcement.attachment_key or not announcement.attachment_name:
            raise NotFound(_(storage.NO_SUCH_FILE))
        name, content_type, key = announcement.attachment_name, announcement.attachment_type or "application/octet-stream", announcement.attachment_key
    return name, content_type, storage.get(actor, key)
