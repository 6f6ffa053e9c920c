"""Notifications: what the school tells people (absence alerts, payment receipts, fee reminders,
announcement notices), each person's in-app list, and the delivery of each message by mail, SMS
or the outgoing log on the worker.

A notification row is written in the transaction of the work that causes it (a register's save,
a payment), so it exists exactly when that work does: it is the recipient's in-app notice at
once, and the outbox the worker sends from. After the commit a Celery message names the new rows;
while Redis is away the rows wait (`pending`) and the next delivery for the school, or a
worker's start, sends them. Nothing here does network work inside the caller's transaction.

Rules (docs/notifications.md):
- Once: the ledger `notification_keys` holds (recipient, kind, subject key), unique; a second save
  of the same absence finds its key taken and writes nothing.
- One message per family: an absence alert goes to each guardian, naming every child of theirs
  marked absent that day; a sibling marked absent later joins the same message while it is
  still waiting to be sent (or unread, in the app).
- The channel: the guardian's (or user's) choice, else the guardian's contact preference; SMS
  never to someone who opted out; a channel they cannot be reached on falls back to the next.
- Written in the reader's language: the guardian's login's, else the school's.
"""

import logging
import smtplib
import ssl
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from email.message import EmailMessage
from typing import Any, TypedDict
from uuid import UUID, uuid4

import httpx
from sqlalchemy import event, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlmodel import Session, col, select

from models import (
    AttendanceStatus,
    Channel,
    ContactPreference,
    Guardian,
    Invoice,
    Notification,
    NotificationKey,
    NotificationKind,
    NotificationPreference,
    NotificationStatus,
    OutgoingMail,
    Payment,
    PaymentAllocation,
    Role,
    School,
    Student,
    StudentGuardian,
    User,
)
from models.common import utcnow
from oneclass import cache, i18n
from oneclass.current_user import CurrentUser
from oneclass.db import platform_session, tenant_session, unit_of_work
from oneclass.i18n import N_, _, format_date, format_message, format_money
from oneclass.permissions import require
from oneclass.services import calendar
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page
from oneclass.settings import Settings, get_settings

log = logging.getLogger(__name__)

READ_OWN = "communication.read"  # one's own notifications and channel
READ_LOG = "communication.log"  # the school's outgoing log and delivery states (its admins)
SEND_REMINDERS = "fees.manage"  # fee reminders: the admins and the bursar

SEND_TASK = "oneclass.send_notifications"
FLUSH_TASK = "oneclass.flush_outbox"
MAX_ATTEMPTS = 5  # tries per message before it is marked failed
BATCH = 100  # notifications named by one Celery message
# A pending row this old whose message never came (Redis was away) is sent by the next delivery.
STALE_AFTER = timedelta(minutes=2)
SMTP_TIMEOUT_SECONDS = 20
SMS_TIMEOUT_SECONDS = 15
PER_PAGE_MAX = 100
TO_SEND = "notifications_to_send"  # session.info: {school id: notification ids} to queue once the transaction commits

NO_SUCH_NOTIFICATION = N_("No such notification.")
CHANNEL_LABELS = {Channel.in_app: N_("In the app only"), Channel.email: N_("Email"), Channel.sms: N_("SMS")}
STATUS_LABELS = {
    NotificationStatus.pending: N_("Waiting to be sent"),
    NotificationStatus.sent: N_("Sent"),
    NotificationStatus.logged: N_("In the outgoing log"),
    NotificationStatus.failed: N_("Failed"),
}
UNREACHABLE = N_("No way to reach this person: no login, email or phone to use.")


# --- who is told, and how ----------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    key: str  # "guardian:<id>" or "user:<id>": the ledger's name for them
    user_id: UUID | None  # whose in-app list holds the message
    guardian_id: UUID | None
    channel: Channel
    address: str | None  # the email address or phone number the channel uses
    language: str


def reachable_channel(preferred: Channel, *, phone: str | None, email: str | None, has_login: bool, sms_opt_out: bool) -> tuple[Channel, str | None] | None:
    """The channel a message goes by: the preferred one if it can reach the person, else email,
    SMS (never for someone who opted out), then the app; None when nothing reaches them."""
    for channel in (preferred, Channel.email, Channel.sms, Channel.in_app):
        if channel == Channel.email and email:
            return channel, email
        if channel == Channel.sms and phone and not sms_opt_out:
            return channel, phone
        if channel == Channel.in_app and has_login:
            return channel, None
    return None


def _default_guardian_channel(preference: str) -> Channel:
    # WhatsApp is not a channel OneClass sends on: its nearest is SMS, to the same number.
    return Channel.email if preference == ContactPreference.email else Channel.sms


def _school_language(session: Session) -> str:
    return session.exec(select(School.language)).first() or "en"  # RLS: the session's one school


def _guardian_recipients(session: Session, guardian_ids: Iterable[UUID]) -> dict[UUID, Recipient | None]:
    ids = list(set(guardian_ids))
    if not ids:
        return {}
    school_language = _school_language(session)
    rows = session.exec(
        select(Guardian, User, NotificationPreference)
        .outerjoin(User, (col(User.id) == Guardian.user_id) & col(User.is_active))
        .outerjoin(NotificationPreference, col(NotificationPreference.guardian_id) == Guardian.id)
        .where(col(Guardian.id).in_(ids))
    ).all()
    found: dict[UUID, Recipient | None] = {}
    for guardian, user, preference in rows:
        preferred = preference.channel if preference else _default_guardian_channel(guardian.contact_preference)
        chosen = reachable_channel(
            Channel(preferred), phone=guardian.phone, email=guardian.email, has_login=user is not None,
            sms_opt_out=bool(preference and preference.sms_opt_out),
        )
        found[guardian.id] = None if chosen is None else Recipient(
            key=f"guardian:{guardian.id}", user_id=user.id if user else None, guardian_id=guardian.id, channel=chosen[0],
            address=chosen[1], language=(user.language if user else None) or school_language,
        )
    return found


def _user_recipients(session: Session, user_ids: Iterable[UUID]) -> dict[UUID, Recipient]:
    ids = list(set(user_ids))
    if not ids:
        return {}
    school_language = _school_language(session)
    rows = session.exec(
        select(User, NotificationPreference)
        .outerjoin(NotificationPreference, col(NotificationPreference.user_id) == User.id)
        .where(col(User.id).in_(ids), col(User.is_active))
    ).all()
    found: dict[UUID, Recipient] = {}
    for user, preference in rows:
        wants_email = preference is not None and preference.channel == Channel.email
        found[user.id] = Recipient(
            key=f"user:{user.id}", user_id=user.id, guardian_id=None, channel=Channel.email if wants_email else Channel.in_app,
            address=user.email if wants_email else None, language=user.language or school_language,
        )
    return found


# --- writing notifications (inside the caller's transaction) -----------------------------------

# Given every subject key the message covers, its subject and body in the reader's language.
Compose = Callable[[list[str]], tuple[str, str]]


@dataclass(frozen=True)
class Draft:
    recipient: Recipient
    kind: NotificationKind
    subject_keys: tuple[str, ...]
    compose: Compose
    group_key: str = ""  # a pending (or unread in-app) message of the same group takes these keys


def _claim_keys(session: Session, school_id: UUID, drafts: Sequence[Draft], ids: Sequence[UUID]) -> set[tuple[str, str, str]]:
    """Enter every draft's keys in the ledger, naming the notification the draft would make
    (`ids`, made here, so the whole batch is two statements: the foreign key is checked at the
    commit); the (recipient, kind, subject) entered now, i.e. those nobody was told about before."""
    values = [
        {"school_id": school_id, "recipient": d.recipient.key, "kind": d.kind.value, "subject_key": key, "notification_id": notification_id}
        for d, notification_id in zip(drafts, ids, strict=True)
        for key in d.subject_keys
    ]
    if not values:
        return set()
    rows = session.execute(
        insert(NotificationKey)
        .values(values)
        .on_conflict_do_nothing(index_elements=["school_id", "recipient", "kind", "subject_key"])
        .returning(col(NotificationKey.recipient), col(NotificationKey.kind), col(NotificationKey.subject_key))
    ).all()
    return {(r[0], r[1], r[2]) for r in rows}


def _open_group(session: Session, draft: Draft) -> Notification | None:
    """The recipient's message of this group that may still take more (not yet sent, or in the
    app and unread); one the worker is sending right now is skipped."""
    if not draft.group_key:
        return None
    owner = (
        col(Notification.guardian_id) == draft.recipient.guardian_id
        if draft.recipient.guardian_id
        else col(Notification.user_id) == draft.recipient.user_id
    )
    open_ = (col(Notification.status) == NotificationStatus.pending.value) | (
        (col(Notification.channel) == Channel.in_app.value) & col(Notification.read_at).is_(None)
    )
    return session.exec(
        select(Notification)
        .where(owner, Notification.kind == draft.kind, Notification.group_key == draft.group_key, open_)
        .with_for_update(skip_locked=True)
    ).first()


def write(session: Session, school_id: UUID, drafts: Sequence[Draft]) -> list[UUID]:
    """Write the drafts' notifications, each (recipient, kind, subject) once, and queue those to
    send for after the commit. Returns the ids of the notifications written or grown."""
    ids = [uuid4() for _draft in drafts]
    new = _claim_keys(session, school_id, drafts, ids)
    made: list[Notification] = []
    grown: list[Notification] = []
    for draft, notification_id in zip(drafts, ids, strict=True):
        fresh = [key for key in draft.subject_keys if (draft.recipient.key, draft.kind.value, key) in new]
        if not fresh:
            continue
        notification = _open_group(session, draft)
        if notification is None:
            notification = Notification(
                id=notification_id, school_id=school_id, user_id=draft.recipient.user_id, guardian_id=draft.recipient.guardian_id,
                kind=draft.kind, group_key=draft.group_key, subject="-", body="-", channel=draft.recipient.channel,
                address=draft.recipient.address, language=draft.recipient.language,
                status=NotificationStatus.sent if draft.recipient.channel == Channel.in_app else NotificationStatus.pending,
                sent_at=utcnow() if draft.recipient.channel == Channel.in_app else None,
            )
            keys = fresh
            made.append(notification)
        else:  # the keys entered now join the waiting message
            session.execute(
                update(NotificationKey)
                .where(col(NotificationKey.notification_id) == notification_id)
                .values(notification_id=notification.id)
            )
            keys = list(session.exec(select(NotificationKey.subject_key).where(NotificationKey.notification_id == notification.id)).all())
            grown.append(notification)
        with i18n.language(notification.language):
            notification.subject, notification.body = draft.compose(keys)
    session.add_all([*made, *grown])
    session.flush()
    to_send = [n.id for n in [*made, *grown] if n.status == NotificationStatus.pending]
    if to_send:
        # By school: the session may be the owner's (the demo seed), which names no school.
        session.info.setdefault(TO_SEND, {}).setdefault(str(school_id), []).extend(to_send)
    return [n.id for n in [*made, *grown]]


def _unreachable(school_id: UUID, guardian_id: UUID, kind: NotificationKind, subject_key: str) -> None:
    """A guardian nothing reaches (no login, no email, opted out of SMS): there is no message to
    send; the log says who missed out, and the reminders' preview counts them."""
    log.info("guardian %s of school %s cannot be reached for %s %s", guardian_id, school_id, kind, subject_key)


def _in_savepoint(session: Session, what: str, work: Callable[[], Any]) -> None:
    """Run `work` in a savepoint of the caller's transaction; if it fails, only its writes go
    and the caller's work stands (a notice is never worth a lost register or payment)."""
    to_send_before = {school: list(ids) for school, ids in session.info.get(TO_SEND, {}).items()}
    try:
        with session.begin_nested():
            work()
    except Exception:
        log.exception("notifications for %s were not written", what)
        session.info[TO_SEND] = to_send_before


def _guardians_of(session: Session, student_ids: Iterable[UUID]) -> dict[UUID, list[UUID]]:
    """Each guardian of these students, and which of the students are theirs."""
    rows = session.exec(
        select(StudentGuardian.guardian_id, StudentGuardian.student_id).where(col(StudentGuardian.student_id).in_(list(set(student_ids))))
    ).all()
    children: dict[UUID, list[UUID]] = defaultdict(list)
    for guardian_id, student_id in rows:
        children[guardian_id].append(student_id)
    return children


def _student_names(session: Session, student_ids: Iterable[UUID]) -> dict[UUID, str]:
    ids = list(set(student_ids))
    rows = session.exec(select(Student).where(col(Student.id).in_(ids or [UUID(int=0)]))).all()
    return {student.id: student.full_name for student in rows}


def _school_name(session: Session) -> str:
    return session.exec(select(School.name)).first() or ""


def _names_text(names: Sequence[str]) -> str:
    return ", ".join(sorted(names))


# --- triggers ---------------------------------------------------------------------------------


def absence_alerts(session: Session, *, school_id: UUID, day: date, marks: dict[UUID, AttendanceStatus]) -> None:
    """After a register's marks are written (same transaction): tell each guardian of a child
    marked absent, once per child and day, one message per guardian and day."""
    absent = [student_id for student_id, status in marks.items() if status == AttendanceStatus.absent]
    if absent:
        _in_savepoint(session, f"absences of {day}", lambda: _write_absences(session, school_id, day, absent))


def _write_absences(session: Session, school_id: UUID, day: date, absent: list[UUID]) -> None:
    children = _guardians_of(session, absent)
    recipients = _guardian_recipients(session, children)
    school = _school_name(session)

    def compose(keys: list[str]) -> tuple[str, str]:
        names = _student_names(session, [UUID(key.split(":", 1)[0]) for key in keys])
        children_text = _names_text(list(names.values()))
        return (
            format_message("Absent today: {children}", children=children_text),
            format_message(
                "{school}: {children} marked absent on {day}. If you did not expect this, please contact the school.",
                school=school, children=children_text, day=format_date(day),
            ),
        )

    drafts = []
    for guardian_id, student_ids in children.items():
        recipient = recipients.get(guardian_id)
        if recipient is None:
            _unreachable(school_id, guardian_id, NotificationKind.absence, day.isoformat())
            continue
        keys = tuple(f"{student_id}:{day.isoformat()}" for student_id in sorted(student_ids, key=str))
        drafts.append(Draft(recipient, NotificationKind.absence, keys, compose, group_key=f"absence:{day.isoformat()}"))
    write(session, school_id, drafts)


def payment_receipt(session: Session, *, school_id: UUID, payment_id: UUID) -> None:
    """After a payment is recorded (same transaction): tell the student's guardians it came."""
    _in_savepoint(session, f"payment {payment_id}", lambda: _write_receipt(session, school_id, payment_id))


def _write_receipt(session: Session, school_id: UUID, payment_id: UUID) -> None:
    payment = session.get(Payment, payment_id)
    if payment is None or payment.student_id is None:
        return  # a sponsor's payment: the family is not the payer
    children = _guardians_of(session, [payment.student_id])
    recipients = _guardian_recipients(session, children)
    student = _student_names(session, [payment.student_id]).get(payment.student_id, "")
    school = _school_name(session)

    def compose(_keys: list[str]) -> tuple[str, str]:
        return (
            _("Payment received"),
            format_message(
                "{school} received {amount} for {student} on {day} (reference {reference}). Thank you.",
                school=school, amount=format_money(payment.amount, payment.currency), student=student,
                day=format_date(payment.received_on), reference=payment.reference or "-",
            ),
        )

    drafts = [Draft(r, NotificationKind.payment, (str(payment_id),), compose) for r in recipients.values() if r is not None]
    write(session, school_id, drafts)


def notify_users(session: Session, school_id: UUID, user_ids: Iterable[UUID], kind: str, key: str, subject: str, body: str) -> list[UUID]:
    """Tell these users of the school something (an announcement's notice): in their in-app list,
    and by mail to those who chose it; each user once per (kind, key). Inside the caller's
    transaction; sending is queued for after its commit. `subject` and `body` are the sender's
    words, sent as written. Returns the notifications written."""
    subject, body = " ".join(subject.split())[:200], body.strip()[:4000]
    if not subject or not body:
        raise ValidationFailed({"subject": _("A notification needs a subject and a message.")})
    recipients = _user_recipients(session, user_ids)
    drafts = [Draft(r, NotificationKind(kind), (key,), lambda _keys: (subject, body)) for r in recipients.values()]
    return write(session, school_id, drafts)


# --- fee reminders ----------------------------------------------------------------------------


class ReminderRow(TypedDict):
    guardian: str
    channel: str  # the English label (a message id)
    children: str
    owed: str


@dataclass(frozen=True)
class ReminderPreview:
    rows: list[ReminderRow]
    families: int
    already_reminded: int  # families reminded today already: sending now tells them nothing new
    unreachable: int


def _balances(session: Session) -> dict[UUID, dict[str, Decimal]]:
    """Every student's family balance per currency, where something is owed."""
    paid = (
        select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount).label("paid"))
        .join(Payment, col(Payment.id) == PaymentAllocation.payment_id)
        .where(col(Payment.reversed_at).is_(None))
        .group_by(col(PaymentAllocation.invoice_id))
        .subquery()
    )
    rows = session.execute(
        select(Invoice.student_id, Invoice.currency, func.sum(Invoice.total - func.coalesce(paid.c.paid, 0)))
        .outerjoin(paid, paid.c.invoice_id == Invoice.id)
        .where(col(Invoice.voided_at).is_(None), col(Invoice.sponsor_id).is_(None))
        .group_by(col(Invoice.student_id), col(Invoice.currency))
    ).all()
    owed: dict[UUID, dict[str, Decimal]] = defaultdict(dict)
    for student_id, currency, balance in rows:
        if balance and Decimal(balance) > 0:
            owed[student_id][str(currency)] = Decimal(balance)
    return owed


def _reminder_plan(session: Session) -> tuple[list[tuple[UUID, Recipient | None, list[UUID]]], dict[UUID, dict[str, Decimal]]]:
    owed = _balances(session)
    children = _guardians_of(session, owed)
    recipients = _guardian_recipients(session, children)
    plan = [(guardian_id, recipients.get(guardian_id), sorted(student_ids, key=str)) for guardian_id, student_ids in children.items()]
    return plan, owed


def _owed_text(student_ids: Sequence[UUID], owed: dict[UUID, dict[str, Decimal]], names: dict[UUID, str]) -> str:
    return "; ".join(
        f"{names.get(student_id, '')}: " + ", ".join(format_money(amount, currency) for currency, amount in sorted(owed[student_id].items()))
        for student_id in sorted(student_ids, key=lambda s: names.get(s, ""))
    )


def preview_fee_reminders(*, actor: CurrentUser, page: int = 1, per_page: int = 25) -> ReminderPreview:
    """Who a fee reminder would reach now: each family owing something (page `page` of them, by
    guardian's name), by the channel it would go by; nothing is sent."""
    require(actor, SEND_REMINDERS)
    page, per_page = max(page, 1), min(max(per_page, 1), PER_PAGE_MAX)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        today = calendar.today_for(session, actor.school_id)
        plan, owed = _reminder_plan(session)
        names = _student_names(session, owed)
        guardians = {g.id: g.full_name for g in session.exec(select(Guardian).where(col(Guardian.id).in_([p[0] for p in plan] or [UUID(int=0)]))).all()}
        reminded = set(
            session.exec(
                select(NotificationKey.recipient).where(NotificationKey.kind == NotificationKind.fee_reminder.value, NotificationKey.subject_key == today.isoformat())
            ).all()
        )
        rows = [
            ReminderRow(
                guardian=guardians.get(guardian_id, ""), channel=CHANNEL_LABELS[recipient.channel] if recipient else UNREACHABLE,
                children=", ".join(sorted(names.get(s, "") for s in student_ids)), owed=_owed_text(student_ids, owed, names),
            )
            for guardian_id, recipient, student_ids in plan
        ]
        rows.sort(key=lambda row: row["guardian"])
        return ReminderPreview(
            rows=rows[(page - 1) * per_page : page * per_page], families=len(plan), already_reminded=sum(1 for g, _r, _s in plan if f"guardian:{g}" in reminded),
            unreachable=sum(1 for _g, r, _s in plan if r is None),
        )


def families_owing(*, actor: CurrentUser, page: int = 1, per_page: int = 25) -> Page:
    """The preview's families as a paged list (what the reminders page exports)."""
    preview = preview_fee_reminders(actor=actor, page=page, per_page=per_page)
    return Page([dict(row) for row in preview.rows], preview.families)


def send_fee_reminders(*, actor: CurrentUser) -> int:
    """Remind every family that owes something, once a day at most: one message per guardian
    naming each child's balance. Returns how many families were reminded now."""
    require(actor, SEND_REMINDERS)
    assert actor.school_id is not None
    school_id = actor.school_id
    with unit_of_work(actor) as session:
        today = calendar.today_for(session, school_id)
        plan, owed = _reminder_plan(session)
        names = _student_names(session, owed)
        school = _school_name(session)

        def composer(student_ids: list[UUID]) -> Compose:
            def compose(_keys: list[str]) -> tuple[str, str]:
                return (
                    _("Fees reminder"),
                    format_message(
                        "{school}: fees are owed for {owed}. Please pay at the school office or online. If you have paid, thank you; please ignore this.",
                        school=school, owed=_owed_text(student_ids, owed, names),
                    ),
                )

            return compose

        drafts = [
            Draft(recipient, NotificationKind.fee_reminder, (today.isoformat(),), composer(student_ids))
            for _guardian_id, recipient, student_ids in plan
            if recipient is not None
        ]
        return len(write(session, school_id, drafts))


# --- reading: one's own list, one's channel, the school's outgoing log ---------------------------


class NotificationRow(TypedDict):
    id: str
    kind: str
    subject: str
    body: str
    when: str
    unread: bool


def _notification_row(n: Notification) -> NotificationRow:
    return NotificationRow(
        id=str(n.id), kind=n.kind, subject=n.subject, body=n.body, when=i18n.format_datetime(n.created_at), unread=n.read_at is None
    )


def my_notifications(*, actor: CurrentUser, page: int = 1, per_page: int = 20, unread_only: bool = False) -> Page:
    """The actor's own notifications, newest first."""
    require(actor, READ_OWN)
    page, per_page = max(page, 1), min(max(per_page, 1), PER_PAGE_MAX)
    with unit_of_work(actor) as session:
        query = select(Notification).where(Notification.user_id == actor.id)
        if unread_only:
            query = query.where(col(Notification.read_at).is_(None))
        total = session.exec(select(func.count()).select_from(query.subquery())).one()
        rows = session.exec(query.order_by(col(Notification.created_at).desc(), col(Notification.id)).offset((page - 1) * per_page).limit(per_page)).all()
        return Page([dict(_notification_row(n)) for n in rows], total)


def unread_count(*, actor: CurrentUser) -> int:
    require(actor, READ_OWN)
    with unit_of_work(actor) as session:
        return session.exec(
            select(func.count()).select_from(Notification).where(Notification.user_id == actor.id, col(Notification.read_at).is_(None))
        ).one()


def mark_read(*, actor: CurrentUser, notification_id: UUID | str | None = None) -> int:
    """Mark one of the actor's notifications read (None: all of them). Another person's is not
    found. Returns how many changed."""
    require(actor, READ_OWN)
    query = update(Notification).where(col(Notification.user_id) == actor.id, col(Notification.read_at).is_(None))
    if notification_id is not None:
        try:
            wanted = notification_id if isinstance(notification_id, UUID) else UUID(str(notification_id))
        except ValueError:
            raise NotFound(_(NO_SUCH_NOTIFICATION)) from None
        query = query.where(col(Notification.id) == wanted)
    with unit_of_work(actor) as session:
        if notification_id is not None and session.exec(select(Notification.id).where(Notification.id == wanted, Notification.user_id == actor.id)).first() is None:
            raise NotFound(_(NO_SUCH_NOTIFICATION))
        return int(session.execute(query.values(read_at=utcnow())).rowcount)  # type: ignore[attr-defined]


@dataclass(frozen=True)
class ChannelChoice:
    channel: str
    sms_opt_out: bool
    is_guardian: bool  # a parent chooses for their family's messages, SMS included


def _my_guardians(session: Session, actor: CurrentUser) -> list[Guardian]:
    return list(session.exec(select(Guardian).where(Guardian.user_id == actor.id)).all()) if actor.role == Role.parent else []


def my_channel(*, actor: CurrentUser) -> ChannelChoice:
    require(actor, READ_OWN)
    with unit_of_work(actor) as session:
        guardians = _my_guardians(session, actor)
        if guardians:
            guardian = guardians[0]
            preference = session.exec(select(NotificationPreference).where(NotificationPreference.guardian_id == guardian.id)).first()
            channel = preference.channel if preference else _default_guardian_channel(guardian.contact_preference)
            return ChannelChoice(str(channel), bool(preference and preference.sms_opt_out), True)
        preference = session.exec(select(NotificationPreference).where(NotificationPreference.user_id == actor.id)).first()
        return ChannelChoice(str(preference.channel) if preference else Channel.in_app.value, False, False)


def choose_channel(*, actor: CurrentUser, channel: str, sms_opt_out: bool) -> ChannelChoice:
    """Set how the actor is told: a parent for every guardian record of theirs (their family's
    messages: the app, email or SMS, and whether SMS may be used at all); anyone else the app or
    email."""
    require(actor, READ_OWN)
    try:
        chosen = Channel(channel)
    except ValueError:
        raise ValidationFailed({"channel": _("Choose how you are told.")}) from None
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        guardians = _my_guardians(session, actor)
        if not guardians and chosen == Channel.sms:
            raise ValidationFailed({"channel": _("SMS goes only to guardians' phone numbers: choose the app or email.")})
        if chosen == Channel.sms and sms_opt_out:
            raise ValidationFailed({"channel": _("You opted out of SMS: choose the app or email.")})
        targets = [("guardian_id", g.id) for g in guardians] or [("user_id", actor.id)]
        for column, owner in targets:
            session.execute(
                insert(NotificationPreference)
                .values(school_id=actor.school_id, channel=chosen.value, sms_opt_out=sms_opt_out and bool(guardians), **{column: owner})
                .on_conflict_do_update(index_elements=[column], set_={"channel": chosen.value, "sms_opt_out": sms_opt_out and bool(guardians), "updated_at": utcnow()})
            )
        return ChannelChoice(chosen.value, sms_opt_out and bool(guardians), bool(guardians))


def outgoing_log(*, actor: CurrentUser, page: int = 1, per_page: int = 50) -> Page:
    """The school's outgoing log (mail and SMS written there while no channel is configured),
    newest first."""
    require(actor, READ_LOG)
    page, per_page = max(page, 1), min(max(per_page, 1), PER_PAGE_MAX)
    with unit_of_work(actor) as session:
        total = session.exec(select(func.count()).select_from(OutgoingMail)).one()
        rows = session.exec(select(OutgoingMail).order_by(col(OutgoingMail.created_at).desc(), col(OutgoingMail.id)).offset((page - 1) * per_page).limit(per_page)).all()
        return Page(
            [
                {"id": str(m.id), "when": i18n.format_datetime(m.created_at), "channel": CHANNEL_LABELS[Channel(m.channel)], "recipient": m.recipient,
                 "subject": m.subject, "body": m.body}
                for m in rows
            ],
            total,
        )


def delivery_counts(*, actor: CurrentUser) -> dict[str, int]:
    """How many of the school's notifications are in each state (the outgoing log page's summary)."""
    require(actor, READ_LOG)
    with unit_of_work(actor) as session:
        rows = session.exec(select(Notification.status, func.count()).group_by(col(Notification.status))).all()
        counts = {status.value: 0 for status in NotificationStatus}
        counts.update({str(status): int(count) for status, count in rows})
        return counts


# --- queueing, after the commit -------------------------------------------------------------


def enqueue(school_id: UUID | str, ids: Sequence[UUID | str]) -> None:
    """Name the notifications to a worker. When Redis is away this does nothing at once (the
    breaker is open) and the rows wait in the outbox; it never raises into the caller."""
    if not ids or cache.BREAKER.is_open:
        return
    from oneclass.queue import celery_app  # the Celery app: only the callers that queue load it

    try:
        for start in range(0, len(ids), BATCH):
            celery_app.send_task(SEND_TASK, kwargs={"school_id": str(school_id), "ids": [str(i) for i in ids[start : start + BATCH]]}, retry=False)
    except Exception as error:  # kombu raises its own and the transport's errors here
        log.warning("notifications of school %s wait in the outbox: %s", school_id, error)
        cache.BREAKER.trip(cache.redis_url())


@event.listens_for(Session, "after_commit")
def _queue_after_commit(session: Session) -> None:
    for school_id, ids in session.info.pop(TO_SEND, {}).items():
        enqueue(school_id, ids)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop(TO_SEND, None)


# --- delivering, on the worker ----------------------------------------------------------------


class ChannelFailed(Exception):
    """The mail server or the gateway refused or could not be reached; the message is tried again."""


def send_email(settings: Settings, to: str, subject: str, body: str) -> None:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = settings.smtp_from, to, subject
    message.set_content(body)
    client: type[smtplib.SMTP] = smtplib.SMTP_SSL if settings.smtp_tls == "ssl" else smtplib.SMTP
    try:
        with client(settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.smtp_tls == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, settings.smtp_password)
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as error:
        raise ChannelFailed(f"mail to {to}: {error}") from error


def send_sms(settings: Settings, to: str, body: str, reference: str) -> None:
    """POST {"to", "message", "reference"} as JSON; any 2xx is accepted. `reference` (the
    notification's id) lets a gateway drop a repeat."""
    try:
        response = httpx.post(
            settings.sms_gateway_url, json={"to": to, "message": body, "reference": reference},
            headers={"Authorization": f"Bearer {settings.sms_gateway_token}"}, timeout=SMS_TIMEOUT_SECONDS,
        )
    except httpx.HTTPError as error:
        raise ChannelFailed(f"SMS to {to}: {error}") from error
    if not response.is_success:
        raise ChannelFailed(f"SMS to {to}: the gateway answered {response.status_code}")


def _dispatch(session: Session, notification: Notification, settings: Settings) -> NotificationStatus:
    """Send one message by its channel, or write it to the outgoing log when that channel has no
    settings. Raises ChannelFailed."""
    address = notification.address or ""
    if notification.channel == Channel.email and settings.smtp_host:
        send_email(settings, address, notification.subject, notification.body)
        return NotificationStatus.sent
    if notification.channel == Channel.sms and settings.sms_gateway_url:
        send_sms(settings, address, notification.body, str(notification.id))
        return NotificationStatus.sent
    session.add(
        OutgoingMail(
            school_id=notification.school_id, recipient=address, subject=notification.subject, body=notification.body,
            channel=notification.channel, notification_id=notification.id,
        )
    )
    return NotificationStatus.logged


def _deliver_one(school_id: UUID, notification_id: UUID, settings: Settings) -> bool:
    """Send one pending notification in a transaction of its own; True when it needs no more
    tries (sent, logged, given up, or not pending any more)."""
    with tenant_session(school_id) as session:
        notification = session.exec(
            select(Notification)
            .where(Notification.id == notification_id, Notification.status == NotificationStatus.pending.value)
            .with_for_update(skip_locked=True)
        ).first()
        if notification is None:
            return True  # sent already (a message delivered twice), or being sent by another worker
        notification.attempts += 1
        try:
            notification.status = _dispatch(session, notification, settings)
            notification.sent_at, notification.last_error = utcnow(), None
        except ChannelFailed as error:
            log.warning("notification %s (try %d): %s", notification.id, notification.attempts, error)
            notification.last_error = str(error)[:500]
            if notification.attempts >= MAX_ATTEMPTS:
                notification.status = NotificationStatus.failed
        session.add(notification)
        session.commit()
        return notification.status != NotificationStatus.pending


def _stale_pending(school_id: UUID, exclude: set[UUID]) -> list[UUID]:
    """Pending notifications whose message never came (queued while Redis was away)."""
    with tenant_session(school_id) as session:
        rows = session.exec(
            select(Notification.id)
            .where(Notification.status == NotificationStatus.pending.value, Notification.attempts == 0, col(Notification.created_at) < utcnow() - STALE_AFTER)
            .order_by(col(Notification.created_at))
            .limit(BATCH)
        ).all()
    return [row for row in rows if row not in exclude]


def deliver(school_id: UUID | str, ids: Sequence[UUID | str]) -> list[str]:
    """Send these notifications, each on its own: one that fails never stops the rest. Also
    sends the school's stale outbox rows. Returns the ids to try again later. Database and Redis
    errors propagate (the task tries the whole batch again; sent ones are not sent twice)."""
    school = school_id if isinstance(school_id, UUID) else UUID(str(school_id))
    settings = get_settings()
    named = [i if isinstance(i, UUID) else UUID(str(i)) for i in ids]
    retry: list[str] = []
    for notification_id in named + _stale_pending(school, set(named)):
        if not _deliver_one(school, notification_id, settings):
            retry.append(str(notification_id))
    return retry


def flush_outbox() -> int:
    """On a worker's start: queue every school's pending notifications (those written while
    Redis was away). Returns how many were queued."""
    with platform_session() as session:
        school_ids = list(session.exec(select(School.id)).all())
    queued = 0
    for school_id in school_ids:
        with tenant_session(school_id) as session:
            ids = list(session.exec(select(Notification.id).where(Notification.status == NotificationStatus.pending.value)).all())
        enqueue(school_id, ids)
        queued += len(ids)
    return queued
