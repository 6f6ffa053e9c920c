"""A file drop zone: drag a file onto it or click to choose one; shows the chosen file's name."""

import reflex as rx
from reflex_components_core.el.elements.forms import Input


def file_dropzone(
    upload_id: str,
    *,
    accept: dict[str, list[str]],
    max_size: int,
    hint: str | rx.Var,
    on_drop_rejected: rx.EventHandler,
    icon: str = "file-up",
) -> rx.Component:
    """One file of the `accept`ed types, up to `max_size` bytes (the browser refuses others and
    `on_drop_rejected` says why; `hint`, shown as given, says what to drop; the handler that reads the upload must check the size again)."""
    zone = rx.upload(
        rx.vstack(
            rx.icon(icon, size=28, color="var(--gray-9)", aria_hidden="true"),
            rx.text(hint, size="2", align="center"),
            rx.foreach(rx.selected_files(upload_id), lambda name: rx.badge(name, size="2")),
            align="center",
            spacing="2",
        ),
        id=upload_id,
        accept=accept,
        multiple=False,
        max_files=1,
        max_size=max_size,
        on_drop_rejected=on_drop_rejected,
        border="1px dashed var(--gray-7)",
        border_radius="var(--radius-3)",
        padding="var(--space-5)",
        width="100%",
        cursor="pointer",
    )
    _name_file_input(zone, hint)
    return zone


def _name_file_input(component: rx.Component, name: str | rx.Var) -> None:
    """react-dropzone's file input (hidden; the zone takes the clicks) has no label of its own:
    give it the zone's hint, so it is not an unnamed form control (WCAG 4.1.2)."""
    for child in component.children:
        if isinstance(child, Input):
            child.custom_attrs["aria-label"] = name
        _name_file_input(child, name)
