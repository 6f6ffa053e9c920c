"""Role dashboards: where each role lands after signing in, with the cards that answer each
role's first question of the day (oneclass.services.dashboards computes them)."""

from typing import Any

import reflex as rx

from components.i18n import t, t_format
from components.table import VISUALLY_HIDDEN, data_table
from models import Role
from oneclass import routes
from oneclass.i18n import N_
from pages.attendance import due_registers_card
from pages.guard import signed_in_page
from pages.timetable import todays_lessons_card
from state.announcements import LatestAnnouncementsState
from state.attendance import DueRegistersState
from state.auth import AuthState
from state.dashboards import AdminDashboardState, FamilyDashboardState, FeesOwedState, MarksToEnterState
from state.timetable import TodayLessonsState

WELCOME = {
    Role.super_admin: N_("Create and look after the schools on OneClass."),
    Role.school_admin: N_("Manage your school's people, settings and records."),
    Role.teacher: N_("Your classes, registers and marks will appear here."),
    Role.student: N_("Your timetable, marks and notices will appear here."),
    Role.parent: N_("Your children's attendance, marks and fees will appear here."),
    Role.staff: N_("Your department's work will appear here."),
}
# Page titles: signed_in_page shows them in the reader's language.
TITLES = {
    Role.super_admin: N_("Platform dashboard"),
    Role.school_admin: N_("School Admin dashboard"),
    Role.teacher: N_("Teacher dashboard"),
    Role.student: N_("Student dashboard"),
    Role.parent: N_("Parent dashboard"),
    Role.staff: N_("Staff dashboard"),
}


def profile_card() -> rx.Component:
    return rx.card(
        rx.data_list.root(
            rx.data_list.item(rx.data_list.label(t("Name")), rx.data_list.value(AuthState.user_name)),
            rx.data_list.item(rx.data_list.label(t("Role")), rx.data_list.value(t(AuthState.role_label))),
            rx.data_list.item(rx.data_list.label(t("Email")), rx.data_list.value(AuthState.user_email)),
            rx.data_list.item(
                rx.data_list.label(t("School")),
                rx.data_list.value(rx.cond(AuthState.is_school, AuthState.school_name, t("OneClass platform"))),
            ),
        ),
        max_width="36em",
    )


def shortcuts() -> rx.Component:
    return rx.hstack(
        rx.foreach(
            AuthState.nav_items[1:],
            lambda item: rx.link(rx.button(rx.icon(item["icon"], size=16), t(item["label"]), variant="soft"), href=item["href"]),
        ),
        wrap="wrap",
        spacing="3",
    )


def card(title: str, *body: rx.Component, link: tuple[str, str] | None = None) -> rx.Component:
    """A dashboard card: its heading, what it says, and the page that has the rest."""
    return rx.card(
        rx.vstack(
            rx.heading(t(title), as_="h2", size="4"),
            *body,
            *([rx.link(t(link[0]), href=link[1])] if link else []),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def muted(text: rx.Var) -> rx.Component:
    return rx.text(text, color="var(--gray-11)")


# --- the school admin's ----------------------------------------------------------------------


def enrolment_card() -> rx.Component:
    state = AdminDashboardState
    return card(
        N_("Enrolment by level"),
        rx.text(t_format("{count} students on the roll this year", count=state.enrolled.to(str)), weight="medium"),
        rx.cond(
            state.levels.length() > 0,
            rx.vstack(
                rx.box(
                    rx.recharts.bar_chart(
                        rx.recharts.bar(data_key="students", fill="var(--accent-9)", is_animation_active=False),
                        rx.recharts.x_axis(data_key="name", interval=0, angle=-30, text_anchor="end", height=60, font_size=11),
                        rx.recharts.y_axis(allow_decimals=False, width=36),
                        rx.recharts.graphing_tooltip(),
                        data=state.levels,
                        width="100%",
                        height=220,
                        # The table below says the same to screen readers: the chart stays out of the Tab order.
                        custom_attrs={"accessibilityLayer": False},
                    ),
                    aria_hidden="true",
                    width="100%",
                ),
                rx.el.table(
                    rx.el.caption(t("Students by level")),
                    rx.el.tbody(rx.foreach(state.levels, lambda row: rx.el.tr(rx.el.th(row["name"], scope="row"), rx.el.td(row["students"].to(str))))),
                    style=VISUALLY_HIDDEN,
                ),
                width="100%",
            ),
        ),
        link=(N_("All students"), routes.STUDENTS),
    )


def attendance_today_card() -> rx.Component:
    state = AdminDashboardState
    return card(
        N_("Today's attendance so far"),
        rx.cond(
            state.school_day,
            rx.data_list.root(
                rx.data_list.item(
                    rx.data_list.label(t("Registers taken")),
                    rx.data_list.value(t_format("{taken} of {total}", taken=state.registers_taken.to(str), total=state.registers_to_take.to(str))),
                ),
                rx.data_list.item(
                    rx.data_list.label(t("Present")),
                    rx.data_list.value(rx.cond(state.present_rate != "", state.present_rate, t("No register taken yet"))),
                ),
            ),
            muted(t("The school does not sit today.")),
        ),
        link=(N_("Attendance summaries"), routes.ATTENDANCE_SUMMARY),
    )


def activity_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["when"], white_space="nowrap"),
        rx.table.cell(row["actor"]),
        rx.table.cell(row["action"]),
        rx.table.cell(row["target"]),
    )


def activity_card() -> rx.Component:
    return card(
        N_("Recent activity"),
        data_table(
            [t("When"), t("Who"), t("What"), t("Target")],
            AdminDashboardState.activity,
            activity_row,
            empty=muted(t("Nothing has happened yet.")),
            label=t("Recent activity"),
        ),
        link=(N_("Audit log"), routes.ADMIN_AUDIT),
    )


# --- the teacher's -----------------------------------------------------------------------------


def marks_to_enter_card() -> rx.Component:
    state = MarksToEnterState
    return card(
        N_("Marks still to enter"),
        rx.cond(
            state.marks_due.length() > 0,
            rx.el.ul(
                rx.foreach(
                    state.marks_due,
                    lambda row: rx.el.li(
                        rx.text(
                            row["class_name"], " · ", row["subject"], " · ", row["assessment"], ": ",
                            t_format("{count} to enter", count=row["missing"].to(str)),
                        )
                    ),
                ),
                style={"paddingLeft": "1.2em", "margin": 0},
            ),
            muted(t("None: every assessment of this term is marked.")),
        ),
        link=(N_("Gradebook"), routes.GRADEBOOK),
    )


# --- the student's and the parent's ------------------------------------------------------------


def grade_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["subject"]),
        rx.table.cell(row["percent"].to(str) + "%"),
        rx.table.cell(row["grade"]),
    )


def child_heading(name: rx.Var, detail: rx.Var) -> rx.Component:
    return rx.heading(name, rx.cond(detail != "", rx.text.span(" · ", detail, weight="regular")), as_="h3", size="3")


def recent_marks_card() -> rx.Component:
    return card(
        N_("Recent marks"),
        rx.foreach(
            FamilyDashboardState.recent_marks,
            lambda child: rx.vstack(
                child_heading(child["name"], child["term"]),
                data_table(
                    [t("Subject"), t("Percent"), t("Grade")],
                    child["grades"].to(list[dict[str, Any]]),
                    grade_row,
                    empty=muted(t("No published marks yet: they show once the term's report cards are out.")),
                    label=t_format("Marks of {name}", name=child["name"].to(str)),
                ),
                spacing="2",
                width="100%",
            ),
        ),
    )


def term_attendance_card(history: str) -> rx.Component:
    return card(
        N_("Attendance this term"),
        rx.foreach(
            FamilyDashboardState.term_attendance,
            lambda child: rx.vstack(
                child_heading(child["name"], child["rate"]),
                rx.cond(
                    child["days"].to(int) > 0,
                    muted(
                        t_format(
                            "{days} days recorded: {absent} absent, {late} late, {excused} excused", days=child["days"].to(str),
                            absent=child["absent"].to(str), late=child["late"].to(str), excused=child["excused"].to(str),
                        )
                    ),
                    muted(t("No register recorded this term yet.")),
                ),
                spacing="1",
            ),
        ),
        link=(N_("Attendance history"), history),
    )


def lesson_item(lesson: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.span(lesson["day"], " ", lesson["starts"], "–", lesson["ends"], weight="medium"),
            " ", lesson["subject"], " · ", lesson["teacher"],
            rx.cond(lesson["room"] != "", rx.text.span(" · ", lesson["room"])),
        )
    )


def next_lessons_card() -> rx.Component:
    return card(
        N_("Next lessons"),
        rx.foreach(
            FamilyDashboardState.coming_lessons,
            lambda child: rx.vstack(
                child_heading(child["name"], child["class_name"]),
                rx.cond(
                    child["lessons"].to(list[dict[str, str]]).length() > 0,
                    rx.el.ul(rx.foreach(child["lessons"].to(list[dict[str, str]]), lesson_item), style={"paddingLeft": "1.2em", "margin": 0}),
                    muted(t("No lessons in the coming days.")),
                ),
                spacing="1",
            ),
        ),
        link=(N_("The whole week"), routes.MY_TIMETABLE),
    )


def announcement_item(row: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.text(
            rx.text.span(row["title"], weight="medium"),
            rx.cond(row["unread"], rx.badge(t("New"), color_scheme="green", margin_left="var(--space-2)")),
        ),
        rx.text(row["author"], " · ", row["posted"], size="1", color="var(--gray-11)"),
    )


def announcements_card() -> rx.Component:
    """The newest announcements addressed to the reader (`announcements.latest_announcements`)."""
    return card(
        N_("Announcements"),
        rx.cond(
            LatestAnnouncementsState.latest.length() > 0,
            rx.el.ul(rx.foreach(LatestAnnouncementsState.latest, announcement_item), style={"paddingLeft": "1.2em", "margin": 0}),
            muted(t("No announcements yet.")),
        ),
        link=(N_("All announcements"), routes.ANNOUNCEMENTS),
    )


def owed_item(row: rx.Var) -> rx.Component:
    return rx.text(rx.text.span(row["amount"], weight="bold", class_name="owed-amount", data_currency=row["currency"]), " ", row["currency"])


def fees_owed_card() -> rx.Component:
    return card(
        N_("Owed by your children"),
        rx.foreach(
            FeesOwedState.fees_owed,
            lambda child: rx.vstack(
                child_heading(child["name"], ""),
                rx.cond(
                    child["owed"].to(list[dict[str, str]]).length() > 0,
                    rx.foreach(child["owed"].to(list[dict[str, str]]), owed_item),
                    muted(t("Nothing owed")),
                ),
                spacing="1",
            ),
        ),
        link=(N_("Fees"), routes.CHILD_FEES),
    )


def cards_for(role: Role) -> list[rx.Component]:
    if role is Role.school_admin:
        return [
            rx.grid(enrolment_card(), attendance_today_card(), columns=rx.breakpoints(initial="1", md="2"), spacing="4", width="100%"),
            announcements_card(), activity_card(),
        ]
    if role is Role.teacher:
        return [todays_lessons_card(), due_registers_card(), announcements_card(), marks_to_enter_card()]
    if role in (Role.student, Role.parent):
        history = routes.MY_PROFILE if role is Role.student else routes.MY_CHILDREN
        family = [announcements_card(), recent_marks_card(), term_attendance_card(history), next_lessons_card()]
        return [fees_owed_card(), *family] if role is Role.parent else family
    if role is Role.staff:
        return [announcements_card()]
    return []


LATEST = LatestAnnouncementsState.load_latest_announcements
ON_LOAD: dict[Role, list[rx.event.EventType[()]]] = {
    Role.school_admin: [AdminDashboardState.load_admin_dashboard, LATEST],
    Role.teacher: [TodayLessonsState.load_today, DueRegistersState.load_due, MarksToEnterState.load_marks_to_enter, LATEST],
    Role.student: [FamilyDashboardState.load_family_dashboard, LATEST],
    Role.parent: [FamilyDashboardState.load_family_dashboard, FeesOwedState.load_fees_owed, LATEST],
    Role.staff: [LATEST],
}


def dashboard_content(role: Role) -> rx.Component:
    return rx.vstack(
        rx.text(t(WELCOME[role]), size="4", color="var(--gray-11)"),
        *cards_for(role),
        profile_card(),
        shortcuts(),
        spacing="5",
        width="100%",
    )


def _register(role: Role) -> None:
    def dashboard() -> rx.Component:
        return dashboard_content(role)

    dashboard.__name__ = f"{role.value}_dashboard"
    # `platform.*`: the guard keeps the super admin's to the root domain
    permission = "platform.dashboard" if role is Role.super_admin else f"dashboard.{role.value}"
    signed_in_page(routes.dashboard_for(role.value), TITLES[role], permission=permission, on_load=ON_LOAD.get(role))(dashboard)


for _role in Role:
    _register(_role)
