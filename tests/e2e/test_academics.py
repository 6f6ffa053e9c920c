"""School records in the browser: the admin's subjects, classes, years, staff and guardians; a
teacher's classes, a parent's children and a student's own record, each seeing only their own."""

import re
import uuid
from datetime import date

import pytest
from playwright.sync_api import Locator, Page, expect

from models import Role
from oneclass import i18n
from oneclass.demo_records import demo_years
from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"
# The demo teacher leads ECD A and teaches a subject in Grades 5, 6 and 7 (oneclass/demo_records.py).
TEACHERS_CLASSES = ["ECD A", "Grade 5", "Grade 6", "Grade 7"]


def follow(page: Page, app: RunningApp, link: str, path: str) -> None:
    """Follow the navigation's `link` to `path`, and wait for its heading."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).click()
    expect(page).to_have_url(app.at(SCHOOL, path))
    expect(page.get_by_role("heading", level=1)).to_have_text(link)


def open_page(page: Page, app: RunningApp, role: str, link: str, path: str) -> None:
    """Sign in as the demo `role` and go to one of their pages."""
    sign_in(page, app, SCHOOL, f"{role}@{SCHOOL}.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("dashboard")
    follow(page, app, link, path)


def choose(page: Page, scope: Page | Locator, label: str, option: str) -> None:
    """Pick `option` in the select labelled `label` (its options open at the page's level)."""
    scope.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_admin_adds_a_subject_and_a_class(running_app: RunningApp, page: Page) -> None:
    open_page(page, running_app, "admin", "Subjects", "/admin/subjects")
    subjects = page.get_by_role("table", name="Subjects")
    expect(subjects.get_by_role("row").filter(has_text="Mathematics").first).to_be_visible()
    page.get_by_role("button", name="Use the ZIMSEC subject list").click()
    expect(page.get_by_text("Every ZIMSEC subject for your school's level is already on your list.")).to_be_visible()

    tag = uuid.uuid4().hex[:5].upper()
    page.get_by_role("button", name="Add subject").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Code").fill("X")
    dialog.get_by_label("Name").fill(f"Robotics {tag}")
    dialog.get_by_role("button", name="Add subject").click()
    expect(dialog.get_by_text("Use 2 to 10 letters or digits")).to_be_visible()
    dialog.get_by_label("Code").fill(f"R{tag}")
    dialog.get_by_role("button", name="Add subject").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text(f"Added Robotics {tag} (R{tag}).")).to_be_visible()
    page.get_by_label("Search subjects").fill(tag)
    expect(subjects.get_by_role("row")).to_have_count(2)  # the header and the new subject
    expect(subjects.get_by_role("row").filter(has_text=f"Robotics {tag}")).to_contain_text("Primary")

    follow(page, running_app, "Classes", "/admin/classes")
    classes = page.get_by_role("table", name="Classes")
    expect(classes.get_by_role("rowheader", name="Grade 3", exact=True)).to_be_visible()
    page.get_by_role("button", name="New class").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"For the year {demo_years(date.today())[1].name}.")
    choose(page, dialog, "Grade level", "Grade 3")
    dialog.get_by_label("Name").fill(f"Grade 3 Red {tag}")
    dialog.get_by_label("Capacity").fill("500")
    choose(page, dialog, "Class teacher", "Harare Primary School Admin")
    dialog.get_by_role("button", name="Add class").click()
    expect(dialog.get_by_text("Capacity must be between 1 and 200.")).to_be_visible()
    dialog.get_by_label("Capacity").fill("35")
    dialog.get_by_role("button", name="Add class").click()
    expect(page.get_by_text(f"Added the class Grade 3 Red {tag}.")).to_be_visible()
    row = classes.get_by_role("row").filter(has_text=f"Grade 3 Red {tag}")
    expect(row).to_contain_text("Harare Primary School Admin")
    expect(row).to_contain_text("0 / 35")

    row.get_by_role("button", name=f"Assign teacher Grade 3 Red {tag}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Nobody teaches this class a subject yet.")
    choose(page, dialog, "Subject", f"Robotics {tag} (Primary)")
    choose(page, dialog, "Teacher", "Harare Primary School Admin")
    dialog.get_by_role("button", name="Assign").click()
    expect(page.get_by_text(f"Harare Primary School Admin now teaches Robotics {tag} to Grade 3 Red {tag}.")).to_be_visible()


def test_admin_adds_next_year_then_promotes_a_class(running_app: RunningApp, page: Page) -> None:
    open_page(page, running_app, "admin", "Years and terms", "/admin/years")
    years = page.get_by_role("table", name="Years")
    _last_year, this_year = demo_years(date.today())
    current = years.get_by_role("row").filter(has_text=this_year.name).filter(has_text="Current")
    first_term = this_year.terms[0]
    next_year = str(int(this_year.name) + 1)
    expect(current).to_contain_text(f"Term 1: {i18n.format_date(first_term.starts_on)} to {i18n.format_date(first_term.ends_on)}")

    page.get_by_role("button", name="New year", exact=True).click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(next_year)
    for label, day in [
        ("Year starts", f"{next_year}-01-05"), ("Year ends", f"{next_year}-12-10"),
        ("Term 1 starts", f"{next_year}-01-12"), ("Term 1 ends", f"{next_year}-04-08"),
        ("Term 2 starts", f"{next_year}-03-01"), ("Term 2 ends", f"{next_year}-08-05"),
        ("Term 3 starts", f"{next_year}-09-07"), ("Term 3 ends", f"{next_year}-12-02"),
    ]:
        dialog.get_by_label(label, exact=True).fill(day)
    dialog.get_by_role("button", name="Add year").click()
    expect(dialog.get_by_text("Term 2 must fall inside the year, after term 1.")).to_be_visible()
    dialog.get_by_label("Term 2 starts").fill(f"{next_year}-05-11")
    dialog.get_by_role("button", name="Add year").click()
    expect(page.get_by_text(f"Added the year {next_year}.")).to_be_visible()
    expect(years.get_by_role("row").filter(has_text=next_year)).to_contain_text(
        f"Term 2: {i18n.format_date(date(int(next_year), 5, 11))} to {i18n.format_date(date(int(next_year), 8, 5))}"
    )
    expect(current).to_contain_text("Current")  # a new year does not become current by itself

    follow(page, running_app, "Classes", "/admin/classes")
    classes = page.get_by_role("table", name="Classes")
    expect(classes.get_by_role("rowheader", name="Grade 3", exact=True)).to_be_visible()
    classes.get_by_role("button", name="Promote class Grade 3", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("There is no class of the next grade in a later year yet.")
    expect(dialog.get_by_role("button", name="Confirm promotion")).to_be_disabled()
    dialog.get_by_role("button", name="Cancel").click()

    page.get_by_label("Year", exact=True).click()
    page.get_by_role("option", name=next_year, exact=True).click()
    expect(page.get_by_text("No classes this year")).to_be_visible()
    page.get_by_role("button", name="New class").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"For the year {next_year}.")
    choose(page, dialog, "Grade level", "Grade 4")
    dialog.get_by_label("Name").fill("Grade 4 Blue")
    dialog.get_by_role("button", name="Add class").click()
    expect(classes.get_by_role("rowheader", name="Grade 4 Blue")).to_be_visible()

    page.get_by_label("Year", exact=True).click()
    page.get_by_role("option", name=this_year.name, exact=True).click()
    expect(classes.get_by_role("rowheader", name="Grade 7", exact=True)).to_be_visible()
    classes.get_by_role("button", name="Promote class Grade 7", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("This is the final class of its level.")
    expect(dialog.get_by_role("button", name="Confirm graduation")).to_be_enabled()
    dialog.get_by_role("button", name="Cancel").click()  # nobody graduates in this test

    grade3 = classes.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Grade 3", exact=True))
    enrolled = re.search(r"(\d+) / \d+", grade3.inner_text())
    assert enrolled is not None
    grade3.get_by_role("button", name="Promote class Grade 3", exact=True).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Choose the class they move up to.")
    choose(page, dialog, "Move up to", f"Grade 4 Blue ({next_year})")
    expect(dialog).to_contain_text(f"These {enrolled.group(1)} students move up to Grade 4 Blue")
    dialog.get_by_role("button", name="Confirm promotion").click()
    expect(page.get_by_text(f"Moved {enrolled.group(1)} students from Grade 3 to Grade 4 Blue.")).to_be_visible()
    page.get_by_label("Year", exact=True).click()
    page.get_by_role("option", name=next_year, exact=True).click()
    expect(classes.get_by_role("row").filter(has_text="Grade 4 Blue")).to_contain_text(f"{enrolled.group(1)} / 40")


def test_admin_edits_a_staff_profile_and_finds_a_guardian(running_app: RunningApp, page: Page) -> None:
    teacher = running_app.make_account(SCHOOL, Role.teacher)  # a teacher of its own: the demo one keeps its profile
    number = f"E2E{uuid.uuid4().hex[:6].upper()}"
    open_page(page, running_app, "admin", "Staff", "/admin/staff")
    people = page.get_by_role("table", name="Staff")
    page.get_by_label("Search staff").fill(teacher.email)
    expect(people.get_by_role("rowheader")).to_have_count(1)
    row = people.get_by_role("row").filter(has_text=teacher.full_name)
    row.get_by_role("button", name=f"Edit {teacher.full_name}").click()
    dialog = page.get_by_role("dialog")
    expect(dialog.get_by_label("Employee number")).to_have_value("")
    dialog.get_by_label("Employee number").fill(number)
    choose(page, dialog, "Department", "Junior")
    dialog.get_by_label("Phone").fill("0751234567")
    dialog.get_by_role("button", name="Save profile").click()
    expect(dialog.get_by_text("That is not a Zimbabwean mobile number")).to_be_visible()
    dialog.get_by_label("Phone").fill("077 123 4567")
    dialog.get_by_role("button", name="Save profile").click()
    expect(page.get_by_text(f"Saved {teacher.full_name}'s profile.")).to_be_visible()
    page.get_by_label("Search staff").fill(number)
    expect(people.get_by_role("rowheader")).to_have_count(1)
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("+263771234567")
    expect(row).to_contain_text("Junior")
    page.get_by_label("Search staff").fill("nobody-by-this-name")
    expect(page.get_by_text("Nobody matches")).to_be_visible()

    follow(page, running_app, "Guardians", "/admin/guardians")
    guardians = page.get_by_role("table", name="Guardians")
    expect(page.get_by_text(re.compile(r"^Page 1 of \d+$"))).to_be_visible()
    page.get_by_label("Search guardians").fill("Harare Primary Parent")
    expect(guardians.get_by_role("rowheader")).to_have_count(1)
    children = guardians.get_by_role("row").filter(has_text="Harare Primary Parent").get_by_role("link")
    expect(children).to_have_count(2)
    for index in range(2):
        expect(children.nth(index)).to_have_attribute("href", re.compile(r"^/students/[0-9a-f-]{36}$"))
    phone = guardians.get_by_role("row").filter(has_text="Harare Primary Parent").get_by_role("cell").first.inner_text()
    page.get_by_label("Search guardians").fill("0" + phone.strip().removeprefix("+263"))
    expect(guardians.get_by_role("rowheader", name="Harare Primary Parent")).to_be_visible()


def test_teacher_sees_only_their_classes_with_class_lists(running_app: RunningApp, page: Page) -> None:
    open_page(page, running_app, "teacher", "My classes", "/teacher/classes")
    headings = page.get_by_role("heading", level=2)
    for name in TEACHERS_CLASSES:
        expect(headings.filter(has_text=re.compile(f"^{name}$"))).to_have_count(1)
    expect(page.get_by_role("button", name=re.compile("^Class list of "))).to_have_count(len(TEACHERS_CLASSES))

    # The first class opens by itself: ECD A, where the first admission (20260001) is.
    expect(page.get_by_role("heading", name="Class list: ECD A")).to_be_visible()
    class_list = page.get_by_role("table", name="Class list")
    expect(class_list.get_by_role("row").filter(has_text="20260001")).to_be_visible()
    expect(class_list.get_by_role("rowheader").first.get_by_role("link")).to_have_attribute("href", re.compile(r"^/students/"))

    page.get_by_role("button", name="Class list of Grade 7").click()
    expect(page.get_by_role("heading", name="Class list: Grade 7")).to_be_visible()
    expect(class_list.get_by_role("row").filter(has_text="20260009")).to_be_visible()
    expect(class_list.get_by_text("20260001")).to_have_count(0)

    page.goto(running_app.url(SCHOOL, "/admin/classes"))
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))


def test_parent_switches_between_their_two_children(running_app: RunningApp, page: Page) -> None:
    open_page(page, running_app, "parent", "My children", "/parent/children")
    tabs = page.get_by_role("tab")
    expect(tabs).to_have_count(2)
    seen = set()
    for index in (1, 0):
        name = tabs.nth(index).inner_text()
        tabs.nth(index).click()
        expect(tabs.nth(index)).to_have_attribute("aria-selected", "true")
        expect(page.get_by_role("heading", level=2).first).to_have_text(name)  # the child, then their attendance
        expect(page.locator("#main-content").get_by_text("Harare Primary Parent")).to_be_visible()  # a guardian
        number = page.get_by_role("definition").filter(has_text=re.compile(r"2026000[12]"))
        expect(number).to_have_count(1)
        seen.add(re.sub(r"\D", "", number.inner_text()))
    assert seen == {"20260001", "20260002"}


def test_student_sees_their_own_record(running_app: RunningApp, page: Page) -> None:
    open_page(page, running_app, "student", "My profile", "/student/profile")
    record = page.get_by_role("definition")
    expect(record.filter(has_text="20260001")).to_be_visible()
    expect(record.filter(has_text="ECD A")).to_be_visible()
    expect(page.get_by_text("20260002")).to_have_count(0)
    page.goto(running_app.url(SCHOOL, "/parent/children"))
    expect(page).to_have_url(running_app.at(SCHOOL, "/student"))
