"""Teaching benchmark: what a teacher's Save costs over the websocket, as their tab sends it
(bench/reflex_client.py): a register of 40 saved whole, and a mark grid of 40 saved whole, each
from the event sent to the state update that answers it. Prints p50/p95; asserts nothing.

    .venv/bin/python bench/teaching.py [--saves 40] [--port 3370]

Runs `oneclass run` on a database of its own (the demo seed), adds a class of 40 led and taught
by the demo teacher of Harare Primary, and drops the database afterwards. The service-level
figures (a grid through the service, term grades of 1,000 students) are bench/gradebook.py's.
"""

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine
from sqlmodel import Session, select

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import drop_data, new_database, running_app, servers
from bench.reflex_client import Tab, handler_name
from models import Assessment, AssessmentKind, School, Subject, User
from oneclass import db, routes
from oneclass.demo_records import add_full_class, school_admin_of
from oneclass.seed import DEMO_PASSWORD
from oneclass.services import academics, calendar
from state.attendance import RegisterState
from state.auth import AuthState
from state.gradebook import MARK_FIELD, GradebookState

SCHOOL = "harare-primary"
TEACHER = f"teacher@{SCHOOL}.test"
CLASS_SIZE = 40
MAX_MARK = 50


@dataclass(frozen=True)
class Setup:
    class_id: str
    subject_id: str
    term_id: str
    assessment_id: str
    day: str


def class_of_forty(url: str) -> Setup:
    """A class of 40 the demo teacher leads and teaches one subject to, with one assessment this
    term (set-up through the services, on the server's superuser connection)."""
    tag = uuid.uuid4().hex[:6]
    engine = create_engine(db.normalise_url(url))
    try:
        with Session(engine) as session:
            school_id = session.exec(select(School.id).where(School.subdomain == SCHOOL)).one()
            admin = school_admin_of(session, school_id)
            teacher_id = session.exec(select(User.id).where(User.email == TEACHER)).one()
            made, _names = add_full_class(session, admin=admin, teacher_id=teacher_id, grade_level="G5", name=f"Grade 5 Bench {tag}", size=CLASS_SIZE, tag=tag)
            subject = session.exec(select(Subject).where(Subject.school_id == school_id, Subject.level == "primary")).first()
            assert subject is not None
            academics.set_teacher(session, actor=admin, class_id=made.id, subject_id=subject.id, teacher_id=teacher_id)
            today = calendar.school_today(session.get(School, school_id).timezone)  # type: ignore[union-attr]
            day = today
            while not calendar.is_school_day(session, day):
                day -= timedelta(days=1)
            term = calendar.term_for_day(session, day)
            assert term is not None
            assessment = Assessment(
                school_id=school_id, class_id=made.id, subject_id=subject.id, term_id=term.id, name="Bench test",
                kind=AssessmentKind.test, max_mark=Decimal(MAX_MARK), weight=Decimal(1), created_by=admin.id,
            )
            session.add(assessment)
            session.commit()
            return Setup(str(made.id), str(subject.id), str(term.id), str(assessment.id), day.isoformat())
    finally:
        engine.dispose()


async def call(tab: Tab, state: type[Any], handler: str, payload: dict[str, Any], answer: str) -> tuple[float, Any]:
    since = tab.mark()
    started = time.perf_counter()
    await tab.send(handler_name(state, handler), payload)
    value = await tab.until(state, answer, since)
    return (time.perf_counter() - started) * 1000, value


async def measure(port: int, setup: Setup, saves: int) -> dict[str, list[float]]:
    tab = Tab(f"http://{SCHOOL}.localhost:{port}")
    await tab.connect(routes.LOGIN)
    since = tab.mark()
    await tab.send(handler_name(AuthState, "sign_in"), {"form": {"email": TEACHER, "password": DEMO_PASSWORD}})
    await tab.until(AuthState, "access_token", since, accept=bool)
    rng = random.Random(7)

    since = tab.mark()
    await tab.navigate(f"{routes.REGISTERS}?class={setup.class_id}")
    await tab.until(RegisterState, "rows", since, accept=bool)
    await call(tab, RegisterState, "choose_day", {"value": setup.day}, "rows")
    await call(tab, RegisterState, "set_change_reason", {"value": "benchmark"}, "change_reason")
    register: list[float] = []
    for _ in range(saves):
        _, rows = await call(tab, RegisterState, "save", {}, "rows")
        assert len(rows) == CLASS_SIZE, f"the register holds {len(rows)} students"
        chosen = rng.choice(rows)
        await call(tab, RegisterState, "mark", {"student_id": chosen["student_id"], "status": rng.choice(["present", "absent", "late"])}, "rows")
        await call(tab, RegisterState, "set_change_reason", {"value": "benchmark"}, "change_reason")
        elapsed, _ = await call(tab, RegisterState, "save", {}, "rows")
        register.append(elapsed)
        tab.forget_updates()

    since = tab.mark()
    await tab.navigate(routes.GRADEBOOK)
    await tab.until(GradebookState, "class_choices", since)
    await call(tab, GradebookState, "choose_class", {"value": setup.class_id}, "assessments")
    await call(tab, GradebookState, "choose_subject", {"value": setup.subject_id}, "assessments")
    await call(tab, GradebookState, "choose_term", {"value": setup.term_id}, "assessments")
    _, rows = await call(tab, GradebookState, "open_grid", {"assessment_id": setup.assessment_id}, "grid_rows")
    assert len(rows) == CLASS_SIZE, f"the grid holds {len(rows)} students"
    grid: list[float] = []
    for _ in range(saves):
        form = {f"{MARK_FIELD}{row['student_id']}": str(rng.randint(0, MAX_MARK)) for row in rows}
        elapsed, notice = await call(tab, GradebookState, "save_marks", {"form": form}, "grid_notice")
        assert notice, "the grid was saved"
        grid.append(elapsed)
        tab.forget_updates()
    await tab.close()
    return {"register of 40 saved": register, "mark grid of 40 saved": grid}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--saves", type=int, default=40)
    parser.add_argument("--port", type=int, default=3370)
    args = parser.parse_args()
    server_url, redis_url = servers()
    url = new_database(server_url)
    try:
        with running_app(url, redis_url, args.port):
            setup = class_of_forty(url)
            figures = asyncio.run(measure(args.port, setup, args.saves))
    finally:
        drop_data(server_url, url)
    for action, samples in figures.items():
        ordered = sorted(samples)
        p95 = ordered[int(0.95 * (len(ordered) - 1))]
        print(f"{action:<24} p50 {statistics.median(ordered):7.1f} ms  p95 {p95:7.1f} ms  (n={len(ordered)}, event sent -> state update back)")


if __name__ == "__main__":
    main()
