"""The cashier's screen, built for a queue of parents: type part of a name or an admission
number, pick the student, see what is owed, take the payment and see where it went; the search
box is ready again for the next parent. An admin reverses a payment with a reason. And the
day's cash-up per cashier and currency."""

import reflex as rx

from components import data_table, empty_state, form_dialog, form_error, form_field, form_notice, search_input, select_field
from components.fees import PAYMENT_HEADERS, balance_summary, invoice_table, method_text, payment_cells, receipt_button, statement_buttons
from components.i18n import t, t_format
from components.records import action_button, row_button
from oneclass import routes
from pages.guard import signed_in_page
from state.cashier import CashierState, CashUpState

CURRENCIES = {"USD": "USD", "ZWG": "ZWG"}
METHODS = {"cash": "Cash", "bank": "Bank transfer", "mobile_money": "Mobile money"}


def _hit(hit: rx.Var) -> rx.Component:
    return rx.el.li(
        rx.button(
            hit["name"], " · ", hit["admission_number"], rx.cond(hit["class_name"] != "", rx.text(" · ", hit["class_name"], as_="span")),
            on_click=CashierState.choose_student(hit["id"]),
            variant="ghost",
            type="button",
        ),
    )


def finder() -> rx.Component:
    return rx.vstack(
        search_input(
            CashierState.query, CashierState.search, placeholder=t("Name or admission number"), label=t("Find a student"),
            id="cashier-search", auto_focus=True,
        ),
        rx.cond(
            CashierState.hits.length() > 0,
            rx.el.ul(rx.foreach(CashierState.hits, _hit), aria_label=t("Students found"), style={"listStyle": "none", "padding": 0}),
        ),
        spacing="2",
        width="100%",
    )


def payment_form() -> rx.Component:
    errors = CashierState.errors
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("Take a payment"), as_="h2", size="4"),
                form_error(errors.get("form", "")),
                rx.hstack(
                    form_field(t("Amount"), "amount", error=errors.get("amount", "")),
                    select_field(t("Currency"), "currency", CURRENCIES, default_value="USD", translate=False, error=errors.get("currency", "")),
                    select_field(t("Method"), "method", METHODS, default_value="cash", error=errors.get("method", "")),
                    spacing="3",
                    width="100%",
                    wrap="wrap",
                ),
                rx.hstack(
                    form_field(t("Reference"), "reference", required=False, error=errors.get("reference", "")),
                    form_field(t("Exchange rate (owed currency per unit paid)"), "exchange_rate", required=False, error=errors.get("exchange_rate", "")),
                    form_field(t("Rate source"), "rate_source", required=False, placeholder=t("e.g. Reserve Bank, today")),
                    spacing="3",
                    width="100%",
                    wrap="wrap",
                ),
                rx.button(t("Take payment"), type="submit"),
                spacing="3",
                width="100%",
            ),
            on_submit=CashierState.take_payment,
            reset_on_submit=True,
        ),
    )


def _payment_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        *payment_cells(row),
        rx.table.cell(
            rx.hstack(
                receipt_button(row, CashierState.print_receipt),
                rx.cond(
                    CashierState.may_reverse & ~row["reversed"].to(bool),
                    row_button(t("Reverse"), row["amount"], CashierState.ask_reverse(row["id"]), color_scheme="red"),
                ),
                spacing="2",
            )
        ),
    )


def reversal_dialog() -> rx.Component:
    return form_dialog(
        t("Reverse this payment?"),
        t_format("The payment of {payment} stays on record, marked reversed; what it paid is owed again.", payment=CashierState.reversal_label),
        form_field(t("Reason"), "reason"),
        submit_label=t("Reverse payment"),
        on_submit=CashierState.reverse,
        open=CashierState.reversal_open,
        on_open_change=CashierState.set_reversal_open,
        error=CashierState.reversal_error,
    )


def student_account() -> rx.Component:
    return rx.vstack(
        rx.heading(CashierState.student_name, " · ", CashierState.admission_number, as_="h2", size="5", id="cashier-student"),
        balance_summary(CashierState.balance),
        statement_buttons(CashierState.print_statement),
        form_notice(CashierState.last_payment),
        rx.cond(
            CashierState.last_payment_id != "",
            action_button("printer", t("Print receipt"), CashierState.print_receipt(CashierState.last_payment_id)),
        ),
        payment_form(),
        rx.heading(t("Invoices"), as_="h3", size="4"),
        invoice_table(CashierState.invoices),
        rx.heading(t("Payments"), as_="h3", size="4"),
        data_table(
            [*[t(header) for header in PAYMENT_HEADERS], t("Action")],
            CashierState.payments,
            _payment_row,
            empty=empty_state("banknote", t("No payments yet"), t("Payments appear here once they are taken.")),
            label=t("Payments"),
        ),
        reversal_dialog(),
        spacing="4",
        width="100%",
    )


def sponsor_statement() -> rx.Component:
    """A sponsor's statement (BEAM, a church): what it was invoiced and what it paid."""
    return rx.cond(
        CashierState.sponsors.length() > 0,
        rx.form(
            rx.hstack(
                select_field(t("Sponsor"), "sponsor", CashierState.sponsors, translate=False),
                rx.button(rx.icon("file-text", size=16, aria_hidden="true"), t("Download the sponsor's statement"), type="submit", variant="soft"),
                spacing="3",
                align="end",
                wrap="wrap",
            ),
            on_submit=CashierState.print_sponsor_statement,
        ),
    )


@signed_in_page(routes.CASHIER, "Cashier", permission="fees.collect", on_load=CashierState.load_cashier)
def cashier() -> rx.Component:
    return rx.vstack(
        finder(),
        rx.cond(
            CashierState.student_id != "",
            student_account(),
            empty_state("search", t("Find a student"), t("Type part of the student's name or their admission number.")),
        ),
        sponsor_statement(),
        spacing="5",
        width="100%",
    )


def _cash_up_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["cashier"]),
        rx.table.cell(row["currency"]),
        rx.table.cell(method_text(row["method"])),
        rx.table.cell(row["count"], text_align="right"),
        rx.table.cell(row["total"], text_align="right"),
        rx.table.cell(row["reversed_count"], text_align="right"),
        rx.table.cell(row["reversed_total"], text_align="right"),
    )


@signed_in_page(routes.CASH_UP, "Cash-up", permission="fees.collect", on_load=CashUpState.load_cash_up)
def cash_up() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.el.label(t("Day"), html_for="cash-up-day"),
            rx.input(id="cash-up-day", type="date", value=CashUpState.day, on_change=CashUpState.choose_day),
            spacing="3",
            align="center",
        ),
        data_table(
            [t("Cashier"), t("Currency"), t("Method"), t("Payments"), t("Total"), t("Reversed"), t("Reversed total")],
            CashUpState.rows,
            _cash_up_row,
            empty=empty_state("banknote", t("No payments this day"), t("Payments taken on the cashier's screen are counted here.")),
            label=t("Cash-up"),
        ),
        spacing="4",
        width="100%",
    )
