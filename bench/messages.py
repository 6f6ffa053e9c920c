"""Messages benchmark: the service-side cost of posting a message, opening a thread (which
marks it read) and the navigation's unread-count poll, both while nothing has moved (one Redis
GET) and after a message arrived (the GET and one indexed count), on a school with demo records
and a parent with a long conversation. Then what 1,000 open tabs polling every
UNREAD_POLL_SECONDS would ask of the server per second. Prints figures; asserts nothing.

    .venv/bin/python bench/messages.py [--rounds 200] [--students 120]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database (bench/data.py's bench_school). The websocket's own cost per event (state load and
save, the sign-in check) is the one every handler pays: bench/load.py measures it.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from uuid import UUID

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import col, select

from bench.data import bench_school
from bench.stats import percentile, percentiles
from models import Enrolment, Guardian, Role, SchoolClass, StudentGuardian, User
from oneclass import db
from oneclass.services import messages
from oneclass.services.auth import CurrentUser
from oneclass.services.users import create_user
from state.messages import UNREAD_POLL_SECONDS

TABS = 1000


def acting(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, school_id=user.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


def class_teacher_and_parent(admin: CurrentUser) -> tuple[CurrentUser, CurrentUser]:
    """A class teacher, and a parent account given to the guardian of a student in their class."""
    assert admin.school_id is not None
    with db.tenant_session(admin.school_id) as session:
        school_class = session.exec(select(SchoolClass).where(col(SchoolClass.class_teacher_id).isnot(None))).first()
        assert school_class is not None and school_class.class_teacher_id is not None
        student = select(Enrolment.student_id).where(Enrolment.class_id == school_class.id)
        guardian = session.exec(
            select(Guardian).join(StudentGuardian, col(StudentGuardian.guardian_id) == Guardian.id).where(col(StudentGuardian.student_id).in_(student))
        ).first()
        assert guardian is not None
        account = create_user(session, school_id=admin.school_id, email="parent@bench.test", full_name=guardian.full_name, role=Role.parent)
        guardian.user_id = account.id
        session.add(guardian)
        session.commit()
        teacher = session.get(User, school_class.class_teacher_id)
        assert teacher is not None
        return acting(teacher), acting(account)


def sample(rounds: int, action: Callable[[int], Any], before: Callable[[int], Any] | None = None) -> list[float]:
    """The time of each `action(n)`; `before(n)`, untimed, sets its scene."""
    samples = []
    for number in range(rounds):
        if before is not None:
            before(number)
        started = time.perf_counter()
        action(number)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--students", type=int, default=120)
    args = parser.parse_args()
    with bench_school(args.students) as admin:
        teacher, parent = class_teacher_and_parent(admin)
        thread = UUID(messages.start_thread(actor=teacher, recipient_id=parent.id, subject="Bench", body="First."))

        posting = sample(args.rounds, lambda n: messages.reply(actor=teacher, thread_id=thread, body=f"Message {n}: the reading card is signed."))
        opening = sample(
            args.rounds, lambda n: messages.open_thread(actor=parent, thread_id=thread),
            before=lambda n: messages.reply(actor=teacher, thread_id=thread, body=f"More {n}"),  # something new to read each time
        )
        seen = messages.poll_unread(actor=parent, seen=None).version
        quiet = sample(args.rounds * 5, lambda n: messages.poll_unread(actor=parent, seen=seen))
        moved = sample(args.rounds, lambda n: messages.poll_unread(actor=parent, seen=-1))
        threads = messages.list_threads(actor=parent).total

        print(f"school of {args.students} students; one thread of {args.rounds * 2 + 1} messages; the parent has {threads} thread(s)")
        print(f"post a message (reply):                {percentiles(posting)}")
        print(f"open a thread (marks it read):         {percentiles(opening)}  ({messages.THREAD_MESSAGES} newest shown)")
        print(f"unread poll, nothing moved (Redis GET): {percentiles(quiet)}")
        print(f"unread poll after a message (GET+count): {percentiles(moved)}")
        per_second = TABS / UNREAD_POLL_SECONDS
        busy = per_second * percentile(quiet, 0.5)
        print(f"{TABS} open tabs polling every {UNREAD_POLL_SECONDS} s: {per_second:.0f} polls/s, about {busy:.0f} ms of service time per second "
              f"while nothing moves (plus each event's sign-in check and state load, as for any event)")


if __name__ == "__main__":
    main()
