"""A file drop zone: drag a file onto it or click to choose one; shows the chosen file's name."""

import reflex as rx


def file_dropzone(
    upload_id: str,
    *,
    accept: dict[str, list[str]],
    max_size: int,
    hint: rx.Var | str,
    on_drop_rejected: rx.EventHandler,
) -> rx.Component:
    """One file of the `accept`ed types, up to `max_size` bytes (the browser refuses others and
    `on_drop_rejected` says why; `hint`, shown as given, says what to drop; the handler that reads the upload must check the size again)."""
    return rx.upload(
        rx.vstack(
            rx.icon("file-up", size=28, color="var(--gray-9)", aria_hidden="true"),
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
