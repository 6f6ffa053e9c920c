"""Messages: threads between two people of a school, and each reader's unread count.

Who may start a thread with whom (`may_start`), checked here and nowhere else:
- a school administrator (`communication.manage`): anyone active in their school who can read
  messages (parents, teachers, administrators: students and staff hold no messages);
- a teacher: the guardians (with a parent account) of the students of the classes they teach
  or lead (`students.class_ids_taught_by`);
- a parent: the teachers of their children's classes (class teacher and subject teachers) and
  the school's administrators.
Students and staff hold no `communication.message`. A reply is allowed while either side may
still start a thread with the other (an administrator writes to a teacher, the teacher answers);
a person outside that rule, or of another school, finds no such thread or no such person.

The unread count is cheap to ask for: every change of what a user has unread (a message to them,
their reading a thread) moves a per-user version in Redis (`unread_version`); the navigation's
periodic poll reads only that version and counts in PostgreSQL only when it has moved
(`bench/messages.py` measures both). Without Redis the poll counts every time.
"""

from dataclasses import dataclass
from typing import TypedDict
from uuid import UUID

import redis
from sqlalchemy import ColumnElement, and_, or_
from sqlmodel import Session, col, func, select

from models import (
    Enrolment,
    Guardian,
    Message,
    MessageThread,
    Role,
    SchoolClass,
    StudentGuardian,
    TeachingAssignment,
    ThreadParticipant,
    User,
)
from oneclass import cache
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_datetime, format_message
from oneclass.permissions import can, require, role_can
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page, like_pattern
from oneclass.services.students import class_ids_taught_by

MESSAGE = "communication.message"
ANYONE = "communication.manage"  # the administrators write to anyone of the school
MAX_SUBJECT = 200
MAX_BODY = 5000
THREAD_MESSAGES = 200  # the newest messages an opened thread shows
CONTACTS_SHOWN = 50
NO_SUCH_THREAD = N_("No such conversation.")
NO_SUCH_PERSON = N_("You cannot write to that person.")
NOBODY = UUID(int=0)
# The roles that hold `communication.message`, so can read and answer: whom an administrator reaches.
WRITERS = [role.value for role in Role if role != Role.super_admin and role_can(role.value, MESSAGE)]


def _school(actor: CurrentUser) -> UUID:
    if actor.school_id is None:
        raise NotFound(_(NO_SUCH_THREAD))
    return actor.school_id
ROLE_NAMES = {
    Role.school_admin.value: N_("School Admin"),
    Role.teacher.value: N_("Teacher"),
    Role.student.value: N_("Student"),
    Role.parent.value: N_("Parent"),
    Role.staff.value: N_("Staff"),
}


class Contact(TypedDict):
    id: str
    name: str
    role: str  # English (a message id): shown with t()


class ThreadMessage(TypedDict):
    id: str
    sender: str
    mine: bool
    body: str
    sent: str


@dataclass(frozen=True)
class OpenedThread:
    id: str
    subject: str
    other: str
    messages: list[ThreadMessage]


# --- who may write to whom --------------------------------------------------------------------


def _guardian_users_of_classes(class_ids: set[UUID]) -> ColumnElement[bool]:
    """User ids of the parent accounts of the students of some classes."""
    students = select(Enrolment.student_id).where(col(Enrolment.class_id).in_(class_ids or {NOBODY}))
    guardians = (
        select(Guardian.user_id)
        .join(StudentGuardian, col(StudentGuardian.guardian_id) == Guardian.id)
        .where(col(StudentGuardian.student_id).in_(students), col(Guardian.user_id).isnot(None))
    )
    return and_(col(User.role) == Role.parent.value, col(User.id).in_(guardians))


def _teachers_of_children(parent_id: UUID) -> ColumnElement[bool]:
    children = select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent_id)
    classes = select(Enrolment.class_id).where(col(Enrolment.student_id).in_(children))
    taught = select(TeachingAssignment.teacher_id).where(col(TeachingAssignment.class_id).in_(classes))
    led = select(SchoolClass.class_teacher_id).where(col(SchoolClass.id).in_(classes))
    return and_(col(User.role) == Role.teacher.value, or_(col(User.id).in_(taught), col(User.id).in_(led)))


def _contacts_filter(session: Session, actor: CurrentUser) -> ColumnElement[bool]:
    """Whom the actor may start a thread with, as a condition on `users`."""
    others = and_(col(User.is_active).is_(True), col(User.id) != actor.id)
    if can(actor, ANYONE):
        return and_(others, col(User.role).in_(WRITERS))
    if actor.role == Role.teacher:
        return and_(others, _guardian_users_of_classes(class_ids_taught_by(session, actor.id)))
    if actor.role == Role.parent:
        return and_(others, or_(_teachers_of_children(actor.id), col(User.role) == Role.school_admin.value))
    return col(User.id).is_(None)  # nobody


def may_start(session: Session, actor: CurrentUser, recipient_id: UUID) -> bool:
    """May the actor start a thread with this user of their school?"""
    return can(actor, MESSAGE) and session.exec(select(User.id).where(User.id == recipient_id, _contacts_filter(session, actor))).first() is not None


def may_write(session: Session, actor: CurrentUser, other_id: UUID) -> bool:
    """A reply's rule: either side may still start a thread with the other."""
    if may_start(session, actor, other_id):
        return True
    other = session.get(User, other_id)
    if other is None or not other.is_active or not can(actor, MESSAGE):
        return False
    as_other = CurrentUser(id=other.id, school_id=other.school_id, email=other.email, full_name=other.full_name, role=other.role, family_id=NOBODY, duties=tuple(other.duties))
    return may_start(session, as_other, actor.id)


def contacts(*, actor: CurrentUser, search: str = "") -> list[Contact]:
    """The people the actor may write to, by name (the first `CONTACTS_SHOWN` matching `search`)."""
    require(actor, MESSAGE)
    with unit_of_work(actor) as session:
        query = select(User.id, User.full_name, User.role).where(_contacts_filter(session, actor))
        if search.strip():
            query = query.where(col(User.full_name).ilike(like_pattern(search.strip()[:100]), escape="\\"))
        found = session.exec(query.order_by(col(User.full_name), col(User.id)).limit(CONTACTS_SHOWN)).all()
    return [Contact(id=str(user_id), name=name, role=ROLE_NAMES.get(role, role)) for user_id, name, role in found]


# --- writing ---------------------------------------------------------------------------------


def _checked_body(body: str) -> str:
    text = body.strip()
    if not text or len(text) > MAX_BODY:
        raise ValidationFailed({"body": format_message("Write a message of at most {count} characters.", count=MAX_BODY)})
    return text


def _post(session: Session, actor: CurrentUser, thread: MessageThread, body: str) -> list[UUID]:
    """Add the message; the thread is read by its sender. Returns the other participants."""
    message = Message(school_id=_school(actor), thread_id=thread.id, sender_id=actor.id, body=body)
    session.add(message)
    session.flush()
    thread.last_message_at = message.created_at
    session.add(thread)
    participants = session.exec(select(ThreadParticipant).where(ThreadParticipant.thread_id == thread.id)).all()
    for participant in participants:
        if participant.user_id == actor.id:
            participant.last_read_at = message.created_at
            session.add(participant)
    return [p.user_id for p in participants if p.user_id != actor.id]


def start_thread(*, actor: CurrentUser, recipient_id: UUID, subject: str, body: str) -> str:
    """Start a thread with one person the actor may write to; returns the thread's id."""
    require(actor, MESSAGE)
    errors = {}
    subject = subject.strip()
    if not subject or len(subject) > MAX_SUBJECT:
        errors["subject"] = format_message("Give a subject of at most {count} characters.", count=MAX_SUBJECT)
    try:
        text = _checked_body(body)
    except ValidationFailed as refused:
        errors.update(refused.errors)
    if errors:
        raise ValidationFailed(errors)
    with unit_of_work(actor) as session:
        if not may_start(session, actor, recipient_id):
            raise NotFound(_(NO_SUCH_PERSON))
        thread = MessageThread(school_id=_school(actor), subject=subject, created_by=actor.id)
        session.add(thread)
        session.flush()
        for user_id in (actor.id, recipient_id):
            session.add(ThreadParticipant(school_id=_school(actor), thread_id=thread.id, user_id=user_id))
        session.flush()
        told = _post(session, actor, thread, text)
    _unread_changed(actor.school_id, told)
    return str(thread.id)


def _thread_of(session: Session, actor: CurrentUser, thread_id: UUID) -> tuple[MessageThread, ThreadParticipant, list[UUID]]:
    """The thread, the actor's place in it and the others in it; not found unless theirs."""
    participants = session.exec(select(ThreadParticipant).where(ThreadParticipant.thread_id == thread_id)).all()
    mine = next((p for p in participants if p.user_id == actor.id), None)
    thread = session.get(MessageThread, thread_id) if mine else None
    if thread is None or mine is None:
        raise NotFound(_(NO_SUCH_THREAD))
    return thread, mine, [p.user_id for p in participants if p.user_id != actor.id]


def reply(*, actor: CurrentUser, thread_id: UUID, body: str) -> None:
    require(actor, MESSAGE)
    text = _checked_body(body)
    with unit_of_work(actor) as session:
        thread, _mine, others = _thread_of(session, actor, thread_id)
        if not all(may_write(session, actor, other) for other in others):
            raise NotFound(_(NO_SUCH_PERSON))
        told = _post(session, actor, thread, text)
    _unread_changed(actor.school_id, told)


# --- reading ---------------------------------------------------------------------------------


def _unread_messages(actor: CurrentUser) -> ColumnElement[bool]:
    return and_(
        col(ThreadParticipant.user_id) == actor.id,
        col(Message.thread_id) == ThreadParticipant.thread_id,
        or_(col(Message.sender_id).is_(None), col(Message.sender_id) != actor.id),
        or_(col(ThreadParticipant.last_read_at).is_(None), col(Message.created_at) > ThreadParticipant.last_read_at),
    )


def list_threads(*, actor: CurrentUser, page: int = 1, per_page: int = 20) -> Page:
    """The actor's threads, the latest first, each with the other person and how many unread."""
    require(actor, MESSAGE)
    per_page = min(max(per_page, 1), 100)
    with unit_of_work(actor) as session:
        mine = select(ThreadParticipant.thread_id).where(ThreadParticipant.user_id == actor.id)
        total = session.exec(select(func.count()).select_from(MessageThread).where(col(MessageThread.id).in_(mine))).one()
        threads = session.exec(
            select(MessageThread).where(col(MessageThread.id).in_(mine))
            .order_by(col(MessageThread.last_message_at).desc(), col(MessageThread.id)).offset((max(page, 1) - 1) * per_page).limit(per_page)
        ).all()
        ids = [t.id for t in threads] or [NOBODY]
        unread: dict[UUID, int] = dict(
            session.exec(select(Message.thread_id, func.count()).select_from(Message).join(ThreadParticipant, _unread_messages(actor)).where(col(Message.thread_id).in_(ids)).group_by(col(Message.thread_id))).all()
        )
        others: dict[UUID, list[str]] = {}
        for thread_id, name in session.exec(
            select(ThreadParticipant.thread_id, User.full_name).join(User, col(User.id) == ThreadParticipant.user_id)
            .where(col(ThreadParticipant.thread_id).in_(ids), col(ThreadParticipant.user_id) != actor.id).order_by(col(User.full_name))
        ).all():
            others.setdefault(thread_id, []).append(name)
    rows = [
        {"id": str(t.id), "subject": t.subject, "other": ", ".join(others.get(t.id, [])), "last": format_datetime(t.last_message_at), "unread": unread.get(t.id, 0)}
        for t in threads
    ]
    return Page(rows=rows, total=total)


def open_thread(*, actor: CurrentUser, thread_id: UUID) -> OpenedThread:
    """A thread's newest messages, oldest first; the thread counts as read by the actor."""
    require(actor, MESSAGE)
    with unit_of_work(actor) as session:
        thread, mine, others = _thread_of(session, actor, thread_id)
        newest = session.exec(select(Message).where(Message.thread_id == thread.id).order_by(col(Message.created_at).desc()).limit(THREAD_MESSAGES)).all()
        names = dict(session.exec(select(User.id, User.full_name).where(col(User.id).in_([actor.id, *others]))).all())
        had_unread = mine.last_read_at is None or mine.last_read_at < thread.last_message_at
        if had_unread:
            mine.last_read_at = thread.last_message_at
            session.add(mine)
        opened = OpenedThread(
            id=str(thread.id), subject=thread.subject, other=", ".join(sorted(names.get(o, "") for o in others)),
            messages=[
                ThreadMessage(id=str(m.id), sender=names.get(m.sender_id or NOBODY, ""), mine=m.sender_id == actor.id, body=m.body, sent=format_datetime(m.created_at))
                for m in reversed(newest)
            ],
        )
    if had_unread:
        _unread_changed(actor.school_id, [actor.id])
    return opened


def unread_count(*, actor: CurrentUser) -> int:
    """How many messages to the actor they have not read (one indexed count)."""
    if not can(actor, MESSAGE):
        return 0
    with unit_of_work(actor) as session:
        return session.exec(select(func.count()).select_from(Message).join(ThreadParticipant, _unread_messages(actor))).one()


# --- the unread version ----------------------------------------------------------------------


def _version_key(school_id: object, user_id: object) -> str:
    return cache.key("unread", school_id, user_id)


def _unread_changed(school_id: UUID | None, user_ids: list[UUID]) -> None:
    """After a commit: these users' unread counts may have moved."""
    try:
        pipeline = cache.get_redis().pipeline(transaction=False)
        for user_id in user_ids:
            pipeline.incr(_version_key(school_id, user_id))
        pipeline.execute()
    except (redis.RedisError, OSError):
        pass  # the poll then finds no version and counts in PostgreSQL


def unread_version(actor: CurrentUser) -> int | None:
    """The actor's unread version (one Redis GET); None when Redis cannot say."""
    try:
        raw = cache.get_redis().get(_version_key(actor.school_id, actor.id))
    except (redis.RedisError, OSError):
        return None
    return int(raw or 0)  # type: ignore[arg-type]


@dataclass(frozen=True)
class UnreadPoll:
    version: int | None  # what to send back as `seen` next time (None: Redis could not say)
    count: int | None  # None: unchanged since `seen`


def poll_unread(*, actor: CurrentUser, seen: int | None) -> UnreadPoll:
    """The navigation's periodic question: one Redis GET while nothing has moved since the
    version `seen`; otherwise the count again. Read before counting, so a message committed
    meanwhile moves the version past the one returned and the next poll counts it."""
    version = unread_version(actor)
    if version is not None and version == seen:
        return UnreadPoll(version, None)
    return UnreadPoll(version, unread_count(actor=actor))
