"""The super admin at the root domain: creating a school whose admin signs in at its new
address, refused input in the form, suspending and reactivating, and the platform audit log."""

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

ROOT_EMAIL = "root@oneclass.test"
ADMIN_PASSWORD = "first-admin-2026"


@contextmanager
def someone_else(browser: Browser) -> Iterator[Page]:
    """Another person's browser: no cookies, no page state of ours."""
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        page = context.new_page()
        page.set_default_timeout(20_000)
        yield page
    finally:
        context.close()


def open_schools(page: Page, app: RunningApp) -> None:
    sign_in(page, app, "", ROOT_EMAIL)
    expect(page).to_have_url(app.at("", "/platform"))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Schools").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Schools")
    expect(page.get_by_role("rowheader", name="Harare Primary")).to_be_visible()


def choose(page: Page, label: str, option: str) -> None:
    page.get_by_label(label, exact=True).click()
    page.get_by_role("option", name=option, exact=True).click()


def fill_new_school(page: Page, subdomain: str, name: str) -> None:
    page.get_by_role("button", name="New school").first.click()
    dialog = page.get_by_role("dialog", name="New school")
    expect(dialog).to_be_visible()
    dialog.get_by_label("School name").fill(name)
    dialog.get_by_label("Subdomain").fill(subdomain)
    choose(page, "Level", "Secondary")
    choose(page, "Currency", "ZiG")
    dialog.get_by_label("Admin full name").fill("Tendai Moyo")
    dialog.get_by_label("Admin email").fill(f"head@{subdomain}.test")
    dialog.get_by_label("Admin password").fill(ADMIN_PASSWORD)


def create_school(page: Page, subdomain: str, name: str) -> None:
    fill_new_school(page, subdomain, name)
    page.get_by_role("button", name="Create school").click()
    expect(page.get_by_role("dialog", name="New school")).to_be_hidden()
    expect(page.get_by_role("rowheader", name=name)).to_be_visible()


def test_super_admin_creates_a_school_whose_admin_signs_in_there(running_app: RunningApp, page: Page) -> None:
    subdomain = f"mutare-{uuid.uuid4().hex[:6]}"
    open_schools(page, running_app)
    create_school(page, subdomain, "Mutare High")
    expect(page.get_by_text(f"Mutare High is ready at {subdomain}.localhost.")).to_be_visible()

    page.get_by_label("Search schools").fill(subdomain.upper())
    expect(page.get_by_role("rowheader")).to_have_count(1)
    row = page.get_by_role("row").filter(has_text="Mutare High")
    expect(row.get_by_text("Active")).to_be_visible()
    expect(row.get_by_text("ZiG")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(running_app.at("", "/login"))

    sign_in(page, running_app, subdomain, f"head@{subdomain}.test", ADMIN_PASSWORD)
    expect(page).to_have_url(running_app.at(subdomain, "/admin"))
    expect(page.get_by_text("Tendai Moyo").first).to_be_visible()
    expect(page.get_by_text("Mutare High").first).to_be_visible()


def test_the_form_shows_each_refusal_by_its_field(running_app: RunningApp, page: Page) -> None:
    open_schools(page, running_app)
    fill_new_school(page, "www", "Reserved Name School")
    page.get_by_label("Admin password").fill("password123")
    page.get_by_role("button", name="Create school").click()
    dialog = page.get_by_role("dialog", name="New school")
    expect(dialog.get_by_text("Please correct the fields marked below.")).to_be_visible()
    expect(dialog.get_by_text("This subdomain is reserved for the platform; choose another.")).to_be_visible()
    expect(dialog.get_by_text("too common or too easy to guess")).to_be_visible()
    # The typed values stay for correcting; cancelling creates nothing.
    expect(dialog.get_by_label("School name")).to_have_value("Reserved Name School")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page.get_by_role("rowheader", name="Reserved Name School")).to_have_count(0)


def test_suspending_a_school_refuses_its_users_until_reactivated(
    running_app: RunningApp, page: Page, browser: Browser
) -> None:
    subdomain = f"gweru-{uuid.uuid4().hex[:6]}"
    name = f"Gweru {subdomain[-6:]}"
    open_schools(page, running_app)
    create_school(page, subdomain, name)

    page.get_by_role("button", name=f"Suspend {name}").click()
    confirm = page.get_by_role("alertdialog")
    expect(confirm).to_contain_text(f"Suspend {name}?")
    confirm.get_by_role("button", name="Suspend school").click()
    expect(confirm).to_be_hidden()
    row = page.get_by_role("row").filter(has_text=name)
    expect(row.get_by_text("Suspended")).to_be_visible()

    with someone_else(browser) as head:
        head.goto(running_app.url(subdomain, "/login"))
        expect(head.get_by_text("This school's account is suspended.")).to_be_visible()
        expect(head.get_by_label("Password")).to_have_count(0)

    page.get_by_role("button", name=f"Reactivate {name}").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Reactivate school").click()
    expect(row.get_by_text("Active")).to_be_visible()

    with someone_else(browser) as head:
        sign_in(head, running_app, subdomain, f"head@{subdomain}.test", ADMIN_PASSWORD)
        expect(head).to_have_url(running_app.at(subdomain, "/admin"))

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Platform audit log").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Platform audit log")
    page.get_by_label("Action starts with").fill("school.")
    page.get_by_role("button", name="Apply filters").click()
    events = page.get_by_role("row").filter(has_text=subdomain)
    expect(events.filter(has_text="school.created")).to_have_count(1)
    expect(events.filter(has_text="school.suspended")).to_have_count(1)
    expect(events.filter(has_text="school.reactivated")).to_have_count(1)
    expect(page.get_by_role("row").filter(has_text="sign_in.")).to_have_count(0)
