"""The bursar's arrears list: students owing, oldest debts first, with what they owe by age, the
totals of every match per currency, filters, search, paging and the (audited) export."""

import reflex as rx

from components import data_table, empty_state, export_buttons, filter_select, form_error, list_footer, search_input
from components.i18n import t, t_format
from components.records import toolbar
from oneclass import routes
from pages.guard import signed_in_page
from state.arrears import AGE_CHOICES, CURRENCY_CHOICES, ArrearsState

AMOUNT_COLUMNS = ("owed", "under_30", "days_30", "days_60", "days_90")


def arrears_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(row["admission_number"], white_space="nowrap"),
        rx.table.cell(row["class_name"]),
        rx.table.cell(row["currency"]),
        *[rx.table.cell(row[key], text_align="right") for key in AMOUNT_COLUMNS],
        rx.table.cell(t_format("{days} days", days=row["days"].to(str)), white_space="nowrap"),
        align="center",
    )


def total_card(total: rx.Var) -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.text(t("Total owed"), " ", total["currency"], size="2", color="var(--gray-11)"),
            rx.text(total["owed"], size="6", weight="bold", class_name="arrears-total", data_currency=total["currency"]),
            rx.text(t_format("{count} students owing", count=total["students"].to(str)), size="2"),
            rx.text(t("90 days or more"), ": ", total["days_90"], size="2"),
            spacing="1",
        ),
    )


def filters() -> rx.Component:
    return toolbar(
        search_input(ArrearsState.search, ArrearsState.set_search, placeholder=t("Name or admission number"), label=t("Search arrears")),
        filter_select(ArrearsState.grade_choices, label=t("Grade"), value=ArrearsState.grade_filter, on_change=ArrearsState.set_grade_filter),
        filter_select(ArrearsState.class_choices, label=t("Class"), value=ArrearsState.class_filter, on_change=ArrearsState.set_class_filter),
        filter_select(CURRENCY_CHOICES, label=t("Currency"), value=ArrearsState.currency_filter, on_change=ArrearsState.set_currency_filter),
        filter_select(AGE_CHOICES, label=t("Days"), value=ArrearsState.overdue_filter, on_change=ArrearsState.set_overdue_filter),
        rx.input(
            value=ArrearsState.minimum, on_change=ArrearsState.set_minimum, debounce_timeout=500, placeholder=t("Minimum owed"),
            aria_label=t("Minimum owed"), inputmode="decimal", width="9em",
        ),
        rx.spacer(),
        export_buttons(ArrearsState),
    )


@signed_in_page(routes.ARREARS, "Arrears", permission="fees.collect", on_load=ArrearsState.load_arrears)
def arrears_list() -> rx.Component:
    return rx.vstack(
        filters(),
        form_error(ArrearsState.minimum_error),
        rx.hstack(rx.foreach(ArrearsState.totals, total_card), spacing="3", wrap="wrap"),
        data_table(
            [t("Name"), t("Admission no."), t("Class"), t("Currency"), t("Owed"), t("Under 30 days"), t("30-59 days"), t("60-89 days"),
             t("90 days or more"), t("Oldest invoice")],
            ArrearsState.rows,
            arrears_row,
            empty=empty_state("circle-check", t("Nobody owes anything"), t("Students who owe fees appear here, oldest debts first.")),
            label=t("Arrears"),
        ),
        list_footer(
            ArrearsState.total, t("students"), ArrearsState.page, ArrearsState.page_count, ArrearsState.previous_page, ArrearsState.next_page,
            summary=t_format("{count} students owing", count=ArrearsState.total),
        ),
        spacing="4",
        width="100%",
    )
