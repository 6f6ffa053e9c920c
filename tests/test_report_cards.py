"""Report cards: the card assembled as a pure function (positions, passes, points, aggregates,
ECD), the PDF it renders to (read back with pypdf, in Shona too), and the service on real
PostgreSQL: who gets a card (unpublished: not found to students and parents), comments by the
class teacher and the head, and another school's ids."""

import io
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlmodel import col, select

from models import Assessment, Enrolment, Guardian, Mark, ReportPublication, School, SchoolClass, Student, StudentGuardian, SubjectLevel, Term, User
from oneclass import db, i18n
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import calendar, report_cards, school_settings
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.grading import DEFAULT_SCALES, Entry
from oneclass.services.report_card import Position, ReportFacts, SubjectMarks, assemble, average, positions
from oneclass.services.report_pdf import render
from tests.conftest import SchoolFixture, delete_school, make_school


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


# --- the pure card ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("averages", "expected"),
    [
        ({}, {}),
        ({"a": Fraction(70)}, {"a": Position(1, 1)}),
        ({"a": Fraction(80), "b": Fraction(70), "c": Fraction(70), "d": Fraction(60)},
         {"a": Position(1, 4), "b": Position(2, 4), "c": Position(2, 4), "d": Position(4, 4)}),
        # 2/3 apart is still apart: exact means, not rounded ones
        ({"a": Fraction(200, 3), "b": Fraction(67), "c": Fraction(66)}, {"b": Position(1, 3), "a": Position(2, 3), "c": Position(3, 3)}),
        ({"a": Fraction(50), "b": Fraction(50), "c": Fraction(50)}, {"a": Position(1, 3), "b": Position(1, 3), "c": Position(1, 3)}),
    ],
)
def test_positions_share_places_and_skip_after_ties(averages: dict[str, Fraction], expected: dict[str, Position]) -> None:
    assert positions(averages) == expected


@pytest.mark.parametrize(("percents", "expected"), [([], None), ([70], Fraction(70)), ([70, 71], Fraction(141, 2)), ([66, 67, 67], Fraction(200, 3))])
def test_average_is_exact(percents: list[int], expected: Fraction | None) -> None:
    assert average(percents) == expected


def one_mark(percent: int) -> tuple[Entry, ...]:
    return (Entry(Decimal(percent), False, Decimal(100), Decimal(1)),)


def facts(level: SubjectLevel | None, subjects: dict[tuple[str, str], int], **more: object) -> ReportFacts:
    base = ReportFacts(
        school_name="Harare High", student_name="Tendai Moyo", admission_number="H001", class_name="Form 4 Blue", term_name="Term 2",
        year_name="2026", level=level, scale=DEFAULT_SCALES[level] if level else (),
        subjects=tuple(SubjectMarks(name, code, one_mark(percent)) for (name, code), percent in subjects.items()),
        class_position=Position(3, 40), level_position=Position(10, 120), show_positions=True, attendance_rate=95, days_present=57,
        days_recorded=60, class_teacher="Mrs Dube", teacher_comment="Works hard.", head_comment="Well done.", next_term_opens=date(2027, 1, 12),
    )
    return replace(base, **more)  # type: ignore[arg-type]


ENGLISH, MATHS, SHONA, SCIENCE, HISTORY = ("English Language", "1122"), ("Mathematics", "4004"), ("Shona", "3159"), ("Combined Science", "4003"), ("History", "2167")


@pytest.mark.parametrize(
    ("subjects", "passes", "english", "maths"),
    [
        ({ENGLISH: 75, MATHS: 50, SHONA: 49}, 2, True, True),  # 49 is a D: no pass
        ({ENGLISH: 49, MATHS: 64, SHONA: 80, SCIENCE: 65, HISTORY: 50}, 4, False, True),
        ({ENGLISH: 50, MATHS: 29, SHONA: 30}, 1, True, False),
        ({MATHS: 0}, 0, False, False),
        ({("Mathematics (old)", "4008"): 74}, 1, False, True),
    ],
)
def test_o_level_passes_and_english_and_mathematics(subjects: dict[tuple[str, str], int], passes: int, english: bool, maths: bool) -> None:
    card = assemble(facts(SubjectLevel.o_level, subjects))
    assert card.o_level is not None
    assert (card.o_level.passes, card.o_level.english_passed, card.o_level.mathematics_passed) == (passes, english, maths)
    assert card.a_level_points is None and card.primary_aggregate is None
    assert [line.subject for line in card.lines] == sorted(name for name, _code in subjects)


@pytest.mark.parametrize(
    ("percents", "points"),
    [([75, 65, 55], 12), ([75, 75, 40, 39], 11), ([30, 29], 0), ([64, 74, 100, 45], 5 + 4 + 3)],
)
def test_a_level_points_of_the_best_three(percents: list[int], points: int) -> None:
    subjects = {(f"Subject {i}", f"9{i:03}"): p for i, p in enumerate(percents)}
    assert assemble(facts(SubjectLevel.a_level, subjects)).a_level_points == points


@pytest.mark.parametrize(
    ("percents", "aggregate"),
    [([80, 70, 60, 50, 0], 1 + 2 + 3 + 4), ([100, 100, 100], None), ([29, 29, 29, 29], 36), ([79, 80, 45, 44, 90], 1 + 1 + 2 + 5)],
)
def test_primary_aggregate_of_the_best_four(percents: list[int], aggregate: int | None) -> None:
    subjects = {(f"Subject {i}", f"0{i:03}"): p for i, p in enumerate(percents)}
    assert assemble(facts(SubjectLevel.primary, subjects)).primary_aggregate == aggregate


def test_positions_only_when_the_school_shows_them_and_ecd_is_descriptive() -> None:
    shown = assemble(facts(SubjectLevel.o_level, {ENGLISH: 70}))
    assert (shown.class_position, shown.level_position) == (Position(3, 40), Position(10, 120))
    hidden = assemble(facts(SubjectLevel.o_level, {ENGLISH: 70}, show_positions=False))
    assert (hidden.class_position, hidden.level_position) == (None, None)
    nothing_marked = assemble(facts(SubjectLevel.o_level, {}))
    assert nothing_marked.lines == () and nothing_marked.class_position is None
    ecd = assemble(facts(None, {}))
    assert ecd.descriptive and ecd.lines == () and ecd.o_level is None and ecd.primary_aggregate is None


def test_the_pdf_holds_the_card_in_the_readers_language() -> None:
    card = assemble(facts(SubjectLevel.o_level, {ENGLISH: 75, MATHS: 64}, student_name="Nkosinathi Ndlovu-Mūtasa", head_comment="Wakaita zvakanaka!"))
    text = pdf_text(render(card))
    for expected in ("Harare High", "Nkosinathi Ndlovu-Mūtasa", "English Language", "75%", "Mathematics", "64%", "Passes", "3 of 40",
                     "Wakaita zvakanaka!", "Next term opens", "95% (57 of 60 days)"):
        assert expected in text, expected
    with i18n.language("sn"):
        shona = pdf_text(render(card))
        passes = i18n.gettext("Passes")
    assert passes != "Passes" and passes in shona and "Nkosinathi Ndlovu-Mūtasa" in shona


def test_a_logo_that_is_not_an_image_still_makes_a_card() -> None:
    assert "Tendai Moyo" in pdf_text(render(assemble(facts(None, {})), logo=b"not a picture"))


# --- the service --------------------------------------------------------------------------------


def actor_of(school: SchoolFixture, email_name: str) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.email == f"{email_name}@{school.subdomain}.test")).one()
        return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


@dataclass(frozen=True)
class World:
    a: SchoolFixture
    b: SchoolFixture
    child: UUID  # the parent's child, in `child_class`
    child_class: UUID
    other_student: UUID  # in a class neither the parent nor the teacher has
    published_term: UUID
    current_term: UUID
    b_student: UUID
    graded: UUID  # a student of a class with marks (not ECD)


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    a, b = make_school("reports-a"), make_school("reports-b")
    for school in (a, b):
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=40)
            session.commit()
    parent, teacher = actor_of(a, "parent"), actor_of(a, "teacher")
    with db.tenant_session(a.id) as session:
        today = calendar.today_for(session, a.id)
        current = calendar.term_for_day(session, today)
        assert current is not None
        child, child_class = session.exec(
            select(StudentGuardian.student_id, Enrolment.class_id)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .join(Enrolment, col(Enrolment.student_id) == StudentGuardian.student_id)
            .join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
            .where(Guardian.user_id == parent.id, SchoolClass.academic_year_id == current.academic_year_id)
        ).first()  # type: ignore[misc]
        # A finished term of this year, published by the demo; else one written here (January to April).
        published = session.exec(select(ReportPublication.term_id).where(ReportPublication.class_id == child_class)).first()
        if published is None:
            session.add(ReportPublication(school_id=a.id, term_id=current.id, class_id=child_class))
            published = current.id
        unpublished = session.exec(
            select(Term.id).where(Term.academic_year_id == current.academic_year_id, Term.id != published).order_by(col(Term.number))
        ).first()
        session.commit()
        taught = {c.id for c in session.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher.id)).all()}
        graded = session.exec(
            select(Enrolment.student_id).join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
            .where(SchoolClass.academic_year_id == current.academic_year_id, col(SchoolClass.grade_level).not_in(["ECD_A", "ECD_B"]))
        ).first()
        other = session.exec(
            select(Enrolment.student_id).where(col(Enrolment.class_id).not_in(taught | {child_class}), Enrolment.academic_year_id == current.academic_year_id)
        ).first()
    with db.tenant_session(b.id) as session:
        b_student = session.exec(select(Enrolment.student_id)).first()
    assert other is not None and unpublished is not None and b_student is not None and graded is not None
    yield World(a, b, child, child_class, other, published, unpublished, b_student, graded)
    for school in (a, b):
        delete_school(school)


def test_a_parent_downloads_a_published_card_and_never_an_unpublished_one(world: World) -> None:
    parent = actor_of(world.a, "parent")
    card = report_cards.report_card_pdf(actor=parent, student_id=world.child, term_id=world.published_term)
    assert card.mime_type == "application/pdf" and card.filename.endswith(".pdf")
    with db.tenant_session(world.a.id) as session:
        child = session.get(Student, world.child)
        assert child is not None
    assert child.full_name in pdf_text(card.content)
    listed = report_cards.published_report_cards(actor=parent, student_id=world.child).cards
    assert str(world.published_term) in {row["term_id"] for row in listed}
    assert str(world.current_term) not in {row["term_id"] for row in listed}
    for student, term in ((world.child, world.current_term), (world.other_student, world.published_term), (world.b_student, world.published_term)):
        with pytest.raises(NotFound):
            report_cards.report_card_pdf(actor=parent, student_id=student, term_id=term)


def test_staff_see_unpublished_cards_within_their_reach(world: World) -> None:
    admin = actor_of(world.a, "school_admin")
    assert report_cards.report_card_pdf(actor=admin, student_id=world.other_student, term_id=world.current_term).content.startswith(b"%PDF")
    teacher = actor_of(world.a, "teacher")
    with pytest.raises(NotFound):
        report_cards.report_card_pdf(actor=teacher, student_id=world.other_student, term_id=world.current_term)
    with pytest.raises(NotFound):
        report_cards.report_card_pdf(actor=admin, student_id=world.b_student, term_id=world.current_term)
    with pytest.raises(PermissionDenied):
        report_cards.report_card_pdf(actor=actor_of(world.a, "staff"), student_id=world.child, term_id=world.current_term)


def test_the_class_teacher_and_the_head_write_their_own_comments(world: World) -> None:
    admin, teacher = actor_of(world.a, "school_admin"), actor_of(world.a, "teacher")
    with db.tenant_session(world.a.id) as session:
        led = session.exec(select(SchoolClass).where(SchoolClass.class_teacher_id == teacher.id)).first()
        assert led is not None
        pupil = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == led.id)).first()
    assert pupil is not None
    row = report_cards.save_comment(actor=teacher, term_id=world.current_term, student_id=pupil, teacher_comment="  Reads   well; keep going. ")
    assert row["teacher_comment"] == "Reads well; keep going."
    with pytest.raises(PermissionDenied):
        report_cards.save_comment(actor=teacher, term_id=world.current_term, student_id=pupil, head_comment="Not mine to write")
    with pytest.raises(NotFound):
        report_cards.save_comment(actor=teacher, term_id=world.current_term, student_id=world.other_student, teacher_comment="Not my class")
    row = report_cards.save_comment(actor=admin, term_id=world.current_term, student_id=pupil, head_comment="Zvakanaka chaizvo.")
    assert (row["teacher_comment"], row["head_comment"]) == ("Reads well; keep going.", "Zvakanaka chaizvo.")
    with pytest.raises(ValidationFailed):
        report_cards.save_comment(actor=admin, term_id=world.current_term, student_id=pupil, head_comment="x" * 601)
    with pytest.raises(NotFound):  # another school's student: the comments table shows nothing of it
        report_cards.save_comment(actor=admin, term_id=world.current_term, student_id=world.b_student, head_comment="Leak")
    page = report_cards.comment_page(actor=teacher, term_id=world.current_term, class_id=led.id, search="")
    assert any(r["student_id"] == str(pupil) and r["head_comment"] == "Zvakanaka chaizvo." for r in page.rows)
    text = pdf_text(report_cards.report_card_pdf(actor=admin, student_id=pupil, term_id=world.current_term).content)
    assert "Reads well; keep going." in text and "Zvakanaka chaizvo." in text


def test_a_school_that_hides_positions_shows_none(world: World) -> None:
    admin = actor_of(world.a, "school_admin")
    with_positions = pdf_text(report_cards.report_card_pdf(actor=admin, student_id=world.graded, term_id=world.current_term).content)
    assert "Position in class" in with_positions
    school_settings.set_report_positions(actor=admin, shown=False, ip="10.0.0.1")
    try:
        without = pdf_text(report_cards.report_card_pdf(actor=admin, student_id=world.graded, term_id=world.current_term).content)
        assert "Position in class" not in without and "Subjects" in without
    finally:
        school_settings.set_report_positions(actor=admin, shown=True, ip="10.0.0.1")


def _both_ways(world: World) -> tuple[ReportFacts, ReportFacts]:
    """The graded student's facts from the whole level read at once (as a publishing batch does)
    and from their own rows with the level's positions from the cache (a card on request)."""
    with db.tenant_session(world.a.id) as session:
        school, term = session.get(School, world.a.id), session.get(Term, world.current_term)
        assert school is not None and term is not None
        level = session.exec(
            select(SchoolClass.grade_level).join(Enrolment, col(Enrolment.class_id) == SchoolClass.id)
            .where(Enrolment.student_id == world.graded, SchoolClass.academic_year_id == term.academic_year_id)
        ).one()
        whole = report_cards._Level(session, school=school, term=term, grade_level=level).facts(world.graded)
        alone = report_cards._Level(session, school=school, term=term, grade_level=level, only=world.graded).facts(world.graded)
    return whole, alone


def _same_card(whole: ReportFacts, alone: ReportFacts) -> None:
    def by_subject(facts: ReportFacts) -> list[tuple[str, list[Entry]]]:
        return sorted((s.subject, sorted(s.entries, key=repr)) for s in facts.subjects)

    assert alone.class_position is not None and alone.level_position is not None
    assert (alone.class_position, alone.level_position) == (whole.class_position, whole.level_position)
    assert by_subject(alone) == by_subject(whole)
    assert replace(alone, subjects=()) == replace(whole, subjects=())


def _give_every_mark(world: World, full: bool) -> None:
    """The graded student's marks in every assessment of the term: all full, or all zero."""
    with db.tenant_session(world.a.id) as session:
        for mark, assessment in session.exec(
            select(Mark, Assessment).join(Assessment, col(Assessment.id) == Mark.assessment_id)
            .where(Mark.student_id == world.graded, Assessment.term_id == world.current_term)
        ).all():
            mark.mark, mark.absent = (assessment.max_mark if full else Decimal(0)), False
            session.add(mark)
        session.commit()


def test_a_card_on_request_ranks_as_the_whole_level_does_and_follows_a_changed_mark(world: World) -> None:
    _same_card(*_both_ways(world))  # the level's positions are cached now
    _give_every_mark(world, full=False)
    whole, alone = _both_ways(world)
    _same_card(whole, alone)
    assert alone.level_position is not None and alone.level_position.place > 1
    _give_every_mark(world, full=True)
    whole, alone = _both_ways(world)
    _same_card(whole, alone)
    assert alone.level_position is not None and alone.level_position.place == 1


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (0, 90, 60)).save(buffer, format="PNG")
    return buffer.getvalue()


def test_the_schools_logo_is_on_its_cards(world: World) -> None:
    admin = actor_of(world.a, "school_admin")
    with pytest.raises(ValidationFailed):
        school_settings.set_school_logo(actor=admin, content=b"GIF89a not ours", ip="10.0.0.1")
    with pytest.raises(PermissionDenied):
        school_settings.set_school_logo(actor=actor_of(world.a, "teacher"), content=png(), ip="10.0.0.1")
    school_settings.set_school_logo(actor=admin, content=png(), ip="10.0.0.1")
    assert school_settings.school_logo(actor=admin) == (png(), "image/png")
    card = report_cards.report_card_pdf(actor=admin, student_id=world.graded, term_id=world.current_term).content
    assert len(PdfReader(io.BytesIO(card)).pages[0].images) == 1
    other = report_cards.report_card_pdf(actor=actor_of(world.b, "school_admin"), student_id=world.b_student, term_id=_b_term(world)).content
    assert len(PdfReader(io.BytesIO(other)).pages[0].images) == 0


def _b_term(world: World) -> UUID:
    with db.tenant_session(world.b.id) as session:
        term = calendar.term_for_day(session, calendar.today_for(session, world.b.id))
        assert term is not None
        return term.id
