"""The demo's gradebook: the default scales written out, two assessments per subject a class is
taught in each term of this year that has started (the current term's exam not yet sat), marks
for every student, and the finished terms' report cards published with the class teacher's and
the head's comments. Deterministic per school."""

import random
from decimal import Decimal

from sqlmodel import Session, col, select

from models import Assessment, AssessmentKind, Enrolment, Mark, ReportComment, ReportPublication, SchoolClass, SubjectLevel, TeachingAssignment, Term
from oneclass.current_user import CurrentUser
from oneclass.services import calendar
from oneclass.services.gradebook import write_scale
from oneclass.services.grading import DEFAULT_SCALES, scale_level

# (name, kind, maximum, weight): a test and the end-of-term exam, which counts double.
DEMO_ASSESSMENTS = [("Test 1", AssessmentKind.test, Decimal(50), Decimal(1)), ("End of term exam", AssessmentKind.exam, Decimal(100), Decimal(2))]
ABSENT_RATE = 0.04
# Stored words (like names, never translated): from the weakest student's to the strongest's.
TEACHER_COMMENTS = [
    "Needs steady effort in class and at home; ask for help early.",
    "A fair term. More practice with homework will lift the marks.",
    "Good, consistent work. Keep it up.",
    "Excellent work and a fine example to the class.",
]
HEAD_COMMENTS = ["We look forward to better results next term.", "A promising term.", "Well done."]


def seed_gradebook(session: Session, *, admin: CurrentUser, classes: list[SchoolClass], rng: random.Random) -> int:
    """Fill the gradebook of `classes`; returns how many marks were written. The caller commits."""
    school_id = admin.school_id
    assert school_id is not None
    for level in SubjectLevel:
        write_scale(session, school_id=school_id, level=level, bands=DEFAULT_SCALES[level])
    today = calendar.today_for(session, school_id)
    written = 0
    for school_class in classes:
        if scale_level(school_class.grade_level) is None:
            continue
        terms = session.exec(
            select(Term).where(Term.academic_year_id == school_class.academic_year_id, col(Term.starts_on) <= today).order_by(col(Term.number))
        ).all()
        subjects = session.exec(select(TeachingAssignment.subject_id).where(TeachingAssignment.class_id == school_class.id)).all()
        students = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == school_class.id)).all()
        ability = {student_id: rng.uniform(0.3, 0.95) for student_id in students}
        for term in terms:
            finished = term.ends_on < today
            for subject_id in subjects:
                for name, kind, max_mark, weight in DEMO_ASSESSMENTS:
                    assessment = Assessment(
                        school_id=school_id, class_id=school_class.id, subject_id=subject_id, term_id=term.id, name=name, kind=kind,
                        max_mark=max_mark, weight=weight, created_by=admin.id,
                    )
                    session.add(assessment)
                    session.flush()
                    if kind == AssessmentKind.exam and not finished:
                        continue
                    for student_id in students:
                        absent = rng.random() < ABSENT_RATE
                        score = min(1.0, max(0.0, rng.gauss(ability[student_id], 0.12)))
                        mark = None if absent else (max_mark * Decimal(round(score * 100)) / 100).quantize(Decimal(1))
                        session.add(Mark(school_id=school_id, assessment_id=assessment.id, student_id=student_id, mark=mark, absent=absent, updated_by=admin.id))
                        written += 1
            if finished:
                session.add(ReportPublication(school_id=school_id, term_id=term.id, class_id=school_class.id, published_by=admin.id))
                for student_id in students:
                    band = min(len(TEACHER_COMMENTS) - 1, int((ability[student_id] - 0.3) / 0.65 * len(TEACHER_COMMENTS)))
                    session.add(ReportComment(
                        school_id=school_id, term_id=term.id, student_id=student_id, teacher_comment=TEACHER_COMMENTS[band],
                        head_comment=HEAD_COMMENTS[min(len(HEAD_COMMENTS) - 1, band * len(HEAD_COMMENTS) // len(TEACHER_COMMENTS))], updated_by=admin.id,
                    ))
    session.flush()
    return written
