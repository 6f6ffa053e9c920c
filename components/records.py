"""Pieces the school records pages share (years, subjects, classes, staff, guardians): the bar
above a list, its buttons, a row's small action, and an empty value shown as a dash."""

import reflex as rx

from components.i18n import t
from components.table import VISUALLY_HIDDEN


def toolbar(*children: rx.Component) -> rx.Component:
    return rx.hstack(*children, wrap="wrap", spacing="3", align="center", width="100%")


def action_button(icon: str, label: rx.Var | str, on_click: rx.EventHandler | rx.event.EventSpec, **props: object) -> rx.Component:
    return rx.button(rx.icon(icon, size=16, aria_hidden="true"), label, on_click=on_click, **props)


def row_button(label: str | rx.Var, subject: rx.Var, on_click: rx.event.EventSpec, **props: object) -> rx.Component:
    """A small action in a table row, named "<label> <subject>" for screen readers (the row's
    subject, a name, is read but not shown). The name begins with the words on the button, so
    someone using speech input can say what they see (WCAG 2.5.3)."""
    return rx.button(
        label, rx.el.span(" ", subject, style=VISUALLY_HIDDEN), size="1", variant="soft", on_click=on_click, **props
    )


def muted(text: rx.Var) -> rx.Component:
    """A value, or a dash when there is none."""
    return rx.cond(
        text != "",
        rx.text(text),
        # A screen reader says "None", not "dash" (an aria-label on plain text is not read).
        rx.text(rx.el.span("—", aria_hidden="true"), rx.el.span(t("None"), style=VISUALLY_HIDDEN), color="var(--gray-11)"),
    )
