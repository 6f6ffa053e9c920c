"""Deterministic demo records for one school: last year and this year with three terms each
(built around the day the seed runs), departments, the ZIMSEC
subjects, teachers with staff profiles, classes with teachers, ~300 students with guardians and
emergency contacts. Written through the services, as the app role, under RLS.

The same seed gives the same school every time (random.Random(subdomain)).
"""

import math
import random
from dataclasses import dataclass
from datetime import date, timedelta
from uuid import UUID

from sqlmodel import Session, col, select

from models import (
    GRADE_LEVEL_NAMES,
    AcademicYear,
    GradeLevel,
    Role,
    School,
    SchoolClass,
    SchoolLevel,
    StaffProfile,
    Student,
    Subject,
    User,
)
from oneclass.current_user import CurrentUser
from oneclass.demo_fees import seed_fees
from oneclass.demo_gradebook import seed_gradebook
from oneclass.demo_messages import seed_communication
from oneclass.services import academics, attendance, calendar, timetable
from oneclass.services.academics import TermDates
from oneclass.services.students import EmergencyContactInput, GuardianInput, StudentInput, admit, enrol
from oneclass.services.users import create_user

FIRST_NAMES_FEMALE = ["Tariro", "Rutendo", "Nyasha", "Chipo", "Rumbidzai", "Thandiwe", "Nokuthula", "Ruvimbo", "Tendai", "Farai", "Sithembile", "Kudzai", "Vimbai", "Nomsa", "Tsitsi", "Chiedza", "Shamiso", "Zodwa"]
FIRST_NAMES_MALE = ["Tatenda", "Tinashe", "Tafadzwa", "Kudakwashe", "Takudzwa", "Simbarashe", "Sipho", "Themba", "Blessing", "Tawanda", "Munyaradzi", "Bongani", "Nkosana", "Panashe", "Ropafadzo", "Anesu", "Mthulisi", "Farai"]
LAST_NAMES = ["Moyo", "Ncube", "Sibanda", "Dube", "Mpofu", "Ndlovu", "Nyathi", "Chikwanha", "Mutasa", "Mazarura", "Chirwa", "Gumbo", "Mhlanga", "Zhou", "Marufu", "Chinyoka", "Makoni", "Mlambo", "Hove", "Shumba", "Tshuma", "Banda", "Mugabe", "Chiweshe"]
LANGUAGES = ["Shona", "Ndebele", "English", "Tonga", "Kalanga"]
SUBURBS = {"harare-primary": ["Avondale", "Mabelreign", "Highfield", "Borrowdale", "Warren Park", "Mbare"], "bulawayo-high": ["Suburbs", "Nkulumane", "Hillside", "Luveve", "Pumula", "Famona"]}
# Registers of today's term up to yesterday; when the term starts today (the seed ran in a
# holiday), of the last school days before it: every role's attendance shows something.
DEMO_REGISTER_DAYS = 10
RELATIONSHIPS = ["Mother", "Father", "Grandmother", "Aunt", "Uncle", "Guardian"]
# Form 1 to 4 have two streams; a larger school (the benchmarks') has more, of CLASS_CAPACITY each.
STREAMS = ["Blue", "Green", "Red", "Gold", "White", "Silver", "Orange", "Purple"]
CLASS_CAPACITY = 45


@dataclass(frozen=True)
class DemoYear:
    name: str
    starts_on: date
    ends_on: date
    terms: list[TermDates]


def _usual_year(year: int) -> DemoYear:
    """A Zimbabwean school year much as the ministry gazettes it."""
    terms = [
        TermDates(date(year, 1, 13), date(year, 4, 9)),
        TermDates(date(year, 5, 12), date(year, 8, 6)),
        TermDates(date(year, 9, 8), date(year, 12, 3)),
    ]
    return DemoYear(str(year), date(year, 1, 6), date(year, 12, 11), terms)


def demo_years(today: date) -> tuple[DemoYear, DemoYear]:
    """Last year and this year, with this year's terms moved just enough that `today` is inside
    a term and the term before it is over, whatever the date the demo is seeded: a term starts
    today when today falls in a holiday, the first term starts on 1 January when today is
    earlier, the third lasts to 31 December when today is later."""
    usual = _usual_year(today.year)
    terms = list(usual.terms)
    if today < terms[0].starts_on:
        terms[0] = TermDates(date(today.year, 1, 1), terms[0].ends_on)
    for number in (1, 2):
        if terms[number - 1].ends_on < today < terms[number].starts_on:
            terms[number] = TermDates(today, terms[number].ends_on)
    if today > terms[2].ends_on:
        terms[2] = TermDates(terms[2].starts_on, date(today.year, 12, 31))
    this_year = DemoYear(usual.name, min(usual.starts_on, terms[0].starts_on), max(usual.ends_on, terms[2].ends_on), terms)
    return _usual_year(today.year - 1), this_year


@dataclass(frozen=True)
class DemoCounts:
    students: int
    classes: int
    teachers: int


def _mobile(rng: random.Random) -> str:
    return f"+2637{rng.choice('1378')}{rng.randint(1000000, 9999999)}"


def _class_plan(level: str, students: int) -> list[tuple[GradeLevel, str]]:
    if level == SchoolLevel.primary:
        return [(grade, GRADE_LEVEL_NAMES[grade]) for grade in academics.grade_levels_for(level)]
    # Form 5 and 6 are one class each; Form 1 to 4 share the rest in streams.
    per_form = max(2, math.ceil((math.ceil(students / CLASS_CAPACITY) - 2) / 4))
    plan: list[tuple[GradeLevel, str]] = []
    for grade in academics.grade_levels_for(SchoolLevel.secondary):
        streams = STREAMS[:per_form] if grade in (GradeLevel.F1, GradeLevel.F2, GradeLevel.F3, GradeLevel.F4) else [""]
        plan += [(grade, f"{GRADE_LEVEL_NAMES[grade]} {stream}".strip()) for stream in streams]
    return plan


def seed_school_records(session: Session, *, admin: CurrentUser, subdomain: str, level: str, students: int = 300) -> DemoCounts:
    """Fill a school that has its demo users; the caller commits (one transaction)."""
    rng = random.Random(subdomain)
    school_id = admin.school_id
    assert school_id is not None
    last_year, this_year = demo_years(calendar.today_for(session, school_id))
    academics.add_year(session, actor=admin, name=last_year.name, starts_on=last_year.starts_on, ends_on=last_year.ends_on, terms=last_year.terms)
    year = academics.add_year(
        session, actor=admin, name=this_year.name, starts_on=this_year.starts_on, ends_on=this_year.ends_on, terms=this_year.terms, current=True
    )
    for name in (["Infant", "Junior"] if level == SchoolLevel.primary else ["Languages", "Sciences", "Humanities", "Commercials"]):
        academics.add_department(session, actor=admin, name=name)
    academics.add_zimsec_subjects(session, actor=admin, school_level=level)
    subjects = list(session.exec(select(Subject).order_by(Subject.code)).all())

    demo_teacher = session.exec(select(User).where(User.role == Role.teacher)).first()
    teachers = [demo_teacher] if demo_teacher else []
    for number in range(1, 9):
        gender_names = FIRST_NAMES_FEMALE if number % 2 else FIRST_NAMES_MALE
        full_name = f"{rng.choice(gender_names)} {rng.choice(LAST_NAMES)}"
        teachers.append(create_user(session, school_id=school_id, email=f"teacher{number}@{subdomain}.test", full_name=full_name, role=Role.teacher))
    for number, teacher in enumerate(teachers, start=1):
        if teacher is not None:
            session.add(StaffProfile(school_id=school_id, user_id=teacher.id, employee_number=f"EMP{number:03d}", job_title="Teacher", phone=_mobile(rng)))

    classes: list[SchoolClass] = []
    plan = _class_plan(level, students)
    for index, (grade, name) in enumerate(plan):
        class_teacher = teachers[index % len(teachers)]
        school_class = academics.add_class(
            session, actor=admin, school_level=level, year_id=year.id, grade_level=grade.value, name=name,
            capacity=CLASS_CAPACITY, class_teacher_id=class_teacher.id if class_teacher else None,
        )
        classes.append(school_class)
        for offset, subject in enumerate(s for s in subjects if _subject_fits(s, grade)):
            if offset >= 4:
                break
            teacher = teachers[(index + offset) % len(teachers)]
            if teacher is not None:
                academics.set_teacher(session, actor=admin, class_id=school_class.id, subject_id=subject.id, teacher_id=teacher.id)

    demo_parent = session.exec(select(User).where(User.role == Role.parent)).first()
    demo_student = session.exec(select(User).where(User.role == Role.student)).first()
    for number in range(1, students + 1):
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_FEMALE if female else FIRST_NAMES_MALE)
        last = rng.choice(LAST_NAMES)
        school_class = classes[(number - 1) % len(classes)]
        born = _birth_date(rng, GradeLevel(school_class.grade_level))
        guardian_name = f"{rng.choice(FIRST_NAMES_FEMALE + FIRST_NAMES_MALE)} {last}"
        # The demo parent has two children; the demo student is the first admission.
        guardian_email = demo_parent.email if demo_parent and number in (1, 2) else ""
        result = admit(
            session,
            actor=admin,
            data=StudentInput(
                admission_number=f"{year.name}{number:04d}",
                first_name=first,
                last_name=last,
                date_of_birth=born.isoformat(),
                gender="female" if female else "male",
                birth_certificate_number=f"{rng.randint(1, 99):02d}-{rng.randint(100000, 999999)}{chr(rng.randint(65, 90))}{rng.randint(1, 99):02d}",
                home_language=rng.choice(LANGUAGES),
                address=f"{rng.randint(1, 300)} {rng.choice(SUBURBS.get(subdomain, ['Town']))}",
                medical_notes=rng.choice(["", "", "", "Asthma: inhaler in bag", "Allergic to penicillin"]),
            ),
            guardians=[GuardianInput(full_name=demo_parent.full_name if guardian_email and demo_parent else guardian_name, phone=_mobile(rng), relationship=rng.choice(RELATIONSHIPS), email=guardian_email)],
            contacts=[EmergencyContactInput(name=guardian_name, relationship="Relative", phone=_mobile(rng))],
        )
        enrol(session, actor=admin, student_id=result.student_id, class_id=school_class.id)
        if number == 1 and demo_student:
            student = session.get(Student, result.student_id)
            assert student is not None
            student.user_id = demo_student.id
            session.add(student)
    timetable.add_demo_timetable(session, actor=admin, classes=classes)
    session.flush()
    days = demo_register_days(session, calendar.today_for(session, school_id))
    attendance.seed_registers(session, school_id=school_id, classes=classes, days=days, rng_seed=subdomain)
    seed_gradebook(session, admin=admin, classes=classes, rng=random.Random(f"{subdomain}-gradebook"))
    seed_fees(session, admin=admin)
    seed_communication(session, admin=admin)
    return DemoCounts(students=students, classes=len(classes), teachers=len(teachers))


def demo_register_days(session: Session, today: date) -> list[date]:
    """The school days whose registers the demo takes: today's term up to yesterday."""
    term = calendar.term_for_day(session, today)
    days = calendar.school_days(session, term.starts_on, today - timedelta(days=1)) if term is not None else []
    return days or attendance.recent_school_days(session, today, DEMO_REGISTER_DAYS)


def _subject_fits(subject: Subject, grade: GradeLevel) -> bool:
    if grade.value.startswith(("ECD", "G")):
        return subject.level == "primary"
    return subject.level == ("a_level" if grade in (GradeLevel.F5, GradeLevel.F6) else "o_level")


def _birth_date(rng: random.Random, grade: GradeLevel) -> date:
    """Roughly the right age for the grade: ECD A at 4, Grade 1 at 6, Form 1 at 13."""
    order = [*academics.grade_levels_for(SchoolLevel.combined)]
    age = 4 + order.index(grade)
    return date(date.today().year - age, 1, 1) + timedelta(days=rng.randint(0, 364))


def school_admin_of(session: Session, school_id: UUID) -> CurrentUser:
    """The school's (first) admin as an acting user, for writing demo data through services."""
    admin = session.exec(select(User).where(User.role == Role.school_admin).order_by(col(User.created_at))).first()
    assert admin is not None, "the school needs an admin first"
    return CurrentUser(id=admin.id, school_id=school_id, email=admin.email, full_name=admin.full_name, role=admin.role, family_id=admin.id)


def add_full_class(
    session: Session, *, admin: CurrentUser, teacher_id: UUID, grade_level: str, name: str, size: int, tag: str
) -> tuple[SchoolClass, list[str]]:
    """A class of `size` students of this year led by `teacher_id` (the browser tests' and the
    benchmarks' set-up): the class and its students' full names, in the register's order."""
    school = session.get(School, admin.school_id)
    assert school is not None
    year_id = session.exec(select(AcademicYear.id).where(AcademicYear.school_id == admin.school_id, col(AcademicYear.is_current))).one()
    made = academics.add_class(
        session, actor=admin, school_level=str(school.level), year_id=year_id, grade_level=grade_level,
        name=name, capacity=size + 5, class_teacher_id=teacher_id,
    )
    names = []
    for number in range(1, size + 1):
        last = f"Pupil{number:02d}{tag}"
        admit(
            session, actor=admin, class_id=made.id,
            data=StudentInput(admission_number=f"K{tag}{number:02d}", first_name="Pupil", last_name=last, date_of_birth="2016-03-04", gender="female"),
            guardians=[GuardianInput(full_name=f"Guardian {last}", phone="+263771234567", relationship="Mother")],
        )
        names.append(f"Pupil {last}")
    return made, names
