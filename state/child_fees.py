"""The parent's fees page: each child's invoices, payments and balance per currency. The
service gives a parent only their own children."""

from typing import Any

import reflex as rx

from oneclass.offload import offload
from oneclass.services import fees
from oneclass.services.errors import NotFound
from oneclass.services.fees import InvoiceRow, PaymentRow
from state.auth import NO_ACCESS, AuthState
from state.cashier import balance_rows, download_receipt, download_statement
from state.form_values import browser_id

CHILD_FEES = "child.read"  # the page is the parent's; the service asks `fees.read` too


class ChildFeesState(AuthState):
    children: dict[str, str] = {}
    child_id: str = ""
    invoices: list[InvoiceRow] = []
    payments: list[PaymentRow] = []
    balance: list[dict[str, str]] = []

    async def _load(self, student_id: str = "") -> Any:
        user = await self._actor(CHILD_FEES)
        if user is None:
            self.children, self.invoices, self.payments, self.balance = {}, [], [], []
            return self._refused(NO_ACCESS)
        try:
            children, found = await offload(fees.children_fees, actor=user, student_id=browser_id(student_id) if student_id else None)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.children = {child["id"]: child["name"] for child in children}
        self.child_id = found.student_id if found else ""
        self.invoices, self.payments = (found.invoices, found.payments) if found else ([], [])
        self.balance = balance_rows(found.balance) if found else []
        return None

    @rx.event
    async def load_child_fees(self) -> Any:
        return await self._load(self.child_id)

    @rx.event
    async def choose_child(self, student_id: str) -> Any:
        return await self._load(student_id)

    @rx.event
    async def print_receipt(self, payment_id: str) -> Any:
        user = await self._actor(CHILD_FEES)
        if user is None:
            return self._refused()
        return await download_receipt(user, payment_id)

    @rx.event
    async def print_statement(self, family: bool) -> Any:
        """The chosen child's statement, or (`family`) all the parent's children's together."""
        user = await self._actor(CHILD_FEES)
        if user is None:
            return self._refused()
        return await download_statement(user, self.child_id, family)
