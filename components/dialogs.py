"""Dialogs: a form in a dialog, and a confirmation before something that cannot be undone.

Titles, descriptions and labels are shown as given (`t("Add a class")`); Cancel is translated here."""

from typing import TypeAlias

import reflex as rx

from components.forms import form_error
from components.i18n import t

EventType: TypeAlias = rx.EventHandler | rx.event.EventSpec


def dialog_buttons(submit: rx.Component) -> rx.Component:
    """Cancel (closes the dialog) and the dialog's own action, at its foot."""
    return rx.hstack(
        rx.dialog.close(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray")),
        submit,
        justify="end",
        spacing="3",
        width="100%",
    )


def form_dialog(
    title: rx.Var | str,
    description: rx.Var | str,
    *fields: rx.Component,
    submit_label: rx.Var | str,
    on_submit: EventType,
    open: rx.Var,
    on_open_change: EventType,
    error: rx.Var | None = None,
    max_width: str = "30em",
) -> rx.Component:
    """A dialog holding one form: its fields, a form-level error, Cancel and submit."""
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(title),
            rx.dialog.description(description, size="2", margin_bottom="var(--space-3)"),
            rx.form(
                rx.vstack(
                    *([form_error(error)] if error is not None else []),
                    *fields,
                    dialog_buttons(rx.button(submit_label, type="submit")),
                    spacing="4",
                    width="100%",
                ),
                on_submit=on_submit,
                width="100%",
            ),
            max_width=max_width,
        ),
        open=open,
        on_open_change=on_open_change,
    )


def confirm_dialog(
    title: rx.Var | str,
    description: rx.Var | str,
    *,
    confirm_label: rx.Var | str,
    on_confirm: EventType,
    open: rx.Var,
    on_open_change: EventType,
    color_scheme: str = "red",
) -> rx.Component:
    """Ask before doing it: Cancel, or the action named on its button."""
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(title),
            rx.alert_dialog.description(description, size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(confirm_label, color_scheme=color_scheme, on_click=on_confirm)),
                justify="end",
                spacing="3",
                margin_top="var(--space-4)",
            ),
            max_width="28em",
        ),
        open=open,
        on_open_change=on_open_change,
    )
