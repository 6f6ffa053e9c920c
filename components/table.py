"""A data table with an empty state, and Previous/Next paging: lists are paged on the server."""

from collections.abc import Callable

import reflex as rx

from components.i18n import t, t_format

# Read by screen readers (it names the table), not shown: the page's headings already say it.
_VISUALLY_HIDDEN = {
    "position": "absolute", "width": "1px", "height": "1px", "overflow": "hidden",
    "clip": "rect(0 0 0 0)", "white_space": "nowrap",
}


def data_table(
    headers: list[str] | list[rx.Var] | list[str | rx.Var],
    rows: rx.Var,
    render_row: Callable[[rx.Var], rx.Component],
    *,
    empty: rx.Component,
    label: rx.Var | str = "",
) -> rx.Component:
    """`render_row` turns one row (a dict var) into an `rx.table.row`; `empty` shows when there
    are no rows, so a page never shows a bare header; `label` names the table (its caption).
    Headers and label are shown as given: the caller passes `t("Name")`."""
    return rx.cond(
        rows.length() > 0,
        rx.table.root(
            *([rx.el.caption(label, style=_VISUALLY_HIDDEN)] if isinstance(label, rx.Var) or label else []),
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(header) for header in headers])),
            rx.table.body(rx.foreach(rows, render_row)),
            variant="surface",
            width="100%",
        ),
        empty,
    )


def pagination(
    page: rx.Var,
    page_count: rx.Var,
    on_previous: rx.EventHandler | rx.event.EventSpec,
    on_next: rx.EventHandler | rx.event.EventSpec,
) -> rx.Component:
    """Previous / "Page x of y" / Next; the handlers move the state's page and reload."""
    return rx.hstack(
        rx.button(t("Previous"), variant="soft", disabled=page <= 1, on_click=on_previous, type="button"),
        rx.text(t_format("Page {page} of {pages}", page=page, pages=page_count), size="2", aria_live="polite"),
        rx.button(t("Next"), variant="soft", disabled=page >= page_count, on_click=on_next, type="button"),
        spacing="3",
        align="center",
        justify="end",
        width="100%",
    )
