"""The school admin's grading scales: each level's bands, and editing one level's whole scale."""

import reflex as rx

from components import form_dialog
from components.i18n import t, t_format
from components.records import row_button
from components.table import VISUALLY_HIDDEN, scroll_region
from oneclass import routes
from oneclass.services.gradebook import MANAGE_SCALES
from pages.guard import signed_in_page
from state.grading_scales import OUTCOME_NAMES, GradingScalesState


def band_row(band: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(band["grade"]),
        rx.table.cell(band["lower"], "–", band["upper"]),
        rx.table.cell(band["points"]),
        rx.table.cell(t(band["outcome_name"].to(str))),
    )


def scale_card(scale: rx.Var) -> rx.Component:
    name = t(scale["name"].to(str))
    table = rx.table.root(
        rx.el.caption(name, style=VISUALLY_HIDDEN),
        rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in (t("Grade"), t("Percent"), t("Points"), t("Counts as"))])),
        rx.table.body(rx.foreach(scale["bands"].to(list[dict]), band_row)),
        variant="surface",
        width="100%",
    )
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(name, size="4", as_="h2"),
                rx.cond(scale["is_default"].to(bool), rx.badge(t("ZIMSEC default"), variant="soft")),
                rx.spacer(),
                row_button(t("Edit scale"), name, GradingScalesState.open_scale(scale["level"])),
                align="center",
                width="100%",
                wrap="wrap",
            ),
            scroll_region(table, name),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def _cell_input(field: str, index: rx.Var, value: rx.Var, label: rx.Var, width: str) -> rx.Component:
    return rx.input(name=f"{field}_" + index.to_string(), default_value=value, aria_label=label, width=width, auto_complete="off")


def editor_row(row: rx.Var, index: rx.Var) -> rx.Component:
    number = index + 1
    return rx.table.row(
        rx.table.cell(_cell_input("grade", index, row["grade"].to(str), t_format("Grade, row {row}", row=number), "4em")),
        rx.table.cell(_cell_input("lower", index, row["lower"].to(str), t_format("From percent, row {row}", row=number), "4.5em")),
        rx.table.cell(_cell_input("upper", index, row["upper"].to(str), t_format("To percent, row {row}", row=number), "4.5em")),
        rx.table.cell(_cell_input("points", index, row["points"].to(str), t_format("Points, row {row}", row=number), "4em")),
        rx.table.cell(
            rx.select.root(
                rx.select.trigger(aria_label=t_format("Counts as, row {row}", row=number)),
                rx.select.content(*[rx.select.item(t(label), value=value) for value, label in OUTCOME_NAMES.items()]),
                name="outcome_" + index.to_string(),
                default_value=row["outcome"].to(str),
            ),
            rx.cond(row["error"].to(str) != "", rx.text(row["error"], size="1", color="var(--red-11)", role="alert")),
        ),
    )


def scale_editor() -> rx.Component:
    table = rx.table.root(
        rx.table.header(
            rx.table.row(*[rx.table.column_header_cell(h) for h in (t("Grade"), t("From %"), t("To %"), t("Points"), t("Counts as"))])
        ),
        rx.table.body(rx.foreach(GradingScalesState.editor_rows, editor_row)),
        variant="surface",
        width="100%",
    )
    return form_dialog(
        t_format("Edit the {name} scale", name=t(GradingScalesState.editing_name)),
        t("Every percent from 0 to 100 needs exactly one grade. Clear a grade to remove it; fill an empty row to add one."),
        scroll_region(table, t("Bands")),
        submit_label=t("Save scale"),
        on_submit=GradingScalesState.save_scale,
        open=GradingScalesState.editor_open,
        on_open_change=GradingScalesState.set_editor_open,
        error=GradingScalesState.errors.get("form", ""),
        max_width="44em",
    )


@signed_in_page(routes.ADMIN_GRADING_SCALES, "Grading scales", permission=MANAGE_SCALES, on_load=GradingScalesState.load_scales)
def grading_scales_page() -> rx.Component:
    return rx.vstack(
        rx.text(
            t("A student's grade and points come from their term percent, rounded half up to a whole number; each grade includes its lowest percent."),
            size="2",
            color="var(--gray-11)",
        ),
        rx.foreach(GradingScalesState.scales, scale_card),
        scale_editor(),
        spacing="4",
        width="100%",
    )
