"""Form pieces: a labelled field with its error, a form-level error, a submit button."""

import reflex as rx


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
    return rx.vstack(
        rx.el.label(label, html_for=field_id, style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
        rx.input(
            id=field_id,
            name=name,
            type=type_,
            placeholder=placeholder,
            auto_complete=auto_complete or None,
            required=required,
            width="100%",
            size="3",
            **extra,
        ),
        rx.cond(error != "", rx.text(error, color="var(--red-11)", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


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
