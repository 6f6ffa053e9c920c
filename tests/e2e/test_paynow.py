"""Paying online in the browser: the demo parent pays an invoice through Paynow's web checkout
(the fake Paynow on loopback, which posts the signed status update to the school's result URL
and sends the browser back), and the fees page shows the payment received and the invoice paid.
The school settings page shows that a key is set, never the key."""

import re

import pytest
from playwright.sync_api import Page, expect

from oneclass import routes
from tests.e2e.conftest import RunningApp, sign_in
from tests.e2e.test_fees import SCHOOL, show_child
from tests.fake_paynow import KEY, FakePaynow

pytestmark = pytest.mark.e2e


def last_child(page: Page) -> str:
    """The demo parent's last child in the chooser (the cash payment test uses the first)."""
    page.get_by_label("Child", exact=True).click()
    name = page.get_by_role("option").last.inner_text()
    page.keyboard.press("Escape")
    return name


def test_the_parent_pays_an_invoice_online_and_sees_it_paid(page: Page, running_app: RunningApp, fake_paynow: FakePaynow) -> None:
    sign_in(page, running_app, SCHOOL, f"parent@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/parent"))
    page.goto(running_app.url(SCHOOL, routes.CHILD_FEES))
    expect(page.get_by_role("heading", level=1)).to_have_text("Fees")
    name = last_child(page)
    show_child(page, name)
    invoices = page.get_by_role("table", name="Invoices")
    payable = invoices.get_by_role("row").filter(has=page.get_by_role("button", name=re.compile("^Pay online")))
    expect(payable.first).to_be_visible()
    row = payable.last
    account = row.get_by_role("cell").nth(0).inner_text()  # the first plain cell: the account
    balance = row.get_by_role("cell").nth(4).inner_text()
    row.get_by_role("button", name=re.compile("^Pay online")).click()

    dialog = page.get_by_role("dialog", name="Pay online")
    expect(dialog).to_contain_text(balance)
    dialog.get_by_label("Mobile number (EcoCash or OneMoney)").fill("12")  # ignored for Paynow's page
    dialog.get_by_role("button", name="Pay now").click()

    expect(page).to_have_url(re.compile(re.escape(fake_paynow.base) + "/Payment/ConfirmPayment/"))
    expect(page.get_by_text(f"Pay {balance} for OC-")).to_be_visible()
    page.get_by_role("button", name="Pay now").click()

    expect(page).to_have_url(re.compile(re.escape(running_app.url(SCHOOL, routes.CHILD_FEES)) + r"/?\?paynow=OC-[0-9A-F]+$"))
    expect(page.get_by_role("status").filter(has_text="Payment received: the invoice is paid.")).to_be_visible()
    show_child(page, name)
    paid_row = page.get_by_role("table", name="Invoices").get_by_role("row").filter(has=page.get_by_role("cell", name=account, exact=True)).last
    expect(paid_row).to_contain_text("Paid")
    expect(paid_row.get_by_role("button", name=re.compile("^Pay online"))).to_have_count(0)
    expect(page.get_by_role("table", name="Payments").get_by_role("cell", name=f"{balance} USD").first).to_be_visible()


def test_the_settings_page_shows_that_a_key_is_set_never_the_key(page: Page, running_app: RunningApp) -> None:
    sign_in(page, running_app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
    page.goto(running_app.url(SCHOOL, routes.ADMIN_SETTINGS))
    expect(page.get_by_role("heading", name="Online payment (Paynow)")).to_be_visible()
    expect(page.get_by_label("Integration ID").first).to_have_value("1201")
    key = page.get_by_label("Integration key").first
    expect(key).to_have_value("")
    expect(key).to_have_attribute("placeholder", "A key is set: leave blank to keep it")
    assert KEY not in page.content()
    expect(page.get_by_role("button", name="Remove USD")).to_be_visible()
    expect(page.get_by_role("button", name="Remove ZWG")).to_have_count(0)
