"""The timetable in the browser: the admin adds a period and fills a lesson; the same teacher in
the same period of another class is refused in the dialog with the clash named (and the choice
kept); a lesson is cleared after a confirmation; the teacher sees the lesson in their week."""

import re

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"
TEACHER = "Harare Primary Teacher"  # the demo teacher teaches a subject in Grades 5, 6 and 7


def follow(page: Page, app: RunningApp, link: str, path: str, heading: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name=link, exact=True).first.click()
    expect(page).to_have_url(app.at(SCHOOL, path))
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)


def lesson_cell(page: Page, when: str) -> Locator:
    """The grid's button for one period of a day ("Monday, period 9")."""
    return page.get_by_role("button", name=re.compile(f"{re.escape(when)}$"))


def show_class(page: Page, name: str) -> None:
    page.get_by_label("Class", exact=True).click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(page.get_by_role("table", name=f"The week of {name}")).to_be_visible()


def choose_teachers_subject(page: Page, dialog: Locator) -> str:
    """In the lesson dialog, the subject the demo teacher teaches this class; its name."""
    dialog.get_by_label("Subject", exact=True).click()
    option = page.get_by_role("option", name=re.compile(f" · {TEACHER}$"))
    subject = option.inner_text().split(" · ")[0]
    option.click()
    return subject


def test_admin_fills_the_week_and_a_clash_is_refused(running_app: RunningApp, page: Page, browser: Browser) -> None:
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("dashboard")

    # A ninth period: first typed overlapping the eighth (refused beside it), then after it.
    follow(page, running_app, "Periods of the day", "/admin/periods", "Periods of the day")
    periods = page.get_by_role("table", name="Periods of the day")
    expect(periods.get_by_role("row")).to_have_count(9)  # the header and the demo's eight
    page.get_by_role("button", name="Add period").click()
    expect(periods.get_by_role("row")).to_have_count(10)
    page.get_by_label("Period 9 starts").fill("13:00")
    page.get_by_label("Period 9 ends").fill("13:40")
    page.get_by_role("button", name="Save periods").click()
    expect(page.get_by_text("Period 9 starts before period 8 ends.")).to_be_visible()
    expect(page.get_by_label("Period 9 ends")).to_have_value("13:40")  # what was typed stays
    page.get_by_label("Period 9 starts").fill("13:20")
    page.get_by_label("Period 9 ends").fill("13:55")
    page.get_by_role("button", name="Save periods").click()
    expect(page.get_by_text("Saved 9 periods.")).to_be_visible()

    # A lesson in the new period for Grade 5, with the demo teacher.
    follow(page, running_app, "Timetable", "/admin/timetable", "Timetable")
    show_class(page, "Grade 5")
    lesson_cell(page, "Monday, period 9").click()
    dialog = page.get_by_role("dialog", name="Monday, period 9")
    subject = choose_teachers_subject(page, dialog)
    dialog.get_by_label("Room").fill("Lab 1")
    dialog.get_by_role("button", name="Save lesson").click()
    expect(page.get_by_text(f"{subject} with {TEACHER} is on the timetable.")).to_be_visible()
    expect(lesson_cell(page, "Monday, period 9")).to_contain_text(subject)
    expect(lesson_cell(page, "Monday, period 9")).to_contain_text("Lab 1")
    expect(lesson_cell(page, "Monday, period 9")).to_be_focused()  # the keyboard is back where it was

    # The same teacher, the same period, another class: refused, the clash named, the choice kept.
    show_class(page, "Grade 6")
    lesson_cell(page, "Monday, period 9").click()
    dialog = page.get_by_role("dialog", name="Monday, period 9")
    other_subject = choose_teachers_subject(page, dialog)
    dialog.get_by_role("button", name="Save lesson").click()
    expect(dialog.get_by_role("alert").filter(has_text=f"{TEACHER} already teaches Grade 5 in period 9 on Monday.")).to_be_visible()
    expect(dialog.get_by_label("Subject", exact=True)).to_contain_text(other_subject)
    dialog.get_by_role("button", name="Cancel").click()
    expect(lesson_cell(page, "Monday, period 9")).to_contain_text("Add lesson")

    # Clearing a lesson asks first.
    filled = page.get_by_role("table", name="The week of Grade 6").get_by_role("button").filter(has_not_text="Add lesson").first
    when = re.search(r"(\w+day, period \d+)$", filled.text_content() or "")
    assert when is not None
    filled.click()
    dialog = page.get_by_role("dialog", name=when.group(1))
    dialog.get_by_role("button", name="Clear lesson").click()
    expect(dialog).to_contain_text(f"Clear the lesson on {when.group(1)}?")
    dialog.get_by_role("button", name="Clear lesson").click()
    expect(page.get_by_text("The lesson is cleared.")).to_be_visible()
    expect(lesson_cell(page, when.group(1))).to_contain_text("Add lesson")
    expect(lesson_cell(page, when.group(1))).to_be_focused()

    # The teacher's week shows the lesson.
    context = browser.new_context()
    teacher_page = context.new_page()
    teacher_page.set_default_timeout(20_000)
    try:
        sign_in(teacher_page, running_app, SCHOOL, f"teacher@{SCHOOL}.test")
        expect(teacher_page.get_by_role("heading", name="Today's lessons")).to_be_visible()
        follow(teacher_page, running_app, "Timetable", "/timetable", "Timetable")
        week = teacher_page.get_by_role("table", name=f"The week of {TEACHER}")
        monday_nine = week.get_by_role("row").filter(has_text="13:20–13:55")  # period 9
        expect(monday_nine.get_by_role("cell").nth(0)).to_contain_text(subject)
        expect(monday_nine.get_by_role("cell").nth(0)).to_contain_text("Grade 5")
        expect(monday_nine.get_by_role("cell").nth(0)).to_contain_text("Lab 1")
    finally:
        context.close()
