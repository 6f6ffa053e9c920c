"""Report cards in Chromium: the admin publishes a class's cards for this term (confirming
first), follows the progress bar to the end and downloads the ZIP; then a parent downloads their
child's card from My children and the test reads the PDF's text for the child's name and grades."""

import io
import re
import zipfile
from datetime import date

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import col, select

from models import AcademicYear, Enrolment, Guardian, School, SchoolClass, Student, StudentGuardian, Term, User
from oneclass.services.gradebook import term_grades
from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "bulawayo-high"  # secondary: every class is marked (O-level)


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_admin_publishes_and_a_parent_downloads_the_childs_card(running_app: RunningApp, page: Page, browser: Browser) -> None:
    with running_app.set_up() as session:
        school_id = session.exec(select(School.id).where(School.subdomain == SCHOOL)).one()
        parent_id = session.exec(select(User.id).where(User.email == f"parent@{SCHOOL}.test")).one()
        year = session.exec(select(AcademicYear).where(AcademicYear.school_id == school_id, col(AcademicYear.is_current))).one()
        child, school_class = session.exec(
            select(Student, SchoolClass)
            .join(StudentGuardian, col(StudentGuardian.student_id) == Student.id)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .join(Enrolment, col(Enrolment.student_id) == Student.id)
            .join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
            .where(Guardian.user_id == parent_id, SchoolClass.academic_year_id == year.id)
        ).first()  # type: ignore[misc]
        # Today's term: the last one of this year that has started (the page's default).
        term = session.exec(
            select(Term).where(Term.academic_year_id == year.id, col(Term.starts_on) <= date.today()).order_by(col(Term.starts_on).desc())
        ).first()
        assert term is not None
        grades = term_grades(session, student_id=child.id, term=term)
        child_name, class_name = child.full_name, school_class.name
    assert grades, "the demo's child has marks this term"

    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Report cards").click()
    expect(page).to_have_url(running_app.at(SCHOOL, "/report-cards"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Report cards")
    classes = page.get_by_role("table", name="Classes")
    row = classes.get_by_role("row").filter(has=page.get_by_role("rowheader", name=class_name, exact=True))
    expect(row).to_contain_text("Not published")

    page.get_by_role("combobox", name="Class or level").click()
    page.get_by_role("option", name=class_name, exact=True).click()
    page.get_by_role("button", name="Publish", exact=True).click()
    confirm = page.get_by_role("alertdialog", name="Publish these report cards?")
    expect(confirm).to_contain_text(class_name)
    confirm.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("button", name="Download the ZIP")).to_be_visible(timeout=120_000)
    expect(page.get_by_text(re.compile(r"^Published \d+ report cards\.$")).first).to_be_visible()
    expect(row).to_contain_text("Published")
    with page.expect_download() as download:
        page.get_by_role("button", name="Download the ZIP").click()
    assert download.value.suggested_filename.endswith(".zip")
    with zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes())) as archive:
        names = archive.namelist()
        assert names and all(name.endswith(".pdf") for name in names)
        mine = [name for name in names if child.admission_number in name]
        assert len(mine) == 1
        assert child_name in pdf_text(archive.read(mine[0]))

    family = browser.new_context()
    try:
        parent_page = family.new_page()
        parent_page.set_default_timeout(20_000)
        sign_in(parent_page, running_app, SCHOOL, f"parent@{SCHOOL}.test")
        expect(parent_page).to_have_url(running_app.at(SCHOOL, "/parent"))
        parent_page.goto(running_app.url(SCHOOL, "/parent/children"))
        parent_page.get_by_role("tab", name=child_name).click()
        label = re.compile(rf"^Download report card Term {term.number}, ")
        expect(parent_page.get_by_role("button", name=label)).to_be_visible()
        with parent_page.expect_download() as card:
            parent_page.get_by_role("button", name=label).click()
        assert card.value.suggested_filename.endswith(".pdf")
        text = pdf_text(card.value.path().read_bytes())
    finally:
        family.close()
    assert child_name in text
    for grade in grades:
        assert re.search(rf"{re.escape(grade['subject'])}\s*{grade['percent']}%\s*{re.escape(grade['grade'])}", text), (grade, text)
