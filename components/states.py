"""Empty, loading and error states shown in place of content."""

import reflex as rx

from components.i18n import t


def empty_state(icon: str, title: rx.Var | str, message: rx.Var | str, *actions: rx.Component) -> rx.Component:
    """`title` and `message` are shown as given: the caller passes `t("No students yet")`."""
    return rx.center(
        rx.vstack(
            rx.icon(icon, size=40, color="var(--gray-9)", aria_hidden="true"),
            rx.heading(title, as_="h2", size="5"),
            rx.text(message, color="var(--gray-11)", align="center"),
            *actions,
            align="center",
            spacing="3",
            max_width="32em",
        ),
        padding_y="var(--space-9)",
        width="100%",
    )


def loading_state() -> rx.Component:
    return rx.center(rx.spinner(size="3", aria_label=t("Loading…")), padding_y="var(--space-9)", width="100%")


def not_found_state() -> rx.Component:
    return empty_state(
        "search-x",
        t("We could not find a school at this address"),
        t("Check the spelling of your school's address, or ask your school for the right link."),
    )
