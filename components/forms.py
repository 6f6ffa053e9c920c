"""Form pieces: a labelled field (input or select) with its error, a form-level error, a submit button."""

import reflex as rx


def labelled(label: str, field_id: str, control: rx.Component, error: rx.Var | str = "") -> rx.Component:
    """A label above its control, and the field's error (if any) below it."""
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
        control,
        rx.cond(error != "", rx.text(error, color="var(--red-11)", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


def form_field(
    label: str,
    name: str,
    *,
    type_: str = "text",
    placeholder: str = "",
    error: rx.Var | str = "",
    auto_complete: str = "",
    required: bool = True,
    default_value: rx.Var | str | None = None,
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


def select_field(
    label: str, name: str, choices: dict[str, str] | rx.Var, *, default_value: rx.Var | str = "", error: rx.Var | str = ""
) -> rx.Component:
    """A labelled select submitted with its form; `choices` maps values to what is shown (a
    dict var, for choices that come from the state)."""
    field_id = f"field-{name}"
    return labelled(
        label,
        field_id,
        rx.select.root(
            rx.select.trigger(id=field_id, placeholder="Choose…", width="100%"),
            rx.select.content(rx.foreach(choices, lambda choice: rx.select.item(choice[1], value=choice[0]))),
            name=name,
            default_value=default_value,
            size="3",
        ),
        error,
    )


def text_area_field(
    label: str, name: str, *, default_value: rx.Var | str = "", error: rx.Var | str = "", placeholder: str = ""
) -> rx.Component:
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


def submit_button(label: str, loading: rx.Var | bool = False) -> rx.Component:
    return rx.button(label, type="submit", size="3", width="100%", loading=loading)


def narrow_card(*children: rx.Component) -> rx.Component:
    """A centred card for short forms (sign-in, passwords)."""
    return rx.center(
        rx.card(rx.vstack(*children, spacing="4", width="100%"), width="100%", max_width="26em", size="3"),
        width="100%",
        padding_y="var(--space-6)",
    )


def filter_select(
    choices: dict[str, str] | rx.Var, *, label: str, value: rx.Var, on_change: rx.EventHandler, **props: object
) -> rx.Component:
    """A list's filter or sort: a select of `choices` (value: text) named `label` for screen
    readers and tests; `choices` may come from the state."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, **props),
        rx.select.content(rx.foreach(choices, lambda choice: rx.select.item(choice[1], value=choice[0]))),
        value=value,
        on_change=on_change,
    )
