"""Notifications: who is told what, once; one message per family; the channel each guardian
chose (SMS opt-out honoured); delivery to a real SMTP server (aiosmtpd) and a real HTTP SMS
gateway on loopback, a failing channel tried again while the rest of the batch goes; the
outgoing log while nothing is configured; a real Celery worker sending what a register save
queued; fee reminders and announcement notices; and one school never seeing another's.

The registers belong to a year of their own (2035), so the day is fixed whatever the date the
tests run; `today` is given to the service as the school's today."""

import json
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from uuid import UUID

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import col, select

from models import (
    AcademicYear,
    AttendanceStatus,
    Channel,
    Guardian,
    Invoice,
    Notification,
    NotificationKey,
    NotificationKind,
    NotificationStatus,
    OutgoingMail,
    Student,
    StudentGuardian,
    User,
)
from oneclass import cache, db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, attendance, fees, notifications, students
from oneclass.services.academics import TermDates
from oneclass.services.attendance import EntryInput
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.settings import get_settings
from tests.conftest import SchoolFixture, delete_school, make_school
from tests.workers import celery_worker, worker_process

MONDAY = date(2035, 3, 5)
TUESDAY = MONDAY + timedelta(days=1)
WORKER_DEADLINE_SECONDS = 90  # a hung worker fails the test instead of hanging it; not a timing
GATEWAY_TOKEN = "test-gateway-token"


@dataclass
class World:
    school: SchoolFixture
    other: SchoolFixture
    class_id: UUID
    pupils: list[UUID]
    admin: CurrentUser
    teacher: CurrentUser
    parent: CurrentUser
    other_admin: CurrentUser
    other_parent: CurrentUser
    siblings: list[UUID]  # the demo parent's two children, both in the class
    parent_guardian: UUID

    @property
    def stranger(self) -> UUID:
        """A pupil of the class who is not the parent's."""
        return next(p for p in reversed(self.pupils) if p not in self.siblings)


def _user(school: SchoolFixture, local: str) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == f"{local}@{school.subdomain}.test")).one()
    return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    school, other = make_school("notify-a"), make_school("notify-b")
    for made in (school, other):
        with db.tenant_session(made.id) as session:
            seed_school_records(session, admin=school_admin_of(session, made.id), subdomain=made.subdomain, level="primary", students=10)
            session.commit()
    admin, teacher, parent = _user(school, "school_admin"), _user(school, "teacher"), _user(school, "parent")
    terms = [TermDates(date(2035, 1, 15), date(2035, 4, 6)), TermDates(date(2035, 5, 7), date(2035, 8, 3)), TermDates(date(2035, 9, 4), date(2035, 12, 1))]
    academics.create_year(actor=admin, name="2035", starts_on=date(2035, 1, 8), ends_on=date(2035, 12, 7), terms=terms)
    with db.tenant_session(school.id) as session:
        year_id = session.exec(select(AcademicYear.id).where(AcademicYear.name == "2035")).one()
        made_class = academics.add_class(
            session, actor=admin, school_level="primary", year_id=year_id, grade_level="G3", name="Notify 3", capacity=40, class_teacher_id=teacher.id
        )
        guardian = session.exec(select(Guardian).where(Guardian.user_id == parent.id)).one()
        siblings = sorted(session.exec(select(StudentGuardian.student_id).where(StudentGuardian.guardian_id == guardian.id)).all())
        assert len(siblings) == 2, "the demo parent has two children"
        others = [s for s in session.exec(select(Student.id).order_by(Student.admission_number)).all() if s not in siblings][:4]
        for student_id in [*siblings, *others]:
            students.enrol(session, actor=admin, student_id=student_id, class_id=made_class.id)
        session.commit()
        pupils = [sid for sid, _ in attendance.roster(session, made_class)]
        class_id, guardian_id = made_class.id, guardian.id
    yield World(
        school=school, other=other, class_id=class_id, pupils=pupils, admin=admin, teacher=teacher, parent=parent,
        other_admin=_user(other, "school_admin"), other_parent=_user(other, "parent"), siblings=siblings, parent_guardian=guardian_id,
    )
    delete_school(school)
    delete_school(other)


def save(world: World, absent: set[UUID], day: date = MONDAY) -> None:
    entries = [EntryInput(sid, AttendanceStatus.absent if sid in absent else AttendanceStatus.present) for sid in world.pupils]
    attendance.save_register(actor=world.teacher, class_id=world.class_id, day=day, entries=entries, today=day)


def notices(school: SchoolFixture, **where: Any) -> list[Notification]:
    with db.tenant_session(school.id) as session:
        query = select(Notification)
        for name, value in where.items():
            query = query.where(getattr(Notification, name) == value)
        return list(session.exec(query.order_by(col(Notification.created_at))).all())


# --- the channel a message goes by ----------------------------------------------------------------

CHANNEL_CASES = [
    # preferred, phone, email, login, opted out of SMS -> channel
    (Channel.sms, "+263771000001", None, False, False, Channel.sms),
    (Channel.sms, "+263771000001", "a@b.test", True, True, Channel.email),  # opted out: never SMS
    (Channel.sms, "+263771000001", None, True, True, Channel.in_app),
    (Channel.sms, "+263771000001", None, False, True, None),  # opted out, no email, no login: nobody
    (Channel.email, "+263771000001", None, False, False, Channel.sms),  # no address: the next one
    (Channel.email, None, "a@b.test", False, False, Channel.email),
    (Channel.in_app, "+263771000001", "a@b.test", True, False, Channel.in_app),
    (Channel.in_app, "+263771000001", "a@b.test", False, False, Channel.email),  # no login to read it
]


@pytest.mark.parametrize(("preferred", "phone", "email", "login", "opted_out", "expected"), CHANNEL_CASES)
def test_the_channel_is_the_chosen_one_that_reaches_the_person(preferred, phone, email, login, opted_out, expected) -> None:
    chosen = notifications.reachable_channel(preferred, phone=phone, email=email, has_login=login, sms_opt_out=opted_out)
    assert (chosen[0] if chosen else None) == expected


# --- absences ----------------------------------------------------------------------------------


def test_two_children_absent_make_one_message_to_their_guardian_and_saving_again_makes_none(world) -> None:
    save(world, set(world.siblings))
    mine = notices(world.school, guardian_id=world.parent_guardian, kind=NotificationKind.absence.value)
    assert len(mine) == 1
    with db.tenant_session(world.school.id) as session:
        names = [session.get(Student, sid).full_name for sid in world.siblings]  # type: ignore[union-attr]
    assert all(name in mine[0].body for name in names)
    assert mine[0].user_id == world.parent.id  # in the parent's in-app list at once
    save(world, set(world.siblings))  # the same register again
    save(world, {world.siblings[0]})  # one child back to present and ... absent again next save
    save(world, set(world.siblings))
    assert len(notices(world.school, guardian_id=world.parent_guardian, kind=NotificationKind.absence.value)) == 1
    with db.tenant_session(world.school.id) as session:
        keys = session.exec(select(NotificationKey).where(NotificationKey.recipient == f"guardian:{world.parent_guardian}")).all()
    assert sorted(k.subject_key for k in keys if k.kind == "absence") == sorted(f"{sid}:{MONDAY.isoformat()}" for sid in world.siblings)
    # Every other absent child's guardian has theirs; present children's have none.
    others_absent = {world.stranger}
    save(world, set(world.siblings) | others_absent)
    assert len(notices(world.school, kind=NotificationKind.absence.value)) == 2


def test_a_register_older_than_a_week_alerts_nobody(world) -> None:
    before = len(notices(world.school, kind=NotificationKind.absence.value))
    entries = [EntryInput(sid, AttendanceStatus.absent) for sid in world.pupils]
    old = MONDAY - timedelta(days=attendance.ABSENCE_ALERT_DAYS)
    attendance.save_register(actor=world.teacher, class_id=world.class_id, day=old, entries=entries, change_reason="Late entry", today=MONDAY)
    assert len(notices(world.school, kind=NotificationKind.absence.value)) == before


def test_the_parent_reads_and_marks_their_notifications(world) -> None:
    save(world, set(world.siblings), day=TUESDAY)
    page = notifications.my_notifications(actor=world.parent)
    assert page.total >= 1 and page.rows[0]["unread"]
    assert notifications.unread_count(actor=world.parent) >= 1
    with pytest.raises(NotFound):
        notifications.mark_read(actor=world.teacher, notification_id=page.rows[0]["id"])  # not the teacher's
    with pytest.raises(NotFound):
        notifications.mark_read(actor=world.other_parent, notification_id=page.rows[0]["id"])  # another school
    assert notifications.mark_read(actor=world.parent, notification_id=page.rows[0]["id"]) == 1
    notifications.mark_read(actor=world.parent)
    assert notifications.unread_count(actor=world.parent) == 0
    assert notifications.my_notifications(actor=world.parent, unread_only=True).total == 0


def test_a_guardian_who_opted_out_of_sms_is_never_sent_one(world) -> None:
    with pytest.raises(ValidationFailed):
        notifications.choose_channel(actor=world.parent, channel="sms", sms_opt_out=True)
    with pytest.raises(ValidationFailed):
        notifications.choose_channel(actor=world.teacher, channel="sms", sms_opt_out=False)  # no phone of theirs
    notifications.choose_channel(actor=world.parent, channel="in_app", sms_opt_out=True)
    assert notifications.my_channel(actor=world.parent) == notifications.ChannelChoice("in_app", True, True)
    wednesday = TUESDAY + timedelta(days=1)
    save(world, set(world.siblings), day=wednesday)
    mine = notices(world.school, guardian_id=world.parent_guardian, kind=NotificationKind.absence.value)
    assert mine[-1].channel == Channel.in_app and mine[-1].status == NotificationStatus.sent
    notifications.choose_channel(actor=world.parent, channel="sms", sms_opt_out=False)


# --- payments, reminders, announcements ----------------------------------------------------------


def _owing_student(world: World) -> UUID:
    with db.tenant_session(world.school.id) as session:
        for invoice in session.exec(select(Invoice).where(col(Invoice.voided_at).is_(None), col(Invoice.sponsor_id).is_(None))).all():
            if fees.owed(session, invoice.student_id, invoice.currency) > 0:
                return invoice.student_id
    raise AssertionError("the demo fees leave some family owing")


def test_a_payment_sends_its_guardians_a_receipt(world) -> None:
    student_id = _owing_student(world)
    row = fees.take_payment(actor=world.admin, payment=fees.PaymentInput(student_id=student_id, amount="1.00", currency="USD", method="cash", reference="R-1"))
    receipts = [n for n in notices(world.school, kind=NotificationKind.payment.value) if "R-1" in n.body]
    with db.tenant_session(world.school.id) as session:
        guardians = session.exec(select(StudentGuardian.guardian_id).where(StudentGuardian.student_id == student_id)).all()
        assert session.exec(select(NotificationKey).where(NotificationKey.subject_key == row["id"])).all()
    assert {n.guardian_id for n in receipts} == set(guardians)


def test_fee_reminders_preview_then_send_once_a_day_one_per_family(world) -> None:
    with pytest.raises(PermissionDenied):
        notifications.preview_fee_reminders(actor=world.teacher)
    preview = notifications.preview_fee_reminders(actor=world.admin)
    assert preview.families > 0 and len(preview.rows) == preview.families
    sent = notifications.send_fee_reminders(actor=world.admin)
    assert sent == preview.families - preview.unreachable - preview.already_reminded
    assert notifications.send_fee_reminders(actor=world.admin) == 0  # the same day: nobody twice
    assert notifications.preview_fee_reminders(actor=world.admin).already_reminded == preview.families - preview.unreachable
    reminders = notices(world.school, kind=NotificationKind.fee_reminder.value)
    assert len({n.guardian_id for n in reminders}) == len(reminders)  # one message per family


def test_notify_users_tells_each_user_once_per_key(world) -> None:
    users = [world.teacher.id, world.parent.id, world.other_admin.id]  # another school's id: nobody
    with db.unit_of_work(world.admin) as session:
        written = notifications.notify_users(session, world.school.id, users, "announcement", "announcement:1", "Sports day", "Friday, 8 am.")
    assert len(written) == 2
    with db.unit_of_work(world.admin) as session:
        assert notifications.notify_users(session, world.school.id, users, "announcement", "announcement:1", "Sports day", "Again") == []
    assert notifications.my_notifications(actor=world.teacher).rows[0]["subject"] == "Sports day"
    assert notices(world.other, kind=NotificationKind.announcement.value) == []


# --- delivery -----------------------------------------------------------------------------------


class Inbox:
    """aiosmtpd's handler: every message the loopback SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox = Inbox()
    with socket.socket() as probe:  # a free port: aiosmtpd checks it is up by connecting to it
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@dataclass
class Gateway:
    """A loopback SMS gateway: it keeps what it is sent; numbers in `refuse` get a 503 (each once,
    or always when `refuse_always`)."""

    received: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    refuse_always: bool = False
    port: int = 0


@pytest.fixture(scope="module")
def sms_gateway() -> Iterator[Gateway]:
    gateway = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            payload = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            gateway.tokens.append(self.headers.get("Authorization", ""))
            if payload["to"] in gateway.refuse:
                if not gateway.refuse_always:
                    gateway.refuse.discard(payload["to"])
                self.send_response(503)
            else:
                gateway.received.append(payload)
                self.send_response(200)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.port = server.server_address[1]
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield gateway
    server.shutdown()


@pytest.fixture
def channels(monkeypatch, smtp_server, sms_gateway) -> Iterator[tuple[Inbox, Gateway]]:
    """Settings naming the loopback SMTP server and gateway, for this test only."""
    inbox, port = smtp_server
    for name, value in {
        "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_TLS": "none", "SMTP_FROM": "school@oneclass.test",
        "SMS_GATEWAY_URL": f"http://127.0.0.1:{sms_gateway.port}/send", "SMS_GATEWAY_TOKEN": GATEWAY_TOKEN,
    }.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()
    yield inbox, sms_gateway
    monkeypatch.undo()
    get_settings.cache_clear()


def _pending(school: SchoolFixture) -> list[Notification]:
    return notices(school, status=NotificationStatus.pending.value)


def _guardians_choose_email(world: World, count: int) -> list[UUID]:
    """Pupils whose guardian (one without a login) is given an address and chooses email."""
    with db.tenant_session(world.school.id) as session:
        rows = session.exec(
            select(StudentGuardian.student_id, Guardian)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .where(col(StudentGuardian.student_id).in_(world.pupils), col(Guardian.user_id).is_(None))
        ).all()
        chosen = list(rows)[:count]
        for number, (_sid, guardian) in enumerate(chosen):
            guardian.email, guardian.contact_preference = f"guardian{number}@family.test", "email"
            session.add(guardian)
        session.commit()
    return [sid for sid, _guardian in chosen]


def test_mail_and_sms_reach_real_servers_and_a_failing_one_is_tried_again_while_the_batch_goes_on(world, channels) -> None:
    inbox, gateway = channels
    day = MONDAY + timedelta(days=14)
    by_mail = _guardians_choose_email(world, 1)
    save(world, {*world.siblings, *[p for p in world.pupils if p not in world.siblings]}, day=day)
    batch = _pending(world.school)
    sms = [n for n in batch if n.channel == Channel.sms]
    assert by_mail and sms and any(n.channel == Channel.email for n in batch)
    failing = sms[0].address
    assert failing is not None
    gateway.refuse.add(failing)  # the gateway refuses this number once
    again = notifications.deliver(world.school.id, [n.id for n in batch])
    assert again == [str(sms[0].id)]  # the rest of the batch went
    assert len(inbox.messages) >= 1 and inbox.messages[-1]["Subject"].startswith("Absent today")
    assert {p["to"] for p in gateway.received} >= {n.address for n in sms[1:]}
    assert set(gateway.tokens) == {f"Bearer {GATEWAY_TOKEN}"}
    assert notifications.deliver(world.school.id, again) == []  # the second try goes through
    assert next(p for p in gateway.received if p["reference"] == str(sms[0].id))["to"] == failing
    assert not [n for n in notices(world.school) if n.id in {b.id for b in batch} and n.status != NotificationStatus.sent]
    # A message delivered twice (the same Celery message again) sends nothing more.
    sent_before = len(gateway.received)
    assert notifications.deliver(world.school.id, [n.id for n in batch]) == []
    assert len(gateway.received) == sent_before


def test_a_channel_that_keeps_failing_gives_up_after_its_tries(world, channels) -> None:
    _inbox, gateway = channels
    save(world, {p for p in world.pupils if p not in world.siblings}, day=MONDAY + timedelta(days=15))  # some told by SMS
    target = [n for n in _pending(world.school) if n.channel == Channel.sms][-1]
    gateway.refuse, gateway.refuse_always = {target.address or ""}, True
    try:
        for _try in range(notifications.MAX_ATTEMPTS):
            notifications.deliver(world.school.id, [target.id])
    finally:
        gateway.refuse, gateway.refuse_always = set(), False
    failed = notices(world.school, id=target.id)[0]
    assert failed.status == NotificationStatus.failed and failed.attempts == notifications.MAX_ATTEMPTS and "503" in (failed.last_error or "")


def test_without_channel_settings_messages_go_to_the_outgoing_log(world) -> None:
    assert not get_settings().smtp_host and not get_settings().sms_gateway_url
    save(world, {world.stranger}, day=MONDAY + timedelta(days=16))
    pending = _pending(world.school)
    assert notifications.deliver(world.school.id, [n.id for n in pending]) == []
    with db.tenant_session(world.school.id) as session:
        logged = session.exec(select(OutgoingMail).where(col(OutgoingMail.notification_id).in_([n.id for n in pending]))).all()
    assert len(logged) == len(pending) and {m.channel for m in logged} <= {"sms", "email"}
    assert all(n.status == NotificationStatus.logged for n in notices(world.school) if n.id in {p.id for p in pending})
    page = notifications.outgoing_log(actor=world.admin)
    assert page.total >= len(logged)
    assert notifications.delivery_counts(actor=world.admin)["logged"] >= len(logged)
    with pytest.raises(PermissionDenied):
        notifications.outgoing_log(actor=world.teacher)
    assert all(row["recipient"] not in {m.recipient for m in logged} for row in notifications.outgoing_log(actor=world.other_admin).rows)


def test_one_school_never_sees_anothers_notifications(world) -> None:
    mine = {row["id"] for row in notifications.my_notifications(actor=world.parent, per_page=100).rows}
    assert mine
    assert not mine & {row["id"] for row in notifications.my_notifications(actor=world.other_parent, per_page=100).rows}
    with db.tenant_session(world.other.id) as session:
        assert session.exec(select(Notification).where(col(Notification.id).in_([UUID(i) for i in mine]))).all() == []
    # A delivery naming another school's notifications, under this school, finds nothing to send.
    assert notifications.deliver(world.other.id, list(mine)) == []
    assert {n.status for n in notices(world.school) if str(n.id) in mine} <= {NotificationStatus.sent, NotificationStatus.pending}


# --- through a real worker ------------------------------------------------------------------------


@pytest.fixture
def worker(channels) -> Iterator[subprocess.Popen[bytes]]:
    """One Celery worker process with the loopback channels in its settings."""
    with worker_process("test-notification-worker.log", celery_worker(test_kinds=False)) as process:
        yield process


def test_a_register_save_is_sent_by_the_worker_which_retries_a_failing_gateway(world, channels, worker) -> None:
    inbox, gateway = channels
    day = MONDAY + timedelta(days=17)
    gateway.refuse = _phones_of(world, world.siblings)  # each refused once
    save(world, set(world.siblings), day=day)
    alert = notices(world.school, guardian_id=world.parent_guardian, kind=NotificationKind.absence.value)[-1]
    deadline = time.monotonic() + WORKER_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert worker.poll() is None, "the worker exited; see .oneclass/test-notification-worker.log"
        current = notices(world.school, id=alert.id)[0]
        if current.status != NotificationStatus.pending:
            break
        time.sleep(0.5)
    assert current.status == NotificationStatus.sent and current.attempts == 2  # refused once, then sent
    assert [p for p in gateway.received if p["reference"] == str(alert.id)]
    assert inbox is not None


def _phones_of(world: World, student_ids: list[UUID]) -> set[str]:
    with db.tenant_session(world.school.id) as session:
        return set(
            session.exec(
                select(Guardian.phone).join(StudentGuardian, col(StudentGuardian.guardian_id) == Guardian.id).where(col(StudentGuardian.student_id).in_(student_ids))
            ).all()
        )



def test_a_notice_that_cannot_be_written_never_costs_the_register(world, monkeypatch) -> None:
    def broken(*_args: Any) -> None:
        raise RuntimeError("composing failed")

    monkeypatch.setattr(notifications, "_write_absences", broken)
    day = MONDAY + timedelta(days=9)
    save(world, {world.stranger}, day=day)
    view = attendance.open_register(actor=world.teacher, class_id=world.class_id, day=day, today=day)
    assert view.saved


def test_while_redis_is_away_notices_wait_in_the_outbox_and_a_starting_worker_queues_them(world, monkeypatch) -> None:
    notifications.choose_channel(actor=world.teacher, channel="email", sms_opt_out=False)
    monkeypatch.setattr(cache.BREAKER, "_opened_at", time.monotonic())  # Redis is away, as the breaker knows
    with db.unit_of_work(world.admin) as session:
        written = notifications.notify_users(session, world.school.id, [world.teacher.id], "announcement", "outage", "Outage", "While Redis is away.")
    monkeypatch.undo()
    notifications.choose_channel(actor=world.teacher, channel="in_app", sms_opt_out=False)
    assert notices(world.school, id=written[0])[0].status == NotificationStatus.pending  # saved, waiting
    assert notifications.flush_outbox() >= 1  # what a worker does as it starts
