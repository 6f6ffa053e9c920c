"""The demo's announcements and messages: a notice from the head to the whole school, the demo
teacher's notice to their class (read by the demo parent) and a conversation between the demo
parent and the demo teacher, its last message still unread by the parent. Written in the
caller's transaction; the caller commits."""

from datetime import timedelta

from sqlmodel import Session, select

from models import Announcement, AnnouncementRead, Audience, Message, MessageThread, Role, SchoolClass, ThreadParticipant, User
from models.common import utcnow
from oneclass.current_user import CurrentUser


def seed_communication(session: Session, *, admin: CurrentUser) -> None:
    school_id = admin.school_id
    assert school_id is not None
    teacher = session.exec(select(User).where(User.role == Role.teacher).order_by(User.created_at)).first()  # type: ignore[arg-type]
    parent = session.exec(select(User).where(User.role == Role.parent).order_by(User.created_at)).first()  # type: ignore[arg-type]
    session.add(Announcement(
        school_id=school_id, author_id=admin.id, audience=Audience.school, title="Sports day",
        body="Sports day is on Friday. Children may come in their house colours.",
    ))
    if teacher is None or parent is None:
        return
    led = session.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher.id)).first()
    if led is not None:
        notice = Announcement(
            school_id=school_id, author_id=teacher.id, audience=Audience.class_, class_id=led.id, title="Reading books",
            body="Please help your child read for twenty minutes each evening and sign the reading card.",
        )
        session.add(notice)
        session.flush()
        session.add(AnnouncementRead(school_id=school_id, announcement_id=notice.id, user_id=parent.id))
    start = utcnow() - timedelta(hours=2)
    thread = MessageThread(school_id=school_id, subject="Homework", created_by=parent.id, created_at=start, last_message_at=start + timedelta(hours=1))
    session.add(thread)
    session.flush()
    session.add(ThreadParticipant(school_id=school_id, thread_id=thread.id, user_id=parent.id, last_read_at=start))
    session.add(ThreadParticipant(school_id=school_id, thread_id=thread.id, user_id=teacher.id, last_read_at=start + timedelta(hours=1)))
    session.add(Message(school_id=school_id, thread_id=thread.id, sender_id=parent.id, body="Is there homework this week?", created_at=start))
    session.add(Message(
        school_id=school_id, thread_id=thread.id, sender_id=teacher.id, body="Yes: the reading card and page 12 of the maths book.",
        created_at=start + timedelta(hours=1),
    ))
