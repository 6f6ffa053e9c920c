"""Form pieces: a labelled field (input or select) with its error, a form-level error, a submit button.

Every label, placeholder and message is `str | rx.Var` and shown as given: the caller passes
`t("First name")`. The words the pieces add themselves (a select's "Choose…") they translate.
"""

from typing import TypeAlias

import reflex as rx

from components.i18n import t

Text: TypeAlias = rx.Var | str
Choices: TypeAlias = dict[str, str] | rx.Var


def labelled(label: Text, field_id: str, control: rx.Component, error: Text = "") -> rx.Component:
    """A label above its control, and the field's error (if any) below it."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
        control,
        rx.cond(error != "", rx.text(error, color="var(--red-11)", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


def form_field(
    label: Text,
    name: str,
    *,
    type_: str = "text",
    placeholder: Text = "",
    error: Text = "",
    auto_complete: str = "",
    required: bool = True,
    default_value: Text | None = None,
) -> rx.Component:
    """A labelled input: the label names it for screen readers and for tests alike."""
    field_id = f"field-{name}"
    extra = {"default_value": default_value} if default_value is not None else {}
    control = rx.input(
        id=field_id,
        name=name,
        type=type_,
        placeholder=placeholder,
        auto_complete=auto_complete or None,
        required=required,
        width="100%",
        size="3",
        **extra,
    )
    return labelled(label, field_id, control, error)


def choice_items(choices: Choices, translate: bool | None = None) -> rx.Component | list[rx.Component]:
    """The items of a select. A dict in the code maps values to English labels marked `N_`,
    shown translated; a dict var from the state holds names (stored data), shown as they are,
    unless `translate` says its labels are messages too."""
    if isinstance(choices, dict):
        show = t if translate is not False else (lambda label: label)
        return [rx.select.item(show(label), value=value) for value, label in choices.items()]
    if translate:
        return rx.foreach(choices, lambda choice: rx.select.item(t(choice[1]), value=choice[0]))
    return rx.foreach(choices, lambda choice: rx.select.item(choice[1], value=choice[0]))


def _content(items: rx.Component | list[rx.Component]) -> rx.Component:
    return rx.select.content(*items) if isinstance(items, list) else rx.select.content(items)


def select_field(
    label: Text,
    name: str,
    choices: Choices,
    *,
    default_value: Text = "",
    error: Text = "",
    translate: bool | None = None,
) -> rx.Component:
    """A labelled select submitted with its form; `choices` maps values to what is shown (a
    dict var, for choices that come from the state; see `choice_items` for which are translated)."""
    field_id = f"field-{name}"
    return labelled(
        label,
        field_id,
        rx.select.root(
            rx.select.trigger(id=field_id, placeholder=t("Choose…"), width="100%"),
            _content(choice_items(choices, translate)),
            name=name,
            default_value=default_value,
            size="3",
        ),
        error,
    )


def text_area_field(label: Text, name: str, *, default_value: Text = "", error: Text = "", placeholder: Text = "") -> rx.Component:
    """A labelled multi-line text field (addresses, notes); always optional."""
    field_id = f"field-{name}"
    control = rx.text_area(
        id=field_id, name=name, default_value=default_value, placeholder=placeholder, rows="3", width="100%", size="3"
    )
    return labelled(label, field_id, control, error)


def form_error(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-alert", color_scheme="red", role="alert", width="100%"),
    )


def form_notice(message: rx.Var) -> rx.Component:
    return rx.cond(
        message != "",
        rx.callout(message, icon="circle-check", color_scheme="green", role="status", width="100%"),
    )


def submit_button(label: Text, loading: rx.Var | bool = False) -> rx.Component:
    # Disabled until the page's events are connected: a click (or Enter) before that would submit
    # the form natively, as a GET with every field, a password too, in the address.
    return rx.button(label, type="submit", size="3", width="100%", loading=loading, disabled=~rx.State.is_hydrated)


def narrow_card(*children: rx.Component) -> rx.Component:
    """A centred card for short forms (sign-in, passwords)."""
    return rx.center(
        rx.card(rx.vstack(*children, spacing="4", width="100%"), width="100%", max_width="26em", size="3"),
        width="100%",
        padding_y="var(--space-6)",
    )


def filter_select(
    choices: Choices,
    *,
    label: Text,
    value: rx.Var,
    on_change: rx.EventHandler,
    translate: bool | None = None,
    **props: object,
) -> rx.Component:
    """A list's filter or sort: a select of `choices` (value: text) named `label` for screen
    readers and tests; `choices` may come from the state (see `choice_items`)."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, **props),
        _content(choice_items(choices, translate)),
        value=value,
        on_change=on_change,
    )
