"""The landing page at `/`: a school's home on its subdomain, the platform's at the root domain."""

import reflex as rx

from components import app_shell, loading_state, not_found_state
from components.i18n import t
from oneclass import routes
from state.auth import AuthState


def feature_card(icon: str, title: rx.Var | str, text: rx.Var | str) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.icon(icon, size=24, color="var(--accent-11)", aria_hidden="true"),
            rx.heading(title, as_="h3", size="4"),
            rx.text(text, color="var(--gray-11)", size="2"),
            spacing="2",
        ),
    )


def school_home() -> rx.Component:
    return app_shell(
        AuthState.school_name,
        rx.cond(
            AuthState.school_suspended,
            rx.callout(
                t("This school's account is suspended. Please contact the platform administrator."),
                icon="triangle-alert",
                color_scheme="amber",
                role="status",
            ),
            rx.vstack(
                rx.text(t(AuthState.level_label), size="4", color="var(--gray-11)"),
                rx.text(
                    t(
                        "Welcome to your school's OneClass: classes, attendance, marks, fees and "
                        "notices for teachers, students and parents in one place."
                    ),
                    size="3",
                ),
                enter_button(),
                spacing="3",
            ),
        ),
    )


def platform_home() -> rx.Component:
    return app_shell(
        "OneClass",
        rx.vstack(
            rx.text(
                t("The school platform for Zimbabwe: one home for every school, each at its own address."),
                size="4",
                color="var(--gray-11)",
            ),
            rx.grid(
                feature_card("users", t("Student records"), t("Enrolment, guardians and classes from ECD A to Form 6.")),
                feature_card("clipboard-check", t("Attendance and marks"), t("Registers and ZIMSEC-style grading per school.")),
                feature_card("wallet", t("Fees"), t("Invoices and payments in USD or ZiG, with Paynow.")),
                columns=rx.breakpoints(initial="1", sm="2", md="3"),
                spacing="4",
                width="100%",
            ),
            rx.link(t("Platform administrators: sign in"), href=routes.LOGIN),
            spacing="5",
        ),
    )


def school_not_found() -> rx.Component:
    return app_shell("School not found", not_found_state())


def enter_button() -> rx.Component:
    return rx.cond(
        AuthState.is_signed_in,
        rx.link(rx.button(t("Open your dashboard"), size="3"), href=AuthState.dashboard_route),
        rx.link(rx.button(t("Sign in"), size="3"), href=routes.LOGIN),
    )


@rx.page(route="/", title="OneClass", on_load=[AuthState.apply_language_query, AuthState.check_session])
def index() -> rx.Component:
    return rx.match(
        AuthState.host_kind,
        ("school", school_home()),
        ("platform", platform_home()),
        ("unknown", school_not_found()),
        loading_state(),
    )
