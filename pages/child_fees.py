"""The parent's fees page: for each child, the invoices, the payments and the balance per
currency; "Pay online" on an invoice the school takes online (Paynow's page, or EcoCash or
OneMoney on a phone), and how the payment stands once started or on returning from Paynow."""

import reflex as rx

from components import empty_state, filter_select
from components.dialogs import form_dialog
from components.fees import balance_summary, invoice_table, payment_table, statement_buttons
from components.forms import form_field, select_field
from components.i18n import t
from components.records import row_button
from oneclass import routes
from oneclass.services.online_payments import METHODS
from pages.guard import signed_in_page
from state.child_fees import CHILD_FEES, ChildFeesState


def pay_button(row: rx.Var) -> rx.Component:
    """Only for a family invoice that owes something, in a currency the school takes online."""
    payable = ChildFeesState.online_currencies.contains(row["currency"]) & (row["balance"] != "0.00") & (row["payer"] == "") & (row["status"] != "void")
    return rx.cond(payable, row_button(t("Pay online"), row["term"], ChildFeesState.ask_pay_online(row["id"])))


def pay_dialog() -> rx.Component:
    return form_dialog(
        t("Pay online"),
        ChildFeesState.pay_label,
        select_field(t("Pay with"), "method", METHODS, default_value="web", error=ChildFeesState.pay_errors["method"].to(str)),
        form_field(
            t("Mobile number (EcoCash or OneMoney)"), "phone", type_="tel", required=False, auto_complete="tel",
            placeholder="0771 234 567", error=ChildFeesState.pay_errors["phone"].to(str),
        ),
        submit_label=t("Pay now"),
        on_submit=ChildFeesState.pay_online,
        open=ChildFeesState.pay_open,
        on_open_change=ChildFeesState.set_pay_open,
        error=ChildFeesState.pay_errors["form"].to(str),
    )


def online_status() -> rx.Component:
    """How the payment last started stands, said where a screen reader hears it change."""
    return rx.box(
        rx.match(
            ChildFeesState.online_state,
            ("paid", rx.callout(t("Payment received: the invoice is paid."), icon="circle-check", color_scheme="green")),
            (
                "flagged",
                rx.callout(
                    t("Paynow reported something other than what was asked; the school's bursar will check this payment."),
                    icon="triangle-alert", color_scheme="amber",
                ),
            ),
            (
                "waiting",
                rx.callout(
                    rx.vstack(
                        rx.text(t("Waiting for Paynow to confirm the payment…")),
                        rx.cond(ChildFeesState.online_instructions != "", rx.text(ChildFeesState.online_instructions)),
                        rx.button(t("Check again"), type="button", variant="soft", on_click=ChildFeesState.check_online_payment),
                        spacing="2",
                    ),
                    icon="loader", color_scheme="blue",
                ),
            ),
            rx.fragment(),
        ),
        role="status",
        width="100%",
    )


@signed_in_page(routes.CHILD_FEES, "Fees", permission=CHILD_FEES, on_load=ChildFeesState.load_child_fees)
def child_fees() -> rx.Component:
    return rx.cond(
        ChildFeesState.child_id != "",
        rx.vstack(
            online_status(),
            filter_select(ChildFeesState.children, label=t("Child"), value=ChildFeesState.child_id, on_change=ChildFeesState.choose_child, translate=False),
            balance_summary(ChildFeesState.balance),
            statement_buttons(ChildFeesState.print_statement),
            rx.heading(t("Invoices"), as_="h2", size="4"),
            rx.cond(
                ChildFeesState.online_currencies.length() > 0,
                invoice_table(ChildFeesState.invoices, action=pay_button),
                invoice_table(ChildFeesState.invoices),
            ),
            rx.heading(t("Payments"), as_="h2", size="4"),
            payment_table(ChildFeesState.payments, ChildFeesState.print_receipt),
            pay_dialog(),
            spacing="4",
            width="100%",
        ),
        empty_state("wallet", t("No fees to show"), t("Your children's fees appear here once the school issues them.")),
    )
