"""A school admin manages the school's users in the browser: search, add, deactivate, and import
many from a file through the Import page (its "Users" kind)."""

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"


def open_users(page: Page, app: RunningApp) -> None:
    sign_in(page, app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(app.at(SCHOOL, "/admin"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    expect(page).to_have_url(app.at(SCHOOL, "/admin/users"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Users")
    expect(page.get_by_role("table", name="Users")).to_be_visible()


def upload_csv(page: Page, content: str) -> None:
    page.locator("input[type=file]").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    expect(page.get_by_role("button", name="Check file")).to_be_enabled()
    page.get_by_role("button", name="Check file").click()


def test_admin_searches_adds_and_deactivates_a_user(running_app: RunningApp, page: Page) -> None:
    open_users(page, running_app)
    users = page.get_by_role("table", name="Users")
    expect(users.get_by_role("rowheader", name="Harare Primary Teacher")).to_be_visible()

    page.get_by_label("Search users").fill(f"teacher@{SCHOOL}")  # the demo data may grow; this is one
    expect(users.get_by_role("rowheader")).to_have_count(1)
    expect(users.get_by_role("rowheader", name="Harare Primary Teacher")).to_be_visible()
    page.get_by_label("Search users").fill("nobody-by-this-name")
    expect(page.get_by_text("No users match")).to_be_visible()
    page.get_by_label("Search users").fill("")
    expect(page.get_by_text("Page 1 of 1")).to_be_visible()

    email = f"tatenda.{uuid.uuid4().hex[:6]}@{SCHOOL}.test"
    page.get_by_role("button", name="Add user").click()
    dialog = page.get_by_role("dialog")
    dialog.get_by_label("Full name").fill("Tatenda Mutasa")
    dialog.get_by_label("Email").fill("not-an-email@x")
    dialog.get_by_label("Role").click()
    page.get_by_role("option", name="Student", exact=True).click()
    dialog.get_by_role("button", name="Add user").click()
    expect(dialog.get_by_text("Enter a valid email address")).to_be_visible()

    dialog.get_by_label("Email").fill(email)
    dialog.get_by_role("button", name="Add user").click()
    expect(page.get_by_role("dialog")).to_have_count(0)
    expect(page.get_by_text("Added Tatenda Mutasa.")).to_be_visible()
    row = users.get_by_role("row").filter(has_text=email)
    expect(row).to_contain_text("Student")
    expect(row).to_contain_text("Active")

    page.get_by_label("Search users").fill("Mutasa")
    expect(users.get_by_role("rowheader")).to_have_count(1)
    row.get_by_role("button", name="Deactivate Tatenda Mutasa").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Deactivate Tatenda Mutasa?")
    confirm.get_by_role("button", name="Deactivate").click()
    expect(row).to_contain_text("Deactivated")
    expect(row.get_by_role("button", name="Reactivate Tatenda Mutasa")).to_be_visible()


def test_csv_upload_shows_row_errors_then_imports_a_clean_file(running_app: RunningApp, page: Page) -> None:
    open_users(page, running_app)
    page.get_by_role("button", name="Import users").click()
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin/import?kind=users"))
    expect(page.get_by_role("radio", name="Users")).to_be_checked()
    tag = uuid.uuid4().hex[:6]
    upload_csv(
        page,
        "email,full_name,role\n"
        f"rumbi.{tag}@{SCHOOL}.test,Rumbi Chari,student\n"
        "this is not an email,Broken Row,teacher\n",
    )
    expect(page.get_by_text("2 rows: 1 ready, 1 with problems.")).to_be_visible()
    problem = page.get_by_role("table", name="Problems").get_by_role("row").filter(has=page.get_by_role("rowheader", name="3", exact=True))
    expect(problem).to_contain_text("Enter a valid email address")
    expect(page.get_by_role("button", name="Import 1 rows")).to_be_disabled()

    upload_csv(
        page,
        "email,full_name,role\n"
        f"rumbi.{tag}@{SCHOOL}.test,Rumbi Chari,student\n"
        f"kuda.{tag}@{SCHOOL}.test,Kuda Marufu,parent\n",
    )
    expect(page.get_by_text("2 rows: 2 ready, 0 with problems.")).to_be_visible()
    page.get_by_role("button", name="Import 2 rows").click()
    expect(page.get_by_text("Imported 2 users.").first).to_be_visible()  # the notice (and a toast)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Users").click()
    page.get_by_label("Search users").fill(tag)
    users = page.get_by_role("table", name="Users")
    expect(users.get_by_role("rowheader")).to_have_count(2)
    expect(users.get_by_role("row").filter(has_text="Kuda Marufu")).to_contain_text("Parent")


def test_reset_link_audit_log_and_settings(running_app: RunningApp, page: Page) -> None:
    open_users(page, running_app)
    page.get_by_role("button", name="Reset password for Harare Primary Student").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Password reset link for Harare Primary Student")
    link = dialog.get_by_label("Reset link").input_value()
    assert link.startswith(running_app.url(SCHOOL, "/reset-password?token="))
    dialog.get_by_role("button", name="Done").click()
    expect(page.get_by_role("dialog")).to_have_count(0)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Audit log")
    events = page.get_by_role("table", name="Audit log")
    expect(events.get_by_text("password.reset_issued").first).to_be_visible()
    page.get_by_label("Action").click()
    page.get_by_role("option", name="Sign-ins").click()
    expect(events.get_by_text("password.reset_issued")).to_have_count(0)
    expect(events.get_by_text("sign_in.succeeded").first).to_be_visible()
    page.get_by_label("Actor email").fill("nobody-at-all")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.get_by_text("Nothing recorded matches these filters.")).to_be_visible()

    page.get_by_role("navigation", name="Main").get_by_role("link", name="School settings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("School settings")
    expect(page.get_by_label("Require two-step sign-in for administrators")).not_to_be_checked()


def test_a_teacher_gets_no_user_list(running_app: RunningApp, page: Page) -> None:
    sign_in(page, running_app, SCHOOL, f"teacher@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
    page.goto(running_app.url(SCHOOL, "/admin/users"))
    expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
    expect(page.get_by_text("You do not have access to that page.")).to_have_count(1)
    expect(page.get_by_text("admin@harare-primary.test")).to_have_count(0)
