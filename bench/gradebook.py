"""Gradebook benchmark: saving a mark grid of 40 (the service call a Save makes: every mark
changed, and the same grid again, which writes nothing) and a term's grades for 1,000 students
x 10 subjects (two assessments each). Prints figures; asserts nothing.

    .venv/bin/python bench/gradebook.py [--saves 50]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database (one secondary school of 1,000 students in 25 classes of 40).
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import as_owner, drop_data, prepare, school_admin_actor
from bench.stats import percentiles
from oneclass.services import gradebook
from oneclass.services.gradebook import MarkInput
from tests.conftest import apply_settings

GRADEBOOK_SQL = [
    "INSERT INTO academic_years (school_id, name, starts_on, ends_on, is_current) VALUES (:s, '2026', '2026-01-06', '2026-12-11', true)",
    "INSERT INTO terms (school_id, academic_year_id, number, starts_on, ends_on) SELECT :s, id, 1, '2026-01-13', '2026-04-09' FROM academic_years",
    "INSERT INTO classes (school_id, academic_year_id, grade_level, name, capacity) "
    "SELECT :s, y.id, 'F3', 'Form 3 ' || lpad(n::text, 2, '0'), 40 FROM academic_years y CROSS JOIN generate_series(1, 25) n",
    "INSERT INTO subjects (school_id, code, name, level) SELECT :s, 'S' || n, 'Subject ' || n, 'o_level' FROM generate_series(1, 10) n",
    "INSERT INTO enrolments (school_id, student_id, class_id, academic_year_id) "
    "SELECT :s, st.id, c.id, c.academic_year_id "
    "FROM (SELECT id, row_number() OVER (ORDER BY admission_number) - 1 AS i FROM students) st "
    "JOIN (SELECT id, academic_year_id, row_number() OVER (ORDER BY name) - 1 AS j FROM classes) c ON c.j = st.i / 40",
    "INSERT INTO assessments (school_id, class_id, subject_id, term_id, name, kind, max_mark, weight) "
    "SELECT :s, c.id, sub.id, t.id, a.name, a.kind, a.max, a.w FROM classes c CROSS JOIN subjects sub CROSS JOIN terms t "
    "CROSS JOIN (VALUES ('Test 1', 'test', 50, 1), ('Exam', 'exam', 100, 2)) AS a(name, kind, max, w)",
    "INSERT INTO marks (school_id, assessment_id, student_id, mark, absent) "
    "SELECT :s, a.id, e.student_id, floor(random() * (a.max_mark + 1)), false FROM assessments a JOIN enrolments e ON e.class_id = a.class_id",
    "ANALYZE",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--saves", type=int, default=50)
    args = parser.parse_args()
    server_url, _redis, url, pairs = prepare(1, 1000)
    school_id = pairs[0][1]
    try:
        started = time.perf_counter()
        with as_owner(url, school_id, GRADEBOOK_SQL) as connection:
            actor = school_admin_actor(connection, school_id)
            assessment_id = connection.execute(text("SELECT id FROM assessments ORDER BY id LIMIT 1")).scalar_one()
            class_students = [row[0] for row in connection.execute(
                text("SELECT e.student_id FROM enrolments e JOIN assessments a ON a.class_id = e.class_id WHERE a.id = :a"), {"a": assessment_id}
            )]
            every_student = [row[0] for row in connection.execute(text("SELECT id FROM students"))]
            term_id = connection.execute(text("SELECT id FROM terms")).scalar_one()
            marks = connection.execute(text("SELECT count(*) FROM marks")).scalar_one()
        print(f"gradebook: 25 classes x 10 subjects x 2 assessments, {marks} marks in {time.perf_counter() - started:.1f} s")
        apply_settings(DATABASE_URL=url)

        changed, unchanged = [], []
        for number in range(args.saves):
            grid = [MarkInput(student_id, str((number + offset) % 50)) for offset, student_id in enumerate(class_students)]
            started = time.perf_counter()
            gradebook.save_marks(actor=actor, assessment_id=assessment_id, marks=grid)
            changed.append((time.perf_counter() - started) * 1000)
            started = time.perf_counter()
            gradebook.save_marks(actor=actor, assessment_id=assessment_id, marks=grid)
            unchanged.append((time.perf_counter() - started) * 1000)
        print(f"save a grid of {len(class_students)}, every mark changed: {percentiles(changed)}")
        print(f"save the same grid again (writes nothing):   {percentiles(unchanged)}")

        per_student = []
        started = time.perf_counter()
        for student_id in every_student:
            begun = time.perf_counter()
            grades = gradebook.student_grades(actor=actor, student_id=student_id, term_id=term_id)
            per_student.append((time.perf_counter() - begun) * 1000)
            assert len(grades) == 10
        total = time.perf_counter() - started
        print(f"term grades, {len(every_student)} students x 10 subjects: {total:.1f} s in all, mean {statistics.mean(per_student):.1f} ms; {percentiles(per_student)}")
    finally:
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
