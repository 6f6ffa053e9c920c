"""Fees shown the same way on the cashier's screen and the parent's page: a student's invoices,
payments and balance per currency. Codes (status, account, method) are shown translated."""

from collections.abc import Callable

import reflex as rx

from components.i18n import t
from components.records import row_button
from components.states import empty_state
from components.table import data_table


def status_text(status: rx.Var) -> rx.Component:
    return rx.match(
        status,
        # High contrast: the soft colours' text is too light on their own tint at this size.
        ("open", rx.badge(t("Open"), color_scheme="amber", high_contrast=True)),
        ("partial", rx.badge(t("Part-paid"), color_scheme="blue", high_contrast=True)),
        ("paid", rx.badge(t("Paid"), color_scheme="green", high_contrast=True)),
        rx.badge(t("Void"), color_scheme="gray", high_contrast=True),
    )


def account_text(account: rx.Var) -> rx.Var:
    return rx.match(account, ("levy", t("Levy")), t("Tuition"))


def method_text(method: rx.Var) -> rx.Var:
    return rx.match(method, ("bank", t("Bank transfer")), ("mobile_money", t("Mobile money")), t("Cash"))


def balance_summary(balance: rx.Var) -> rx.Component:
    """What is owed, per currency (shown as "USD 95.00")."""
    return rx.hstack(
        rx.foreach(
            balance,
            lambda row: rx.card(
                rx.vstack(
                    rx.text(t("Balance"), " ", row["currency"], size="2", color="var(--gray-11)"),
                    rx.text(row["amount"], size="6", weight="bold", class_name="fee-balance", data_currency=row["currency"]),
                    spacing="1",
                ),
            ),
        ),
        spacing="3",
        wrap="wrap",
    )


def _invoice_cells(row: rx.Var) -> list[rx.Component]:
    return [
        rx.table.row_header_cell(row["term"]),
        rx.table.cell(account_text(row["account"]), rx.cond(row["payer"] != "", rx.text(" (", row["payer"], ")", as_="span"))),
        rx.table.cell(row["currency"]),
        rx.table.cell(row["total"], text_align="right"),
        rx.table.cell(row["paid"], text_align="right"),
        rx.table.cell(row["balance"], text_align="right"),
        rx.table.cell(status_text(row["status"])),
    ]


INVOICE_HEADERS = ["Term", "Account", "Currency", "Total", "Paid", "Balance", "Status"]


def invoice_table(rows: rx.Var, action: Callable[[rx.Var], rx.Component] | None = None) -> rx.Component:
    """A student's invoices; `action` adds a last column of one control per invoice."""
    headers = [t(header) for header in INVOICE_HEADERS] + ([t("Action")] if action else [])
    return data_table(
        headers,
        rows,
        lambda row: rx.table.row(*_invoice_cells(row), *([rx.table.cell(action(row))] if action else [])),
        empty=empty_state("receipt", t("No invoices yet"), t("Invoices appear here once the term's fees are issued.")),
        label=t("Invoices"),
    )


def payment_cells(row: rx.Var) -> list[rx.Component]:
    return [
        rx.table.row_header_cell(row["date"]),
        rx.table.cell(row["amount"], " ", row["currency"], white_space="nowrap"),
        rx.table.cell(method_text(row["method"])),
        rx.table.cell(row["reference"]),
        rx.table.cell(rx.cond(row["reversed"], rx.badge(t("Reversed"), color_scheme="gray", high_contrast=True, title=row["reversal_reason"]), rx.text(""))),
    ]


PAYMENT_HEADERS = ["Date", "Amount", "Method", "Reference", "Reversed"]


def receipt_button(row: rx.Var, on_print: Callable[[rx.Var], rx.event.EventSpec]) -> rx.Component:
    """"Receipt" on a payment's row: its PDF (`on_print(payment_id)`)."""
    return row_button(t("Receipt"), row["date"], on_print(row["id"]))


def payment_table(rows: rx.Var, on_print: Callable[[rx.Var], rx.event.EventSpec]) -> rx.Component:
    """A student's payments, each with its receipt."""
    return data_table(
        [*[t(header) for header in PAYMENT_HEADERS], t("Receipt")],
        rows,
        lambda row: rx.table.row(*payment_cells(row), rx.table.cell(receipt_button(row, on_print))),
        empty=empty_state("banknote", t("No payments yet"), t("Payments appear here once they are taken.")),
        label=t("Payments"),
    )


def statement_buttons(on_print: Callable[[bool], rx.event.EventSpec]) -> rx.Component:
    """The student's statement and the family's (siblings together), as PDFs: `on_print(family)`."""
    return rx.hstack(
        rx.button(rx.icon("file-text", size=16, aria_hidden="true"), t("Statement"), variant="soft", on_click=on_print(False)),
        rx.button(rx.icon("users", size=16, aria_hidden="true"), t("Family statement"), variant="soft", on_click=on_print(True)),
        spacing="2",
        wrap="wrap",
    )
