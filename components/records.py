"""Pieces the school records pages share (years, subjects, classes, staff, guardians): the bar
above a list, its buttons, a row's small action, and an empty value shown as a dash."""

import reflex as rx

from components.i18n import t


def toolbar(*children: rx.Component) -> rx.Component:
    return rx.hstack(*children, wrap="wrap", spacing="3", align="center", width="100%")


def action_button(icon: str, label: rx.Var | str, on_click: rx.EventHandler | rx.event.EventSpec, **props: object) -> rx.Component:
    return rx.button(rx.icon(icon, size=16, aria_hidden="true"), label, on_click=on_click, **props)


def row_button(label: rx.Var | str, aria_label: rx.Var | str, on_click: rx.event.EventSpec, **props: object) -> rx.Component:
    """A small action in a table row, named with the row's subject for screen readers."""
    return rx.button(label, size="1", variant="soft", aria_label=aria_label, on_click=on_click, **props)


def muted(text: rx.Var) -> rx.Component:
    """A value, or a dash when there is none."""
    return rx.cond(text != "", rx.text(text), rx.text("—", color="var(--gray-10)", aria_label=t("none")))
