"""The parent's fees page: for each child, the invoices, the payments and the balance per
currency."""

import reflex as rx

from components import empty_state, filter_select
from components.fees import balance_summary, invoice_table, payment_table, statement_buttons
from components.i18n import t
from oneclass import routes
from pages.guard import signed_in_page
from state.child_fees import CHILD_FEES, ChildFeesState


@signed_in_page(routes.CHILD_FEES, "Fees", permission=CHILD_FEES, on_load=ChildFeesState.load_child_fees)
def child_fees() -> rx.Component:
    return rx.cond(
        ChildFeesState.child_id != "",
        rx.vstack(
            filter_select(ChildFeesState.children, label=t("Child"), value=ChildFeesState.child_id, on_change=ChildFeesState.choose_child, translate=False),
            balance_summary(ChildFeesState.balance),
            statement_buttons(ChildFeesState.print_statement),
            rx.heading(t("Invoices"), as_="h2", size="4"),
            invoice_table(ChildFeesState.invoices),
            rx.heading(t("Payments"), as_="h2", size="4"),
            payment_table(ChildFeesState.payments, ChildFeesState.print_receipt),
            spacing="4",
            width="100%",
        ),
        empty_state("wallet", t("No fees to show"), t("Your children's fees appear here once the school issues them.")),
    )
