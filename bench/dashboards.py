"""Dashboards benchmark: each role's dashboard as its page's on_load asks for it (its cards'
service calls, one after another), on a demo school of 1,000 students (the demo builder: a term of
registers, the gradebook, the timetable). Prints p50/p95 per card and per dashboard; asserts nothing.

    .venv/bin/python bench/dashboards.py [--rounds 50] [--students 1000]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own database.
"""

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import text
from sqlmodel import select

from bench.data import drop_data, new_database, servers
from bench.stats import percentiles
from models import School, SchoolLevel, User
from oneclass import db, migrate
from oneclass.seed import seed_school
from oneclass.services import attendance, dashboards, timetable
from oneclass.services.auth import CurrentUser
from oneclass.services.schools import create_school
from tests.conftest import apply_settings

SUBDOMAIN = "bench-dashboards"


def actors(school_id: Any) -> dict[str, CurrentUser]:
    with db.tenant_session(school_id) as session:
        found = {}
        for local in ("admin", "teacher", "student", "parent"):
            user = session.exec(select(User).where(User.email == f"{local}@{SUBDOMAIN}.test")).one()
            found[local] = CurrentUser(id=user.id, school_id=school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)
    return found


def dashboards_of(who: dict[str, CurrentUser]) -> dict[str, list[tuple[str, Callable[[], object]]]]:
    admin, teacher, student, parent = who["admin"], who["teacher"], who["student"], who["parent"]
    family = lambda actor: [  # noqa: E731
        ("recent marks", lambda: dashboards.recent_marks(actor=actor)),
        ("attendance this term", lambda: dashboards.attendance_this_term(actor=actor)),
        ("next lessons", lambda: dashboards.next_lessons(actor=actor)),
    ]
    return {
        "school admin": [
            ("enrolment by level", lambda: dashboards.enrolment_by_level(actor=admin)),
            ("today's attendance", lambda: dashboards.attendance_today(actor=admin)),
            ("recent activity", lambda: dashboards.recent_activity(actor=admin)),
        ],
        "teacher": [
            ("today's lessons", lambda: timetable.todays_lessons(actor=teacher)),
            ("registers still to take", lambda: attendance.registers_due(actor=teacher)),
            ("marks still to enter", lambda: dashboards.marks_to_enter(actor=teacher)),
        ],
        "student": family(student),
        "parent (two children)": family(parent),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=50)
    parser.add_argument("--students", type=int, default=1000)
    parser.add_argument("--no-analyze", action="store_true", help="measure before the tables' statistics are gathered")
    args = parser.parse_args()
    server_url, _redis = servers()
    url = new_database(server_url)
    try:
        migrate.upgrade(url)
        apply_settings(DATABASE_URL=url)
        with db.owner_session() as session:
            school = create_school(session, name="Bench Dashboards", subdomain=SUBDOMAIN, level=SchoolLevel.secondary)
            session.commit()
            school = session.exec(select(School).where(School.subdomain == SUBDOMAIN)).one()
        started = time.perf_counter()
        seed_school(school, students=args.students)
        print(f"data: a demo school of {args.students} students (a term of registers, marks, timetable) in {time.perf_counter() - started:.1f} s")
        if not args.no_analyze:  # what autovacuum does within a minute of a bulk load
            with db.owner_session() as session:
                session.execute(text("ANALYZE"))
                session.commit()
        for dashboard, cards in dashboards_of(actors(school.id)).items():
            totals: list[float] = []
            per_card: dict[str, list[float]] = {name: [] for name, _call in cards}
            for _round in range(args.rounds):
                begun = time.perf_counter()
                for name, call in cards:
                    card_begun = time.perf_counter()
                    call()
                    per_card[name].append((time.perf_counter() - card_begun) * 1000)
                totals.append((time.perf_counter() - begun) * 1000)
            print(f"{dashboard + ' dashboard':32s} {percentiles(totals)}")
            for name, samples in per_card.items():
                print(f"    {name:28s} {percentiles(samples)}")
    finally:
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
