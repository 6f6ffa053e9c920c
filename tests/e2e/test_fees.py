"""Fees in the browser: the bursar (a staff member with the bursar duty) finds a student on the
cashier screen by admission number as they type, takes a cash payment, sees where it went and
prints its receipt (the PDF read back); the parent's fees page shows the balance dropped by as
much, and the parent downloads the same receipt and the family's statement, which lists it."""

import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader
from sqlmodel import col, select

from models import Guardian, School, Student, StudentGuardian, User
from oneclass import routes
from tests.e2e.conftest import RunningApp, sign_in

pytestmark = pytest.mark.e2e

SCHOOL = "harare-primary"


def first_child(app: RunningApp) -> tuple[str, str]:
    """The demo parent's first child (part-paid by the demo seed): name and admission number."""
    with app.set_up() as session:
        school = session.exec(select(School).where(School.subdomain == SCHOOL)).one()
        parent = session.exec(select(User).where(User.email == f"parent@{SCHOOL}.test")).one()
        child = session.exec(
            select(Student)
            .join(StudentGuardian, col(StudentGuardian.student_id) == Student.id)
            .join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id)
            .where(Guardian.user_id == parent.id, Student.school_id == school.id)
            .order_by(col(Student.admission_number))
        ).first()
        assert child is not None
        return child.full_name, child.admission_number


def show_child(page: Page, name: str) -> None:
    """The parent's fees page, at the child named."""
    expect(page.get_by_role("heading", level=1)).to_have_text("Fees")
    page.get_by_label("Child", exact=True).click()
    page.get_by_role("option", name=name, exact=True).click()
    expect(page.get_by_label("Child", exact=True)).to_have_text(name)
    expect(page.get_by_role("table", name="Invoices")).to_be_visible()


def downloaded_pdf(page: Page, button: str) -> tuple[str, str]:
    """The file a click on `button` downloads: its name, and its text read back with pypdf."""
    with page.expect_download() as download:
        page.get_by_role("button", name=re.compile(f"^{button}")).first.click()
    content = download.value.path().read_bytes()
    assert content.startswith(b"%PDF")
    return download.value.suggested_filename, "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(content)).pages)


def usd_balance(page: Page) -> Decimal:
    balance = page.locator(".fee-balance[data-currency=USD]")
    expect(balance).to_have_text(re.compile(r"^\d+\.\d{2}$"))
    return Decimal(balance.inner_text())


def test_the_bursar_takes_a_cash_payment_and_the_parent_sees_the_balance_drop(browser: Browser, running_app: RunningApp) -> None:
    name, admission = first_child(running_app)
    parent_context, bursar_context = browser.new_context(), browser.new_context()
    parent, bursar = parent_context.new_page(), bursar_context.new_page()
    for page in (parent, bursar):
        page.set_default_timeout(20_000)
    try:
        sign_in(parent, running_app, SCHOOL, f"parent@{SCHOOL}.test")
        expect(parent).to_have_url(running_app.at(SCHOOL, "/parent"))
        parent.get_by_role("navigation", name="Main").get_by_role("link", name="Fees", exact=True).first.click()
        show_child(parent, name)
        before = usd_balance(parent)
        assert before > Decimal("20.00")

        sign_in(bursar, running_app, SCHOOL, f"bursar@{SCHOOL}.test")
        expect(bursar).to_have_url(running_app.at(SCHOOL, "/staff"))
        bursar.get_by_role("navigation", name="Main").get_by_role("link", name="Cashier", exact=True).first.click()
        expect(bursar.get_by_role("heading", level=1)).to_have_text("Cashier")
        search = bursar.get_by_label("Find a student")
        search.press_sequentially(admission, delay=40)  # as a cashier types
        bursar.get_by_role("list", name="Students found").get_by_role("button", name=re.compile(re.escape(admission))).click()
        expect(bursar.get_by_role("heading", name=f"{name} · {admission}")).to_be_visible()
        assert usd_balance(bursar) == before
        bursar.get_by_label("Amount").fill("20.00")
        bursar.get_by_role("button", name="Take payment").click()
        expect(bursar.get_by_role("status").filter(has_text="Received 20.00 USD")).to_be_visible()
        assert usd_balance(bursar) == before - Decimal("20.00")
        expect(bursar.get_by_role("table", name="Payments").get_by_role("cell", name="20.00 USD").first).to_be_visible()
        expect(search).to_be_focused()  # ready for the next parent in the queue
        filename, receipt = downloaded_pdf(bursar, "Print receipt")
        number = re.search(r"R-\d{8}-[0-9A-F]{8}", receipt)
        assert number and filename == f"receipt-{number.group(0)}.pdf"
        for words in ("Harare Primary", name, admission, "20.00 USD", "Cash", "Received by", str(before - Decimal("20.00"))):
            assert words in receipt, (words, receipt)

        parent.goto(running_app.url(SCHOOL, routes.CHILD_FEES))
        show_child(parent, name)
        expect(parent.get_by_role("table", name="Payments").get_by_role("cell", name="20.00 USD").first).to_be_visible()
        assert usd_balance(parent) == before - Decimal("20.00")
        parent_file, _text = downloaded_pdf(parent, "Receipt")  # the newest payment first: the one just taken
        assert parent_file == filename
        statement_file, statement = downloaded_pdf(parent, "Family statement")
        assert statement_file.startswith("family-statement-") and name in statement
        assert number.group(0) in statement and "Balance owed" in statement
    finally:
        parent_context.close()
        bursar_context.close()
