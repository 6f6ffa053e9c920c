"""A school admin imports students with guardians from a file: sees the bad row, fixes it,
imports, and finds the new students on the Students page."""

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "bulawayo-high"
HEADER = "admission_number,first_name,last_name,date_of_birth,gender,class,guardian_name,guardian_phone,guardian_relationship,guardian_email\n"


def upload(page: Page, name: str, content: str) -> None:
    page.locator("input[type=file]").set_input_files(files=[{"name": name, "mimeType": "text/csv", "buffer": content.encode()}])
    expect(page.get_by_role("button", name="Check file")).to_be_enabled()
    page.get_by_role("button", name="Check file").click()


def test_admin_fixes_a_bad_row_then_imports_students(running_app: RunningApp, page: Page) -> None:
    tag = uuid.uuid4().hex[:6].upper()
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Import").click()
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin/import"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    expect(page.get_by_role("radio", name="Students with guardians")).to_be_checked()

    good = f"E2E-{tag}-1,Rufaro,Mlambo,2012-05-04,female,Form 1 Blue,Chipo Mlambo,0771112233,Mother,chipo.{tag.lower()}@example.com\n"
    bad = f"E2E-{tag}-2,Tinashe,Mlambo,2011-09-30,male,Form 1 Blue,Chipo Mlambo,12345,Mother,\n"
    upload(page, "pupils.csv", HEADER + good + bad)
    expect(page.get_by_text("2 rows: 1 ready, 1 with problems.")).to_be_visible()
    problems = page.get_by_role("table", name="Problems")
    problem = problems.get_by_role("row").filter(has=page.get_by_role("rowheader", name="3", exact=True))
    expect(problem).to_contain_text("guardian_phone")
    expect(problem).to_contain_text("Enter a Zimbabwean number")
    expect(page.get_by_text("Fix the rows listed below in your file and upload it again")).to_be_visible()
    expect(page.get_by_role("button", name="Import 1 rows")).to_be_disabled()

    upload(page, "pupils.csv", HEADER + good + bad.replace(",12345,", ",0771112233,"))
    expect(page.get_by_text("2 rows: 2 ready, 0 with problems.")).to_be_visible()
    expect(page.get_by_role("table", name="Problems")).to_have_count(0)
    ready = page.get_by_role("table", name="Rows ready to import")
    expect(ready.get_by_role("row").filter(has_text=f"E2E-{tag}-2")).to_contain_text("Tinashe Mlambo")
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported 2 students with their guardians.").first).to_be_visible()  # the notice (and a toast)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Students").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Students")
    page.get_by_label("Search students").fill(f"E2E-{tag}")
    students = page.get_by_role("table", name="Students")
    expect(students.get_by_role("row").filter(has_text=f"E2E-{tag}")).to_have_count(2)
    expect(students.get_by_role("row").filter(has_text=f"E2E-{tag}-1")).to_contain_text("Form 1 Blue")


def test_a_large_import_runs_as_a_job_and_its_progress_reaches_the_end(running_app: RunningApp, page: Page) -> None:
    """A file of LARGE_IMPORT_ROWS rows or more goes to the worker `oneclass run` started; the page
    follows it with a progress bar until the students are there."""
    from oneclass.services.imports import LARGE_IMPORT_ROWS

    tag = uuid.uuid4().hex[:6].upper()
    rows = LARGE_IMPORT_ROWS + 500
    lines = [
        f"JOB-{tag}-{number:05d},Nyasha,Job{number % 50},2012-05-04,female,,Guardian {number},077{3000000 + number:07d},Mother,\n"
        for number in range(rows)
    ]
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
    page.goto(running_app.url(SCHOOL, "/admin/import"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Import")
    upload(page, "everyone.csv", HEADER + "".join(lines))
    expect(page.get_by_text(f"{rows} rows: {rows} ready, 0 with problems.")).to_be_visible()
    # Every value the bar takes, as the page shows it (the bar comes and goes between polls).
    page.evaluate(
        """() => {
            window.progressSeen = [];
            new MutationObserver(() => {
                const bar = document.querySelector('[role=progressbar]');
                if (bar) window.progressSeen.push(Number(bar.getAttribute('aria-valuenow')));
            }).observe(document.body, {subtree: true, childList: true, attributes: true});
        }"""
    )
    page.get_by_role("button", name=f"Import {rows} rows").click()
    expect(page.get_by_text(f"Imported {rows} students with their guardians.").first).to_be_visible(timeout=120_000)
    seen = page.evaluate("window.progressSeen")
    assert seen, "the progress bar never showed"
    assert seen == sorted(seen)  # it only moves on
    expect(page.get_by_role("progressbar")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Students").click()
    page.get_by_label("Search students").fill(f"JOB-{tag}-00000")
    expect(page.get_by_role("table", name="Students").get_by_role("row").filter(has_text=f"JOB-{tag}-00000")).to_have_count(1)


def test_a_large_import_that_fails_in_the_worker_says_why(running_app: RunningApp, page: Page) -> None:
    """Between the check and the import another student takes a row's admission number: the job
    refuses the whole file, and the page shows the job's message and the row, with no
    accessibility violation in either."""
    from sqlalchemy import create_engine, text

    from oneclass import db
    from oneclass.services.imports import LARGE_IMPORT_ROWS
    from tests.e2e.test_accessibility import Audit, assert_none

    tag = uuid.uuid4().hex[:6].upper()
    lines = [
        f"LATE-{tag}-{number:05d},Nyasha,Late{number % 50},2012-05-04,female,,Guardian {number},077{5000000 + number:07d},Mother,\n"
        for number in range(LARGE_IMPORT_ROWS)
    ]
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
    page.goto(running_app.url(SCHOOL, "/admin/import"))
    upload(page, "late.csv", HEADER + "".join(lines))
    expect(page.get_by_text(f"{LARGE_IMPORT_ROWS} rows: {LARGE_IMPORT_ROWS} ready, 0 with problems.")).to_be_visible()
    engine = create_engine(db.normalise_url(running_app.database_url))  # the server's superuser: test set-up only
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO students (school_id, admission_number, first_name, last_name, date_of_birth, gender, status) "
                    "SELECT id, :number, 'Taken', 'Meanwhile', '2012-01-01', 'male', 'enrolled' FROM schools WHERE subdomain = :school"
                ),
                {"number": f"LATE-{tag}-00000", "school": SCHOOL},
            )
    finally:
        engine.dispose()
    page.get_by_role("button", name=f"Import {LARGE_IMPORT_ROWS} rows").click()
    failure = page.get_by_role("alert").filter(has_text="nothing was imported. Fix the file and upload it again.")
    expect(failure.first).to_be_visible(timeout=120_000)
    problem = page.get_by_role("table", name="Problems").get_by_role("row").filter(has=page.get_by_role("rowheader", name="2", exact=True))
    expect(problem).to_contain_text("Another student has this admission number.")
    audit = Audit(page, running_app, "desktop")
    audit.check("import job failed")
    assert_none(audit)
