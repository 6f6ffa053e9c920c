"""Accessibility as a test: axe-core (WCAG 2.0/2.1, levels A and AA) on every page of every role,
at a laptop's width and a phone's, with the main dialogs open; and the keyboard alone (the skip
link, the navigation, a dialog that keeps and gives back the focus), and toasts announced.

One browser context per role and width visits its pages in sequence; every violation found is
collected, so one run lists them all (also written to test-artifacts/accessibility-<test>.txt).
axe-core comes from the npm registry into .tools (`make install`).
"""

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from models import Role
from oneclass import routes
from oneclass.settings import PROJECT_ROOT
from tests.e2e.conftest import DEMO_PASSWORD, RunningApp, sign_in
from tests.e2e.test_fees import first_child, show_child
from tests.e2e.test_registers import registers_per_lesson

pytestmark = pytest.mark.e2e

AXE = PROJECT_ROOT / ".tools" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# WCAG 2.5.3 (label in name) is an experimental rule in axe, so not in the tags: asked for by name.
EXTRA_RULES = ["label-content-name-mismatch"]
WIDTHS = {"desktop": {"width": 1366, "height": 900}, "phone": {"width": 390, "height": 844}}
SCHOOL = "harare-primary"
ROOT_EMAIL = "root@oneclass.test"

_RUN_AXE = """async ([within, tags, extra]) => {
    const rules = Object.fromEntries(extra.map((id) => [id, {enabled: true}]));
    const context = within ? {include: [within]} : document;
    const result = await axe.run(context, {runOnly: {type: "tag", values: tags}, rules, resultTypes: ["violations"]});
    return result.violations.map((violation) => ({
        id: violation.id,
        impact: violation.impact,
        help: violation.help,
        nodes: violation.nodes.map((node) => ({
            target: node.target.join(" "),
            html: node.html.slice(0, 240),
            summary: (node.failureSummary || "").split("\\n").slice(1, 2).join("").trim(),
        })),
    }));
}"""


@dataclass(frozen=True)
class Violation:
    where: str
    rule: str
    impact: str
    help: str
    target: str
    html: str
    summary: str

    def __str__(self) -> str:
        return f"{self.where}: {self.rule} ({self.impact}) {self.help}\n    {self.target}\n    {self.html}\n    {self.summary}"


class Audit:
    """One browser context's pages: each visited page (or opened dialog) is checked by axe."""

    def __init__(self, page: Page, app: RunningApp, width: str) -> None:
        self.page = page
        self.app = app
        self.width = width
        self.found: list[Violation] = []

    def check(self, where: str, within: str = "") -> None:
        """Run axe on the page, or on the part of it that the CSS selector `within` picks."""
        self.page.wait_for_timeout(250)  # let an opening dialog's animation finish: contrast is read from pixels
        if not self.page.evaluate("typeof window.axe !== 'undefined'"):
            self.page.add_script_tag(path=str(AXE))
        for violation in self.page.evaluate(_RUN_AXE, [within, WCAG_TAGS, EXTRA_RULES]):
            for node in violation["nodes"]:
                self.found.append(Violation(
                    f"{where} @{self.width}", violation["id"], violation["impact"] or "", violation["help"],
                    node["target"], node["html"], node["summary"],
                ))

    def visit(self, subdomain: str, path: str, heading: str | re.Pattern[str], ready: Callable[[Page], None] | None = None) -> None:
        self.page.goto(self.app.url(subdomain, path))
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        if ready is not None:
            ready(self.page)
        self.check(path)

    def dialog(self, where: str, opener: Callable[[Page], None], name: str | re.Pattern[str] | None, role: str = "dialog") -> None:
        """Open a dialog, check it (the page behind it was checked already), close it with Escape."""
        opener(self.page)
        dialog = self.page.get_by_role(role, name=name)  # type: ignore[arg-type]
        expect(dialog).to_be_visible()
        self.check(where, within=f"[role={role}]")
        self.page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()


@pytest.fixture(params=list(WIDTHS))
def audit(request: pytest.FixtureRequest, browser: Browser, running_app: RunningApp) -> Iterator[Audit]:
    assert AXE.exists(), f"{AXE} is missing: run `make install`"
    context = browser.new_context(viewport=WIDTHS[request.param])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(20_000)
    audit = Audit(page, running_app, request.param)
    yield audit
    context.close()
    summary = "\n".join(str(violation) for violation in audit.found) or "no violations"
    (PROJECT_ROOT / "test-artifacts").mkdir(exist_ok=True)
    (PROJECT_ROOT / "test-artifacts" / f"accessibility-{request.node.name}.txt").write_text(summary + "\n", encoding="utf-8")


def assert_none(audit: Audit) -> None:
    rules = sorted({violation.rule for violation in audit.found})
    assert not audit.found, f"{len(audit.found)} accessibility violations ({', '.join(rules)}):\n" + "\n".join(map(str, audit.found))


def table_shown(name: str | re.Pattern[str]) -> Callable[[Page], None]:
    return lambda page: expect(page.get_by_role("table", name=name)).to_be_visible()


def text_shown(text: str | re.Pattern[str]) -> Callable[[Page], None]:
    return lambda page: expect(page.get_by_text(text).first).to_be_visible()


def account_pages(audit: Audit, subdomain: str) -> None:
    audit.visit(subdomain, routes.ACCOUNT_SECURITY, "Sign-in security")
    audit.visit(subdomain, routes.CHANGE_PASSWORD, "Change password")


def test_public_pages(audit: Audit) -> None:
    audit.visit(SCHOOL, routes.HOME, re.compile("Harare Primary"))
    audit.visit("", routes.HOME, re.compile(".+"))
    audit.visit(SCHOOL, routes.LOGIN, "Sign in")
    audit.visit("", routes.LOGIN, "Sign in")
    audit.visit(SCHOOL, routes.RESET_PASSWORD, re.compile(".+"))
    assert_none(audit)


def test_platform_admin_pages(audit: Audit) -> None:
    sign_in(audit.page, audit.app, "", ROOT_EMAIL)
    expect(audit.page).to_have_url(audit.app.at("", "/platform"))
    audit.visit("", "/platform", "Platform dashboard")
    audit.visit("", routes.PLATFORM_SCHOOLS, "Schools", lambda page: expect(page.get_by_role("rowheader", name="Harare Primary")).to_be_visible())
    audit.dialog("New school dialog", lambda page: page.get_by_role("button", name="New school").first.click(), "New school")
    audit.dialog(
        "Suspend school confirmation",
        lambda page: page.get_by_role("button", name="Suspend Harare Primary").click(),
        re.compile("Suspend Harare Primary"),
        role="alertdialog",
    )
    audit.visit("", routes.PLATFORM_AUDIT, "Platform audit log")
    account_pages(audit, "")
    assert_none(audit)


def test_school_admin_pages(audit: Audit) -> None:
    sign_in(audit.page, audit.app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/admin"))
    audit.visit(SCHOOL, "/admin", "School Admin dashboard", table_shown("Recent activity"))  # and the enrolment chart's table
    if audit.width == "phone":  # the navigation is a drawer there
        audit.dialog("Navigation menu", lambda page: page.get_by_role("button", name="Open navigation menu").click(), None)
    audit.visit(SCHOOL, routes.STUDENTS, "Students", table_shown("Students"))
    audit.dialog("Add student dialog", lambda page: page.get_by_role("button", name="Add student").click(), "Add student")
    audit.page.get_by_role("table", name="Students").get_by_role("rowheader").first.get_by_role("link").click()
    expect(audit.page.get_by_role("heading", name="Medical and emergency")).to_be_visible()
    audit.check("/students/<id>")
    for path, heading in [
        (routes.ADMIN_CLASSES, "Classes"),
        (routes.ADMIN_SUBJECTS, "Subjects"),
        (routes.ADMIN_YEARS, "Years and terms"),
        (routes.ADMIN_STAFF, "Staff"),
        (routes.ADMIN_GUARDIANS, "Guardians"),
        (routes.ADMIN_IMPORT, "Import"),
    ]:
        audit.visit(SCHOOL, path, heading)
    audit.visit(SCHOOL, routes.ADMIN_USERS, "Users", table_shown("Users"))
    audit.dialog("Add user dialog", lambda page: page.get_by_role("button", name="Add user").click(), "Add user")
    audit.dialog(
        "Deactivate user confirmation",
        lambda page: page.get_by_role("button", name="Deactivate Harare Primary Teacher").click(),
        re.compile("Deactivate Harare Primary Teacher"),
        role="alertdialog",
    )
    audit.visit(SCHOOL, routes.ADMIN_AUDIT, "Audit log")
    audit.visit(SCHOOL, routes.ADMIN_SETTINGS, "School settings")
    audit.visit(SCHOOL, routes.ADMIN_TIMETABLE, "Timetable", table_shown(re.compile("^The week of ")))
    audit.dialog("Lesson dialog", lambda page: page.get_by_role("button", name=re.compile("Monday, period 1$")).click(), "Monday, period 1")
    audit.visit(SCHOOL, routes.ADMIN_PERIODS, "Periods of the day", table_shown("Periods of the day"))
    attendance_pages(audit)
    audit.visit(SCHOOL, routes.ADMIN_YEARS, "Years and terms", table_shown("Public holidays and closure days"))
    audit.dialog("Add closure day dialog", lambda page: page.get_by_role("button", name="Add closure day").click(), "Add a day the school is closed")
    audit.dialog(
        "Remove closure day confirmation",
        lambda page: page.get_by_role("table", name="Public holidays and closure days").get_by_role("button", name=re.compile("^Remove ")).first.click(),
        re.compile("^Remove "),
        role="alertdialog",
    )
    account_pages(audit, SCHOOL)
    assert_none(audit)


def test_teacher_pages(audit: Audit) -> None:
    sign_in(audit.page, audit.app, SCHOOL, f"teacher@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/teacher"))
    audit.visit(SCHOOL, "/teacher", "Teacher dashboard", text_shown(re.compile(r"\d+ to enter")))
    audit.visit(SCHOOL, routes.TEACHER_CLASSES, "My classes")
    audit.page.get_by_role("button", name=re.compile("^Class list of ")).first.click()
    expect(audit.page.get_by_role("heading", name=re.compile("^Class list: "))).to_be_visible()
    audit.check(f"{routes.TEACHER_CLASSES} with a class list")
    audit.visit(SCHOOL, routes.STUDENTS, "Students", table_shown("Students"))
    audit.visit(SCHOOL, routes.MY_TIMETABLE, "Timetable", table_shown(re.compile("^The week of ")))
    attendance_pages(audit)
    account_pages(audit, SCHOOL)
    assert_none(audit)


def attendance_pages(audit: Audit) -> None:
    """The registers page with its class's register, and the summaries (teachers, admins)."""
    audit.visit(SCHOOL, routes.REGISTERS, "Registers", table_shown("Register"))
    audit.visit(SCHOOL, routes.ATTENDANCE_SUMMARY, "Attendance summary", table_shown("Class attendance rate by week"))


def test_registers_per_lesson(audit: Audit) -> None:
    """The registers page of a school that takes registers per lesson: the lesson chooser (or
    the word that the day has none of the teacher's), then a lesson's register."""
    with registers_per_lesson(audit.app):
        sign_in(audit.page, audit.app, SCHOOL, f"teacher@{SCHOOL}.test")
        expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/teacher"))
        audit.visit(SCHOOL, routes.REGISTERS, "Registers", text_shown(re.compile("Choose one of the day's lessons|No lessons to take")))
        if audit.page.get_by_text("Choose one of the day's lessons").count():
            audit.page.get_by_role("combobox", name="Lesson").click()
            audit.page.get_by_role("option").first.click()
            expect(audit.page.get_by_role("table", name="Register")).to_be_visible()
            audit.check(f"{routes.REGISTERS} with a lesson's register")
    assert_none(audit)


def test_parent_pages(audit: Audit) -> None:
    sign_in(audit.page, audit.app, SCHOOL, f"parent@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/parent"))
    audit.visit(SCHOOL, "/parent", "Parent dashboard", text_shown(re.compile(r"\d+ days recorded: ")))
    audit.visit(SCHOOL, routes.MY_CHILDREN, "My children", lambda page: expect(page.get_by_role("heading", name="Attendance this term")).to_be_visible())
    audit.visit(SCHOOL, routes.MY_TIMETABLE, "Timetable", table_shown(re.compile("^The week of ")))
    account_pages(audit, SCHOOL)
    assert_none(audit)


def test_a_dashboard_with_published_marks(audit: Audit) -> None:
    """A secondary school's student: their dashboard's marks table (Harare Primary's demo student is in ECD, without marks)."""
    school = "bulawayo-high"
    sign_in(audit.page, audit.app, school, f"student@{school}.test")
    expect(audit.page).to_have_url(audit.app.at(school, "/student"))
    audit.visit(school, "/student", "Student dashboard", table_shown(re.compile("^Marks of ")))
    assert_none(audit)


def test_student_pages(audit: Audit) -> None:
    sign_in(audit.page, audit.app, SCHOOL, f"student@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/student"))
    audit.visit(SCHOOL, "/student", "Student dashboard", text_shown(re.compile(r"\d+ days recorded: ")))
    audit.visit(SCHOOL, routes.MY_PROFILE, "My profile", lambda page: expect(page.get_by_role("heading", name="Attendance this term")).to_be_visible())
    audit.visit(SCHOOL, routes.MY_TIMETABLE, "Timetable", table_shown(re.compile("^The week of ")))
    account_pages(audit, SCHOOL)
    assert_none(audit)


def test_fees_pages(audit: Audit) -> None:
    """Fee structures, invoices, discounts and sponsors, the cashier with a student chosen and the reversal dialog, the
    cash-up and the arrears list (the admin's), and the parent's fees page."""
    sign_in(audit.page, audit.app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/admin"))
    audit.visit(SCHOOL, routes.FEE_STRUCTURES, "Fee structures", table_shown("Fee structures"))
    audit.visit(SCHOOL, routes.FEE_INVOICES, "Invoices", lambda page: expect(page.locator("#invoices-to-issue")).to_be_visible())
    audit.visit(SCHOOL, routes.FEE_ADJUSTMENTS, "Discounts and bursaries", table_shown("Sponsors"))
    audit.visit(SCHOOL, routes.CASHIER, "Cashier")
    audit.page.get_by_label("Find a student").fill("0001")
    audit.page.get_by_role("list", name="Students found").get_by_role("button").first.click()
    expect(audit.page.get_by_role("table", name="Payments")).to_be_visible()
    audit.check(f"{routes.CASHIER} with a student")
    audit.dialog("Reverse payment dialog", lambda page: page.get_by_role("button", name=re.compile("^Reverse ")).first.click(), "Reverse this payment?")
    audit.visit(SCHOOL, routes.CASH_UP, "Cash-up")
    audit.visit(SCHOOL, routes.ARREARS, "Arrears", table_shown("Arrears"))
    audit.page.context.clear_cookies()
    sign_in(audit.page, audit.app, SCHOOL, f"parent@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/parent"))
    audit.visit(SCHOOL, routes.CHILD_FEES, "Fees", table_shown("Invoices"))
    show_child(audit.page, first_child(audit.app)[0])  # part-paid by the demo: it has an invoice to pay online
    audit.dialog("Pay online dialog", lambda page: page.get_by_role("button", name=re.compile("^Pay online")).first.click(), "Pay online")
    assert_none(audit)


def test_announcements_and_messages_pages(audit: Audit) -> None:
    """The teacher's announcements (with the form), the messages page with a conversation open
    and the new-message dialog; the parent's announcements."""
    sign_in(audit.page, audit.app, SCHOOL, f"teacher@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/teacher"))
    audit.visit(SCHOOL, routes.ANNOUNCEMENTS, "Announcements", lambda page: expect(page.get_by_role("heading", name="New announcement")).to_be_visible())
    audit.visit(SCHOOL, routes.MESSAGES, "Messages", table_shown("Conversations"))
    audit.page.get_by_role("table", name="Conversations").get_by_role("link").first.click()
    expect(audit.page.get_by_label("Reply")).to_be_visible()
    audit.check(f"{routes.MESSAGES} with a conversation open")
    audit.dialog("New message dialog", lambda page: page.get_by_role("button", name="New message").click(), "New message")
    audit.page.context.clear_cookies()
    sign_in(audit.page, audit.app, SCHOOL, f"parent@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/parent"))
    audit.visit(SCHOOL, routes.ANNOUNCEMENTS, "Announcements", text_shown("Sports day"))
    assert_none(audit)


def test_notification_pages(audit: Audit) -> None:
    """The admin's outgoing log and fee reminders (with the confirmation), and the parent's
    notifications with the channel form."""
    sign_in(audit.page, audit.app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/admin"))
    audit.visit(SCHOOL, routes.OUTGOING_LOG, "Outgoing messages")
    audit.visit(SCHOOL, routes.FEE_REMINDERS, "Fee reminders", lambda page: expect(page.locator("#families-to-remind")).to_be_visible())
    audit.dialog("Send reminders dialog", lambda page: page.get_by_role("button", name="Send reminders").click(), "Send the fee reminders?", role="alertdialog")
    audit.page.context.clear_cookies()
    sign_in(audit.page, audit.app, SCHOOL, f"parent@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/parent"))
    audit.visit(SCHOOL, routes.NOTIFICATIONS, "Notifications", lambda page: expect(page.get_by_label("Never send me SMS")).to_be_visible())
    assert_none(audit)


# --- the keyboard and the screen reader -------------------------------------------------------


def focused(locator: Locator) -> bool:
    return bool(locator.evaluate("element => element === document.activeElement"))


def tab_to(page: Page, target: Locator, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, as someone without a mouse would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if focused(target):
            return
    raise AssertionError(f"{target} was not reached in {limit} presses of Tab")


def skip_to_main(page: Page) -> None:
    """The first Tab on a page just loaded reaches "Skip to main content"; Enter puts the focus on
    the page's own content."""
    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main-content")).to_be_focused()


def test_gradebook_pages_of_the_teacher(audit: Audit) -> None:
    """The gradebook with a mark grid open, and the new-assessment dialog."""
    sign_in(audit.page, audit.app, SCHOOL, f"teacher@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/teacher"))
    audit.visit(SCHOOL, routes.GRADEBOOK, "Gradebook", table_shown("Assessments"))
    audit.page.get_by_role("button", name="Enter marks Test 1").click()
    expect(audit.page.get_by_role("heading", name=re.compile("^Marks: Test 1"))).to_be_visible()
    audit.check(f"{routes.GRADEBOOK} with a mark grid")
    audit.dialog("New assessment dialog", lambda page: page.get_by_role("button", name="New assessment").click(), "New assessment")
    assert_none(audit)


def test_grading_pages_of_the_admin(audit: Audit) -> None:
    sign_in(audit.page, audit.app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/admin"))
    audit.visit(SCHOOL, routes.GRADEBOOK, "Gradebook", table_shown("Assessments"))
    audit.visit(SCHOOL, routes.ADMIN_GRADING_SCALES, "Grading scales", table_shown("O-level"))
    audit.dialog("Edit scale dialog", lambda page: page.get_by_role("button", name="Edit scale Primary (Grade 7 units)").click(), re.compile("^Edit the "))
    assert_none(audit)


def test_report_card_pages_of_the_admin(audit: Audit) -> None:
    """The report-cards page with its publishing part, the publish confirmation and the comments dialog."""
    sign_in(audit.page, audit.app, SCHOOL, f"admin@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, "/admin"))
    audit.visit(SCHOOL, routes.REPORT_CARDS, "Report cards", table_shown("Comments"))
    audit.dialog("Publish confirmation", lambda page: page.get_by_role("button", name="Publish", exact=True).click(), "Publish these report cards?", role="alertdialog")
    audit.dialog(
        "Comments dialog", lambda page: page.get_by_role("button", name=re.compile("^Write comments ")).first.click(), re.compile("^Comments for "),
    )
    assert_none(audit)


REPORT_CARD_PAGES = {"teacher": (routes.REPORT_CARDS, "Report cards"), "student": (routes.MY_PROFILE, "My profile"), "parent": (routes.MY_CHILDREN, "My children")}


@pytest.mark.parametrize("role", list(REPORT_CARD_PAGES))
def test_report_cards_of_teachers_and_families(audit: Audit, role: str) -> None:
    """A class teacher's comments; a student's and a parent's published cards on their own page."""
    path, heading = REPORT_CARD_PAGES[role]
    sign_in(audit.page, audit.app, SCHOOL, f"{role}@{SCHOOL}.test")
    expect(audit.page).to_have_url(audit.app.at(SCHOOL, f"/{role}"))
    if role == "teacher":
        audit.visit(SCHOOL, path, heading, table_shown("Comments"))
    else:
        audit.visit(SCHOOL, path, heading, lambda page: expect(page.get_by_role("heading", name="Report cards", exact=True)).to_be_visible())
    assert_none(audit)


def test_keyboard_only_sign_in_navigation_and_dialog(browser: Browser, running_app: RunningApp) -> None:
    context = browser.new_context(viewport=WIDTHS["desktop"])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        page.goto(running_app.url(SCHOOL, routes.LOGIN))
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
        skip_to_main(page)
        page.keyboard.press("Tab")
        expect(page.get_by_label("Email")).to_be_focused()
        page.keyboard.type(f"admin@{SCHOOL}.test")
        page.keyboard.press("Tab")
        expect(page.get_by_label("Password")).to_be_focused()
        page.keyboard.type(DEMO_PASSWORD)
        page.keyboard.press("Enter")
        expect(page).to_have_url(running_app.at(SCHOOL, "/admin"))
        expect(page.get_by_role("heading", level=1)).to_have_text("School Admin dashboard")

        # The navigation, by keyboard: Tab on to "Students", Enter.
        tab_to(page, page.get_by_role("navigation", name="Main").get_by_role("link", name="Students"))
        page.keyboard.press("Enter")
        expect(page).to_have_url(running_app.at(SCHOOL, routes.STUDENTS))
        expect(page.get_by_role("table", name="Students")).to_be_visible()

        # A dialog opens with Enter, keeps the focus inside while open, closes with Escape and
        # gives the focus back to the button that opened it.
        add_student = page.get_by_role("button", name="Add student")
        tab_to(page, add_student)
        outline = add_student.evaluate("element => getComputedStyle(element).outlineStyle + ' ' + getComputedStyle(element).outlineWidth")
        assert outline == "solid 2px", f"the focused button shows no focus ring: {outline}"
        page.keyboard.press("Enter")
        dialog = page.get_by_role("dialog", name="Add student")
        expect(dialog).to_be_visible()
        inside = "() => document.querySelector('[role=dialog]').contains(document.activeElement)"
        assert page.evaluate(inside), "the focus did not move into the dialog"
        for _ in range(30):  # more than the dialog's fields: Tab wraps round inside it
            page.keyboard.press("Tab")
            assert page.evaluate(inside), "Tab left the open dialog"
        page.keyboard.press("Escape")
        expect(dialog).to_be_hidden()
        expect(add_student).to_be_focused()
    finally:
        context.close()


def test_toasts_are_announced(browser: Browser, running_app: RunningApp) -> None:
    """Toasts (sonner) appear inside a polite live region that is there before them, so screen
    readers read them out: here a refusal, when a teacher opens an administrator's page."""
    teacher = running_app.make_account(SCHOOL, Role.teacher)
    context = browser.new_context(viewport=WIDTHS["desktop"])  # type: ignore[arg-type]
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        sign_in(page, running_app, SCHOOL, teacher.email)
        expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
        live_region = page.locator("section[aria-live=polite]")
        expect(live_region).to_have_count(1)
        expect(live_region.locator("li")).to_have_count(0)
        page.goto(running_app.url(SCHOOL, routes.ADMIN_USERS))
        expect(page).to_have_url(running_app.at(SCHOOL, "/teacher"))
        expect(live_region.locator("li")).to_have_count(1)
        expect(live_region).to_contain_text(re.compile(r"\S"))
    finally:
        context.close()
