"""Pieces around a paged list: its search box, its export buttons, and its footer (how many,
and the paging)."""

from typing import Any, TypeAlias

import reflex as rx

from components.i18n import t, t_format
from components.table import pagination

EventType: TypeAlias = rx.EventHandler | rx.event.EventSpec


def search_input(value: rx.Var, on_change: EventType, *, placeholder: rx.Var | str, label: rx.Var | str, **props: object) -> rx.Component:
    """A search box that asks the server once typing pauses; `label` names it for screen readers
    (both shown as given: `t("Search students")`)."""
    return rx.input(
        rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
        value=value,
        on_change=on_change,
        debounce_timeout=300,
        type="search",
        placeholder=placeholder,
        aria_label=label,
        min_width="16em",
        **props,
    )


def export_buttons(state: Any) -> rx.Component:
    """"Export CSV" and "Export Excel" for a list state (its `export_csv` / `export_xlsx`): every
    row the current filters match, not just the page on screen."""
    return rx.hstack(
        rx.button(rx.icon("file-text", size=16, aria_hidden="true"), t("Export CSV"), variant="soft", on_click=state.export_csv),
        rx.button(rx.icon("file-spreadsheet", size=16, aria_hidden="true"), t("Export Excel"), variant="soft", on_click=state.export_xlsx),
        spacing="2",
    )


def list_footer(
    total: rx.Var,
    noun: rx.Var | str,
    page: rx.Var,
    page_count: rx.Var,
    on_previous: EventType,
    on_next: EventType,
    *,
    summary: rx.Var | None = None,
) -> rx.Component:
    """"N <noun>" and Previous / Page x of y / Next, shown once the list has rows. `noun` is
    shown as given (`t("students")`); a whole phrase, `summary=t_format("{count} students",
    count=State.total)`, lets a language put the words where it needs them and wins over it."""
    return rx.cond(
        total > 0,
        rx.hstack(
            rx.text(
                summary if summary is not None else t_format("{count} {noun}", count=total, noun=noun),
                size="2",
                color="var(--gray-11)",
                white_space="nowrap",
            ),
            pagination(page, page_count, on_previous, on_next),
            align="center",
            width="100%",
        ),
    )
