"""Registers benchmark: saving a register of 40 (the service call the page's Save makes: some
marks changed, and the same register again, which writes nothing), and a class's and the
school's summaries over a term of registers. Prints figures; asserts nothing.

    .venv/bin/python bench/registers.py [--saves 50]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database (one school of 1,000 students in 25 classes of 40, a term of registers).
"""

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import as_owner, drop_data, prepare, school_admin_actor
from bench.stats import percentiles
from oneclass.services import attendance
from oneclass.services.attendance import EntryInput
from tests.conftest import apply_settings

TERM_START, TERM_END = date(2026, 1, 12), date(2026, 4, 9)
REGISTERS_SQL = [
    "INSERT INTO academic_years (school_id, name, starts_on, ends_on, is_current) VALUES (:s, '2026', '2026-01-05', '2026-12-11', true)",
    "INSERT INTO terms (school_id, academic_year_id, number, starts_on, ends_on) SELECT :s, id, 1, '2026-01-12', '2026-04-09' FROM academic_years",
    "INSERT INTO classes (school_id, academic_year_id, grade_level, name, capacity) "
    "SELECT :s, y.id, 'F3', 'Form 3 ' || lpad(n::text, 2, '0'), 40 FROM academic_years y CROSS JOIN generate_series(1, 25) n",
    "INSERT INTO enrolments (school_id, student_id, class_id, academic_year_id) "
    "SELECT :s, st.id, c.id, c.academic_year_id "
    "FROM (SELECT id, row_number() OVER (ORDER BY admission_number) - 1 AS i FROM students) st "
    "JOIN (SELECT id, academic_year_id, row_number() OVER (ORDER BY name) - 1 AS j FROM classes) c ON c.j = st.i / 40",
    # A term of registers for every class but the first (the one the saves below write into).
    "INSERT INTO attendance_registers (school_id, class_id, day) "
    "SELECT :s, c.id, d::date FROM classes c CROSS JOIN generate_series('2026-01-12'::date, '2026-03-27'::date, '1 day') d "
    "WHERE extract(isodow FROM d) < 6 AND c.name <> 'Form 3 01'",
    "INSERT INTO attendance_records (school_id, register_id, student_id, status, reason) "
    "SELECT :s, r.id, e.student_id, CASE WHEN random() < 0.06 THEN 'absent' WHEN random() < 0.04 THEN 'late' ELSE 'present' END, NULL "
    "FROM attendance_registers r JOIN enrolments e ON e.class_id = r.class_id",
    "ANALYZE",
]


def school_days(count: int) -> list[date]:
    days, day = [], TERM_START
    while len(days) < count and day <= TERM_END:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=50)
    args = parser.parse_args()
    server_url, _redis, url, pairs = prepare(1, 1000)
    school_id = pairs[0][1]
    try:
        started = time.perf_counter()
        with as_owner(url, school_id, REGISTERS_SQL) as connection:
            actor = school_admin_actor(connection, school_id)
            class_id = connection.execute(text("SELECT id FROM classes WHERE name = 'Form 3 01'")).scalar_one()
            other_class = connection.execute(text("SELECT id FROM classes WHERE name = 'Form 3 02'")).scalar_one()
            roster = [row[0] for row in connection.execute(text("SELECT student_id FROM enrolments WHERE class_id = :c"), {"c": class_id})]
            records = connection.execute(text("SELECT count(*) FROM attendance_records")).scalar_one()
        print(f"registers: 25 classes of 40, {records} records of a term in {time.perf_counter() - started:.1f} s")
        apply_settings(DATABASE_URL=url)

        first, changed, unchanged = [], [], []
        for number, day in enumerate(school_days(args.saves)):
            # Each day is "today" for its saves, as a teacher saves during the day: no reason asked.
            marks = [EntryInput(str(s), "absent" if (i + number) % 9 == 0 else "present") for i, s in enumerate(roster)]
            begun = time.perf_counter()
            attendance.save_register(actor=actor, class_id=class_id, day=day, entries=marks, today=day)
            first.append((time.perf_counter() - begun) * 1000)
            again = [EntryInput(m.student_id, "late" if m.status == "absent" else m.status) for m in marks]
            begun = time.perf_counter()
            attendance.save_register(actor=actor, class_id=class_id, day=day, entries=again, today=day)
            changed.append((time.perf_counter() - begun) * 1000)
            begun = time.perf_counter()
            attendance.save_register(actor=actor, class_id=class_id, day=day, entries=again, today=day)
            unchanged.append((time.perf_counter() - begun) * 1000)
        print(f"save a register of {len(roster)}, first time:          {percentiles(first)}")
        print(f"save it again, a few marks changed:        {percentiles(changed)}")
        print(f"save the same register again (no change):  {percentiles(unchanged)}")

        opened = []
        for day in school_days(args.saves):
            begun = time.perf_counter()
            attendance.open_register(actor=actor, class_id=class_id, day=day, today=day)
            opened.append((time.perf_counter() - begun) * 1000)
        print(f"open a saved register of {len(roster)}:               {percentiles(opened)}")

        for label, call in (
            ("class summary (a term of registers)", lambda: attendance.class_summary(actor=actor, class_id=other_class)),
            ("school summary (25 classes, a term)", lambda: attendance.school_summary(actor=actor)),
        ):
            times = []
            for _ in range(10):
                begun = time.perf_counter()
                call()
                times.append((time.perf_counter() - begun) * 1000)
            print(f"{label}: mean {statistics.mean(times):.1f} ms; {percentiles(times)}")
    finally:
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
