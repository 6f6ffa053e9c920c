"""The school settings page: what a school admin sets for their own school."""

import reflex as rx

from oneclass import routes
from pages.guard import signed_in_page
from state.school_settings import SchoolSettingsState


@signed_in_page(routes.ADMIN_SETTINGS, "School settings", permission="school.update", on_load=SchoolSettingsState.load_settings)
def admin_settings() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Sign-in security", as_="h2", size="4"),
            rx.hstack(
                rx.switch(
                    id="require-admin-mfa",
                    checked=SchoolSettingsState.require_admin_mfa,
                    on_change=SchoolSettingsState.set_require_admin_mfa,
                ),
                rx.el.label("Require two-step sign-in for administrators", html_for="require-admin-mfa"),
                spacing="3",
                align="center",
            ),
            rx.text(
                "When this is on, every administrator must set up an authenticator app before they can use "
                "OneClass, including you.",
                size="2",
                color="var(--gray-11)",
            ),
            spacing="3",
        ),
        max_width="40em",
    )
