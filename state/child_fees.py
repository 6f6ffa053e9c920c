"""The parent's fees page: each child's invoices, payments and balance per currency, and paying
an invoice online with Paynow (web checkout, or EcoCash/OneMoney on a phone). The services give
a parent only their own children, and only the payments they started."""

import asyncio
from typing import Any

import reflex as rx

from oneclass.i18n import _
from oneclass.offload import offload
from oneclass.services import fees, online_payments
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.fees import InvoiceRow, PaymentRow
from oneclass.services.online_payments import OnlineStatus
from state.auth import NO_ACCESS, AuthState
from state.cashier import balance_rows, download_receipt, download_statement
from state.form_values import browser_id

CHILD_FEES = "child.read"  # the page is the parent's; the service asks `fees.read` too
FOLLOW_SECONDS = 3  # how often the page asks how an express payment stands
FOLLOW_TRIES = 60  # three minutes: then "Check again" is the parent's


class ChildFeesState(AuthState):
    children: dict[str, str] = {}
    child_id: str = ""
    invoices: list[InvoiceRow] = []
    payments: list[PaymentRow] = []
    balance: list[dict[str, str]] = []
    online_currencies: list[str] = []  # the school takes these online: "Pay online" shows for them
    # The "Pay online" dialog.
    pay_open: bool = False
    pay_invoice_id: str = ""
    pay_label: str = ""
    pay_errors: dict[str, str] = {}
    # The payment last started (or returned to from Paynow) and how it stands.
    online_reference: str = ""
    online_state: str = ""  # "", "waiting", "paid", "flagged"
    online_instructions: str = ""

    async def _load(self, student_id: str = "") -> Any:
        user = await self._actor(CHILD_FEES)
        if user is None:
            self.children, self.invoices, self.payments, self.balance, self.online_currencies = {}, [], [], [], []
            return self._refused(NO_ACCESS)
        try:
            children, found = await offload(fees.children_fees, actor=user, student_id=browser_id(student_id) if student_id else None)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.children = {child["id"]: child["name"] for child in children}
        self.child_id = found.student_id if found else ""
        self.invoices, self.payments = (found.invoices, found.payments) if found else ([], [])
        self.balance = balance_rows(found.balance) if found else []
        self.online_currencies = await offload(online_payments.currencies_online, actor=user)
        return None

    @rx.event
    async def load_child_fees(self) -> Any:
        """The page; coming back from Paynow (`?paynow=<reference>`), how that payment stands."""
        returned = self.router.url.query_parameters.get("paynow", "")[:40]
        if returned:
            self.online_reference, self.online_instructions = returned, ""
            refused = await self._check()
            if refused is not None:
                return refused
        return await self._load(self.child_id)

    @rx.event
    async def choose_child(self, student_id: str) -> Any:
        return await self._load(student_id)

    @rx.event
    async def ask_pay_online(self, invoice_id: str) -> Any:
        if await self._actor(CHILD_FEES) is None:
            return self._refused()
        invoice = next((i for i in self.invoices if i["id"] == invoice_id and i["currency"] in self.online_currencies and i["balance"] != "0.00"), None)
        if invoice is None:
            return None
        self.pay_invoice_id, self.pay_errors = invoice_id, {}
        self.pay_label = f"{invoice['term']}: {_(fees.ACCOUNT_LABELS[invoice['account']])}, {invoice['currency']} {invoice['balance']}"
        self.pay_open = True
        return None

    @rx.event
    def set_pay_open(self, is_open: bool) -> None:
        self.pay_open = is_open

    @rx.event
    async def pay_online(self, form: dict[str, Any]) -> Any:
        """Start paying the chosen invoice: off to Paynow's page, or a request to the phone."""
        user = await self._actor(CHILD_FEES)
        if user is None:
            return self._refused()
        try:
            started = await offload(
                online_payments.start_payment, actor=user, invoice_id=browser_id(self.pay_invoice_id),
                method=str(form.get("method", "web")), phone=str(form.get("phone", "")),
            )
        except ValidationFailed as refusal:
            self.pay_errors = dict(refusal.errors)
            return None
        except NotFound as missing:
            self.pay_open = False
            return rx.toast.error(missing.message)
        self.pay_open, self.pay_errors = False, {}
        self.online_reference, self.online_state, self.online_instructions = started.reference, "waiting", started.instructions
        if started.redirect_url:
            return rx.redirect(started.redirect_url)
        return ChildFeesState.follow_online_payment

    async def _check(self) -> Any:
        """Ask how the current online payment stands (recorded once Paynow says paid)."""
        user = await self._actor(CHILD_FEES)
        if user is None:
            return self._refused()
        if not self.online_reference:
            return None
        try:
            status = await offload(online_payments.check_payment, actor=user, reference=self.online_reference)
        except NotFound as missing:
            self.online_reference, self.online_state = "", ""
            return rx.toast.error(missing.message)
        self._show_status(status)
        return None

    def _show_status(self, status: OnlineStatus) -> None:
        self.online_state = "paid" if status.recorded else "flagged" if status.flagged else "waiting"

    @rx.event
    async def check_online_payment(self) -> Any:
        refused = await self._check()
        if refused is not None:
            return refused
        return await self._load(self.child_id)

    @rx.event(background=True)
    async def follow_online_payment(self) -> Any:
        """After an express checkout: ask every few seconds until Paynow has an answer (the poll
        runs outside the state's lock, so the tab stays responsive meanwhile)."""
        for _try in range(FOLLOW_TRIES):
            async with self:
                user = await self._actor(CHILD_FEES)
                if user is None:
                    return self._refused()
                reference = self.online_reference
            if not reference:
                return None
            try:
                status = await offload(online_payments.check_payment, actor=user, reference=reference)
            except NotFound:
                return None
            async with self:
                self._show_status(status)
                if self.online_state == "paid":
                    return await self._load(self.child_id)
                if self.online_state != "waiting":
                    return None
            await asyncio.sleep(FOLLOW_SECONDS)
        return None

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
