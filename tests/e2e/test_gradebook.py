"""The gradebook in Chromium: a teacher enters a class's marks from the keyboard alone; a mark
above the maximum is refused in place with every typed value kept; saved marks are there after a
reload; the admin edits a band of a grading scale."""

import uuid

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"


def open_gradebook(page: Page, app: RunningApp, role: str) -> None:
    sign_in(page, app, SCHOOL, f"{role}@{SCHOOL}.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Gradebook", exact=True).click()
    expect(page).to_have_url(app.at(SCHOOL, "/gradebook"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook")


def test_a_teacher_enters_marks_with_the_keyboard(running_app: RunningApp, page: Page) -> None:
    open_gradebook(page, running_app, "teacher")
    assessments = page.get_by_role("table", name="Assessments")
    expect(assessments.get_by_role("rowheader", name="Test 1", exact=True)).to_be_visible()  # the demo's
    name = f"Quiz {uuid.uuid4().hex[:5]}"
    page.get_by_role("button", name="New assessment").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Name").fill(name)
    dialog.get_by_label("Maximum mark").fill("20")
    dialog.get_by_role("button", name="Save assessment").click()
    expect(page.get_by_text(f"Saved the assessment {name}.")).to_be_visible()
    page.get_by_role("button", name=f"Enter marks {name}").click()
    expect(page.get_by_role("heading", name=f"Marks: {name}, out of 20")).to_be_visible()

    marks = page.locator('input[name^="mark_"]')
    expect(marks.first).to_be_visible()
    assert marks.count() >= 3
    marks.first.focus()
    keyboard = page.keyboard
    keyboard.type("15")
    keyboard.press("Enter")  # the next student, not a submit
    expect(marks.nth(1)).to_be_focused()
    keyboard.type("12.5")
    keyboard.press("ArrowDown")
    expect(marks.nth(2)).to_be_focused()
    keyboard.type("25")
    check = page.locator(f"#mark-check-{marks.nth(2).get_attribute('name')[5:]}")  # type: ignore[index]
    expect(check).to_have_text("A mark is 0 to 20.")  # while typing
    keyboard.press("ArrowUp")
    expect(marks.nth(1)).to_be_focused()
    page.get_by_role("button", name="Save marks").focus()
    keyboard.press("Enter")

    expect(page.get_by_text("Nothing was saved: correct the marks shown in red and save again.")).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text=": a mark is 0 to 20.")).to_be_visible()  # beside the student, naming them
    expect(marks.nth(0)).to_have_value("15")
    expect(marks.nth(1)).to_have_value("12.5")
    expect(marks.nth(2)).to_have_value("25")

    marks.nth(2).focus()
    keyboard.press("Control+A")
    keyboard.type("18")
    page.get_by_role("button", name="Save marks").focus()
    keyboard.press("Enter")
    expect(page.get_by_text("Saved 3 marks.")).to_be_visible()

    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Gradebook")
    row = page.get_by_role("table", name="Assessments").get_by_role("row").filter(has_text=name)
    expect(row).to_contain_text("3")  # marked
    page.get_by_role("button", name=f"Enter marks {name}").click()
    marks = page.locator('input[name^="mark_"]')
    expect(marks.nth(0)).to_have_value("15")
    expect(marks.nth(1)).to_have_value("12.5")
    expect(marks.nth(2)).to_have_value("18")
    expect(marks.nth(3)).to_have_value("")


def test_the_admin_edits_a_band_of_a_scale(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page.get_by_role("heading", level=1)).to_contain_text("dashboard")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Grading scales", exact=True).click()
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin/grading-scales"))
    o_level = page.get_by_role("table", name="O-level")

    def band(grade: str) -> Locator:
        return o_level.get_by_role("row").filter(has=page.get_by_role("rowheader", name=grade, exact=True))

    expect(band("C")).to_contain_text("50–64")
    page.get_by_role("button", name="Edit scale O-level").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("From percent, row 3").fill("55")  # C from 55: nothing covers 50 to 54
    dialog.get_by_role("button", name="Save scale").click()
    expect(dialog.get_by_text("No grade covers 50 to 54.")).to_be_visible()
    expect(dialog.get_by_label("From percent, row 3")).to_have_value("55")  # the typed value stays
    dialog.get_by_label("To percent, row 4").fill("54")  # D up to 54
    dialog.get_by_role("button", name="Save scale").click()
    expect(page.get_by_text("Saved the O-level scale.")).to_be_visible()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(band("C")).to_contain_text("55–64")
    expect(band("D")).to_contain_text("40–54")
