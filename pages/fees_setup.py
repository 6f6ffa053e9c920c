"""Fee set-up: today's term's fee structures per grade level and currency, and issuing the
term's invoices after a preview (running it again issues only what is missing)."""

import reflex as rx

from components import confirm_dialog, data_table, empty_state, form_error, form_field, form_notice, select_field
from components.i18n import t, t_format
from oneclass import routes
from pages.guard import signed_in_page
from state.fees_setup import ITEM_ROWS, FeeStructuresState, InvoiceRunState

CURRENCIES = {"USD": "USD", "ZWG": "ZWG"}
ACCOUNTS = {"tuition": "Tuition", "levy": "Levy"}


def _item(item: rx.Var) -> rx.Component:
    return rx.text(
        item["name"], ": ", item["amount"], rx.cond(item["optional"], rx.text(" (", t("optional"), ")", as_="span")), as_="div", size="2"
    )


def _structure_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(t(row["grade_name"].to(str))),
        rx.table.cell(row["currency"]),
        rx.table.cell(rx.foreach(row["items"].to(list[dict[str, str]]), _item)),
        rx.table.cell(row["total"], text_align="right"),
    )


def _item_fields(number: int) -> rx.Component:
    return rx.hstack(
        form_field(t_format("Item {number}", number=str(number)), f"item{number}_name", required=number == 1,
                   error=FeeStructuresState.errors.get(f"item{number}", "")),
        select_field(t("Account"), f"item{number}_account", ACCOUNTS, default_value="tuition" if number == 1 else "levy" if number == 2 else "tuition"),
        form_field(t("Amount"), f"item{number}_amount", required=number == 1, type_="text"),
        # A Radix checkbox is a button: a wrapping label does not name it for axe, aria-label does.
        rx.checkbox(t("Optional"), name=f"item{number}_optional", aria_label=t("Optional")),
        spacing="3",
        align="end",
        width="100%",
    )


def structure_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Set a grade level's fees"), as_="h2", size="4"),
                rx.text(t("Items given per student (boarding, transport, uniform) are optional: only the students given them pay them."), size="2"),
                form_error(FeeStructuresState.errors.get("form", "")),
                form_notice(FeeStructuresState.saved_message),
                rx.hstack(
                    select_field(t("Grade level"), "grade_level", FeeStructuresState.grade_choices, translate=True,
                                 error=FeeStructuresState.errors.get("grade_level", "")),
                    select_field(t("Currency"), "currency", CURRENCIES, default_value="USD", translate=False,
                                 error=FeeStructuresState.errors.get("currency", "")),
                    spacing="3",
                    width="100%",
                ),
                *[_item_fields(number) for number in range(1, ITEM_ROWS + 1)],
                rx.button(t("Save fees"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=FeeStructuresState.save_structure,
            reset_on_submit=False,
        ),
    )


@signed_in_page(routes.FEE_STRUCTURES, "Fee structures", permission="fees.manage", on_load=FeeStructuresState.load_structures)
def fee_structures() -> rx.Component:
    return rx.vstack(
        rx.text(t_format("Fees for {term}", term=FeeStructuresState.term_name), size="3"),
        data_table(
            [t("Grade level"), t("Currency"), t("Items"), t("Total a term")],
            FeeStructuresState.structures,
            _structure_row,
            empty=empty_state("receipt", t("No fees set for this term"), t("Set each grade level's fees below.")),
            label=t("Fee structures"),
        ),
        structure_form(),
        spacing="4",
        width="100%",
    )


def _total_row(row: rx.Var) -> rx.Component:
    return rx.table.row(rx.table.row_header_cell(row["currency"]), rx.table.cell(row["total"], text_align="right"))


@signed_in_page(routes.FEE_INVOICES, "Invoices", permission="fees.manage", on_load=InvoiceRunState.load_preview)
def fee_invoices() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.heading(t_format("Issue invoices for {term}", term=InvoiceRunState.term_name), as_="h2", size="4"),
                rx.text(t_format("Enrolled students: {count}", count=InvoiceRunState.students)),
                rx.text(t_format("Invoices to issue: {count}", count=InvoiceRunState.new_invoices), id="invoices-to-issue"),
                rx.text(t_format("Already issued (left as they are): {count}", count=InvoiceRunState.already_issued)),
                rx.cond(
                    InvoiceRunState.without_structure > 0,
                    rx.callout(t_format("Students whose grade level has no fees set: {count}", count=InvoiceRunState.without_structure),
                               icon="triangle-alert", color_scheme="amber"),
                ),
                data_table([t("Currency"), t("Total")], InvoiceRunState.totals, _total_row,
                           empty=rx.text(t("Nothing new to invoice.")), label=t("Totals of the new invoices")),
                form_notice(InvoiceRunState.done_message),
                rx.button(t("Issue invoices"), on_click=InvoiceRunState.ask_issue, disabled=InvoiceRunState.new_invoices == 0, type="button"),
                spacing="3",
                width="100%",
            ),
        ),
        confirm_dialog(
            t("Issue the invoices?"),
            t_format("{count} invoices for {term} go to the families and sponsors. Running it again later issues only what is missing.",
                     count=InvoiceRunState.new_invoices, term=InvoiceRunState.confirm_name),
            confirm_label=t("Issue invoices"),
            on_confirm=InvoiceRunState.issue,
            open=InvoiceRunState.confirm_open,
            on_open_change=InvoiceRunState.set_confirm_open,
            color_scheme="blue",
        ),
        spacing="4",
        width="100%",
    )
