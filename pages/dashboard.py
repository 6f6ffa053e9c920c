"""Role dashboards: where each role lands after signing in."""

import reflex as rx

from components.i18n import t
from models import Role
from oneclass import routes
from oneclass.i18n import N_
from pages.attendance import due_registers_card
from pages.guard import signed_in_page
from pages.timetable import todays_lessons_card
from state.attendance import DueRegistersState
from state.auth import AuthState
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


def dashboard_content(role: Role) -> rx.Component:
    return rx.vstack(
        rx.text(t(WELCOME[role]), size="4", color="var(--gray-11)"),
        *([todays_lessons_card()] if role is Role.teacher else []),
        *([due_registers_card()] if role is Role.teacher else []),
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
    on_load = [TodayLessonsState.load_today, DueRegistersState.load_due] if role is Role.teacher else None
    signed_in_page(routes.dashboard_for(role.value), TITLES[role], permission=permission, on_load=on_load)(dashboard)


for _role in Role:
    _register(_role)
