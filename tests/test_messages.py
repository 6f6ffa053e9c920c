"""Announcements and messages against a seeded school: who may write to whom (table-driven),
replies, unread counts and their cheap poll, another school's ids; who may announce to what,
who an audience holds, read counts, attachments (size, type, who may fetch) and withdrawal."""

from collections.abc import Iterator
from dataclasses import dataclass
from uuid import UUID

import pytest
from sqlmodel import Session, col, func, select

from models import Announcement, Enrolment, Guardian, Message, MessageThread, Role, SchoolClass, Student, StudentGuardian, User
from oneclass import db, storage
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import announcements, messages, notifications
from oneclass.services.announcements import AnnouncementInput, Attachment
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.students import children_of, class_ids_taught_by
from oneclass.services.users import create_user
from tests.conftest import SchoolFixture, delete_school, make_school

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


def _actor(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, school_id=user.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


@dataclass
class World:
    fixture: SchoolFixture
    people: dict[str, CurrentUser]
    taught_class: UUID  # a class the demo teacher leads
    untaught_class: UUID  # a class the demo teacher neither teaches nor leads


def _guardian_account(session: Session, school_id: UUID, name: str, student_id: UUID, subdomain: str) -> User:
    user = create_user(session, school_id=school_id, email=f"{name}@{subdomain}.test", full_name=name.replace("_", " ").title(), role=Role.parent)
    guardian = Guardian(school_id=school_id, user_id=user.id, full_name=user.full_name, phone="+263771000000")
    session.add(guardian)
    session.flush()
    session.add(StudentGuardian(school_id=school_id, student_id=student_id, guardian_id=guardian.id, relationship="Mother"))
    return user


def _seed(fixture: SchoolFixture) -> World:
    with db.tenant_session(fixture.id) as session:
        seed_school_records(session, admin=school_admin_of(session, fixture.id), subdomain=fixture.subdomain, level="primary", students=12)
        users = {u.email.split("@")[0]: u for u in session.exec(select(User)).all()}
        teacher = users["teacher"]
        taught = class_ids_taught_by(session, teacher.id)
        led = session.exec(select(SchoolClass.id).where(SchoolClass.class_teacher_id == teacher.id)).one()
        untaught = session.exec(select(SchoolClass.id).where(col(SchoolClass.id).notin_(taught)).order_by(col(SchoolClass.name))).first()
        assert untaught is not None
        student_in = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == led)).first()
        student_out = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == untaught)).first()
        assert student_in is not None and student_out is not None
        users["parent_taught"] = _guardian_account(session, fixture.id, "parent_taught", student_in, fixture.subdomain)
        users["parent_untaught"] = _guardian_account(session, fixture.id, "parent_untaught", student_out, fixture.subdomain)
        children_classes = set(session.exec(select(Enrolment.class_id).where(col(Enrolment.student_id).in_([s.id for s in children_of(session, user_id=users["parent"].id)]))).all())
        users["own_teacher"] = teacher
        users["school_admin_2"] = create_user(session, school_id=fixture.id, email=f"head2@{fixture.subdomain}.test", full_name="Deputy Head", role=Role.school_admin)
        users["other_teacher"] = next(
            u for name, u in sorted(users.items()) if u.role == Role.teacher and not class_ids_taught_by(session, u.id) & children_classes and name != "teacher"
        )
        session.commit()
        people = {name: _actor(user) for name, user in users.items()}
    return World(fixture, people, led, untaught)


@pytest.fixture(scope="module")
def worlds() -> Iterator[tuple[World, World]]:
    a, b = make_school("msga"), make_school("msgb")
    try:
        yield _seed(a), _seed(b)
    finally:
        delete_school(a)
        delete_school(b)


def _count(world: World, table: type) -> int:
    with db.tenant_session(world.fixture.id) as session:
        return session.exec(select(func.count()).select_from(table)).one()


# --- messages --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sender", "recipient", "allowed"),
    [
        ("teacher", "parent_taught", True),  # the guardian of a student they teach
        ("teacher", "parent_untaught", False),  # a guardian of a student they do not teach
        ("teacher", "other_teacher", False),
        ("teacher", "school_admin", False),  # a teacher starts threads only with guardians
        ("parent", "own_teacher", True),  # their child's teacher
        ("parent", "other_teacher", False),  # a teacher of nobody of theirs
        ("parent", "school_admin", True),
        ("parent", "parent_taught", False),
        ("school_admin", "parent_untaught", True),  # an administrator: anyone of the school
        ("school_admin", "other_teacher", True),
        ("school_admin", "school_admin_2", True),
        ("school_admin", "student", False),  # who holds no messages is no contact
        ("student", "own_teacher", PermissionDenied),
        ("staff", "school_admin", PermissionDenied),
    ],
)
def test_who_may_start_a_thread_with_whom(worlds, sender: str, recipient: str, allowed: bool | type[Exception]) -> None:
    world, _ = worlds
    actor, other = world.people[sender], world.people[recipient]
    before = _count(world, MessageThread)
    if allowed is True:
        thread_id = messages.start_thread(actor=actor, recipient_id=other.id, subject="Hello", body="A word, please.")
        assert messages.open_thread(actor=other, thread_id=UUID(thread_id)).messages[0]["body"] == "A word, please."
        assert any(c["id"] == str(other.id) for c in messages.contacts(actor=actor, search=other.full_name))
        return
    expected = allowed if isinstance(allowed, type) else NotFound
    with pytest.raises(expected):
        messages.start_thread(actor=actor, recipient_id=other.id, subject="Hello", body="A word, please.")
    assert _count(world, MessageThread) == before
    if expected is NotFound:
        assert all(c["id"] != str(other.id) for c in messages.contacts(actor=actor))


def test_another_schools_people_and_threads_are_not_found(worlds) -> None:
    a, b = worlds
    with pytest.raises(NotFound):
        messages.start_thread(actor=a.people["school_admin"], recipient_id=b.people["parent"].id, subject="Hi", body="Hi")
    theirs = messages.start_thread(actor=b.people["parent"], recipient_id=b.people["own_teacher"].id, subject="Theirs", body="Private")
    for attempt in (
        lambda: messages.open_thread(actor=a.people["school_admin"], thread_id=UUID(theirs)),
        lambda: messages.reply(actor=a.people["school_admin"], thread_id=UUID(theirs), body="Let me in"),
        lambda: messages.open_thread(actor=b.people["school_admin"], thread_id=UUID(theirs)),  # not a participant, same school
    ):
        with pytest.raises(NotFound):
            attempt()
    assert all(row["id"] != theirs for row in messages.list_threads(actor=a.people["school_admin"]).rows)


def test_a_teacher_answers_an_administrator_and_unread_counts_move(worlds) -> None:
    world, _ = worlds
    admin, teacher, parent = world.people["school_admin"], world.people["teacher"], world.people["parent_taught"]
    thread = UUID(messages.start_thread(actor=admin, recipient_id=teacher.id, subject="Timetable", body="Can we talk?"))
    messages.reply(actor=teacher, thread_id=thread, body="Yes, after lessons.")  # allowed: the admin may write to them
    assert [m["body"] for m in messages.open_thread(actor=admin, thread_id=thread).messages] == ["Can we talk?", "Yes, after lessons."]

    start = messages.unread_count(actor=parent)
    seen = messages.poll_unread(actor=parent, seen=None)
    assert seen.count == start and messages.poll_unread(actor=parent, seen=seen.version).count is None  # nothing moved: no count
    sent = UUID(messages.start_thread(actor=teacher, recipient_id=parent.id, subject="Reading", body="Well done this week."))
    messages.reply(actor=teacher, thread_id=sent, body="Keep it up.")
    moved = messages.poll_unread(actor=parent, seen=seen.version)
    assert moved.count == start + 2 and moved.version != seen.version
    row = next(r for r in messages.list_threads(actor=parent).rows if r["id"] == str(sent))
    assert row["unread"] == 2 and row["other"] == teacher.full_name
    messages.open_thread(actor=parent, thread_id=sent)
    assert messages.poll_unread(actor=parent, seen=moved.version).count == start
    assert messages.unread_count(actor=teacher) == messages.unread_count(actor=teacher)  # the sender's own messages are not unread to them
    messages.reply(actor=parent, thread_id=sent, body="Thank you!")
    assert messages.unread_count(actor=parent) == start


def test_messages_are_refused_when_empty_or_too_long(worlds) -> None:
    world, _ = worlds
    teacher, parent = world.people["teacher"], world.people["parent_taught"]
    before = _count(world, Message)
    with pytest.raises(ValidationFailed) as refused:
        messages.start_thread(actor=teacher, recipient_id=parent.id, subject=" ", body="x" * (messages.MAX_BODY + 1))
    assert set(refused.value.errors) == {"subject", "body"}
    assert _count(world, Message) == before


def test_threads_are_paged(worlds) -> None:
    world, _ = worlds
    admin, teacher = world.people["school_admin"], world.people["other_teacher"]
    for number in range(3):
        messages.start_thread(actor=admin, recipient_id=teacher.id, subject=f"Note {number}", body="See me.")
    first, second = messages.list_threads(actor=admin, page=1, per_page=2), messages.list_threads(actor=admin, page=2, per_page=2)
    assert len(first.rows) == 2 and first.total == second.total >= 3
    assert not {r["id"] for r in first.rows} & {r["id"] for r in second.rows}


# --- announcements ---------------------------------------------------------------------------


def _post(actor: CurrentUser, audience: str, target: str = "", attachment: Attachment | None = None, title: str = "Notice") -> UUID:
    return UUID(announcements.post_announcement(actor=actor, data=AnnouncementInput(audience=audience, target=target, title=title, body="Read me.", attachment=attachment)))


def test_who_may_announce_to_what(worlds) -> None:
    world, other = worlds
    teacher, admin = world.people["teacher"], world.people["school_admin"]
    before = _count(world, Announcement)
    _post(teacher, "class", str(world.taught_class))
    for audience, target, refusal in (
        ("class", str(world.untaught_class), NotFound),  # not a class they teach
        ("class", str(other.taught_class), NotFound),  # another school's class
        ("school", "", ValidationFailed),
        ("role", "parent", ValidationFailed),
        ("level", "G1", ValidationFailed),
    ):
        with pytest.raises(refusal):
            _post(teacher, audience, target)
    for audience, target in (("role", "super_admin"), ("level", "Z9"), ("class", "nonsense"), ("nobody", "")):
        with pytest.raises(ValidationFailed):
            _post(admin, audience, target)
    with pytest.raises(PermissionDenied):
        _post(world.people["parent"], "school")
    _post(admin, "role", "parent")
    assert _count(world, Announcement) == before + 2
    assert set(announcements.audience_choices(actor=teacher)["classes"]) <= {str(c) for c in _taught(world)}


def _taught(world: World) -> set[UUID]:
    with db.tenant_session(world.fixture.id) as session:
        return class_ids_taught_by(session, world.people["teacher"].id)


def _announcement(world: World, announcement_id: UUID) -> Announcement:
    with db.tenant_session(world.fixture.id) as session:
        found = session.get(Announcement, announcement_id)
        assert found is not None
        session.expunge(found)
        return found


def _recipients(world: World, announcement_id: UUID) -> set[UUID]:
    with db.tenant_session(world.fixture.id) as session:
        announcement = session.get(Announcement, announcement_id)
        assert announcement is not None
        return set(announcements.announcement_recipients(session, announcement))


def test_audiences_hold_the_right_people(worlds) -> None:
    world, _ = worlds
    people, admin = world.people, world.people["school_admin"]
    class_notice = _post(people["teacher"], "class", str(world.taught_class))
    members = _recipients(world, class_notice)
    assert {people["teacher"].id, people["parent_taught"].id} <= members
    assert not {people["parent_untaught"].id, people["staff"].id, admin.id} & members
    with db.tenant_session(world.fixture.id) as session:
        enrolled = session.exec(select(Student.user_id).join(Enrolment, col(Enrolment.student_id) == Student.id).where(Enrolment.class_id == world.taught_class)).all()
        level = session.exec(select(SchoolClass.grade_level).where(SchoolClass.id == world.untaught_class)).one()
        parents = set(session.exec(select(User.id).where(User.role == Role.parent)).all())
    assert {u for u in enrolled if u} <= members
    assert _recipients(world, _post(admin, "role", "parent")) == parents
    level_members = _recipients(world, _post(admin, "level", level))
    assert people["parent_untaught"].id in level_members and people["parent_taught"].id not in level_members  # one class a level here
    assert _recipients(world, _post(admin, "school")) >= parents | {admin.id, people["staff"].id}


def test_readers_see_their_audiences_and_the_sender_counts_reads(worlds) -> None:
    world, _ = worlds
    teacher, taught, untaught = world.people["teacher"], world.people["parent_taught"], world.people["parent_untaught"]
    notice = str(_post(teacher, "class", str(world.taught_class), title="Class trip"))

    def shown(actor: CurrentUser) -> dict[str, dict]:
        return {row["id"]: row for row in announcements.read_announcements(actor=actor, per_page=50).rows}

    assert notice not in shown(untaught)
    assert notice not in {row["id"] for row in announcements.latest_announcements(actor=untaught, limit=50)}
    first = shown(taught)[notice]
    assert first["unread"] and not first["mine"] and first["reads"] == 0  # no counts for a reader
    assert not shown(taught)[notice]["unread"]  # shown whole once: read
    mine = shown(teacher)[notice]
    assert mine["mine"] and mine["reads"] == 1 and mine["recipients"] == len(_recipients(world, UUID(notice)))
    shown(taught)
    assert shown(teacher)[notice]["reads"] == 1  # read twice, counted once
    with pytest.raises(NotFound):  # another teacher may not withdraw it
        announcements.withdraw_announcement(actor=world.people["other_teacher"], announcement_id=UUID(notice))


def test_attachments_are_checked_and_served_to_the_audience_only(worlds) -> None:
    world, other = worlds
    teacher, taught, untaught = world.people["teacher"], world.people["parent_taught"], world.people["parent_untaught"]
    before = _count(world, Announcement)
    for attachment in (
        Attachment("big.pdf", PDF + b"0" * announcements.MAX_ATTACHMENT_BYTES),
        Attachment("notes.pdf", b"MZ\x90\x00 not a pdf at all"),
        Attachment("empty.pdf", b""),
    ):
        with pytest.raises(ValidationFailed) as refused:
            _post(teacher, "class", str(world.taught_class), attachment)
        assert "attachment" in refused.value.errors
    assert _count(world, Announcement) == before
    notice = _post(teacher, "class", str(world.taught_class), Attachment("Trip form (signed).PDF", PDF))
    assert announcements.attachment(actor=taught, announcement_id=notice) == ("Trip-form-signed.pdf", "application/pdf", PDF)
    for outsider in (untaught, other.people["school_admin"]):
        with pytest.raises(NotFound):
            announcements.attachment(actor=outsider, announcement_id=notice)
    key = _announcement(world, notice).attachment_key
    assert key is not None and key.startswith(str(world.fixture.id))
    announcements.withdraw_announcement(actor=teacher, announcement_id=notice)
    with pytest.raises(NotFound):
        storage.get(teacher, key)
    with pytest.raises(NotFound):
        announcements.attachment(actor=taught, announcement_id=notice)


def test_another_schools_announcements_are_not_found(worlds) -> None:
    a, b = worlds
    theirs = _post(b.people["school_admin"], "school")
    assert str(theirs) not in {row["id"] for row in announcements.read_announcements(actor=a.people["school_admin"], per_page=50).rows}
    with pytest.raises(NotFound):
        announcements.withdraw_announcement(actor=a.people["school_admin"], announcement_id=theirs)
    assert _announcement(b, theirs).title == "Notice"


def test_an_announcement_s_audience_is_notified_once_and_no_one_else(worlds) -> None:
    world, _ = worlds
    teacher, taught, untaught = world.people["teacher"], world.people["parent_taught"], world.people["parent_untaught"]
    _post(teacher, "class", str(world.taught_class), title="Sports day")

    def notices(actor: CurrentUser) -> list[str]:
        return [row["subject"] for row in notifications.my_notifications(actor=actor, per_page=100).rows if row["subject"] == "Sports day"]

    assert notices(taught) == ["Sports day"]
    assert notices(untaught) == [] and notices(teacher) == []  # not in the audience; the sender is not told
