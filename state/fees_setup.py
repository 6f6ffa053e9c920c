"""Fee set-up states: the admin's (or bursar's) fee structures for today's term, and issuing the
term's invoices after a preview and a confirmation. Every handler asks `_actor` and calls one
service off the loop; the services check `fees.manage` again."""

from typing import Any

import reflex as rx

from oneclass.i18n import _, format_message
from oneclass.offload import offload
from oneclass.services import fees
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.fees import ItemInput, StructureRow
from state.auth import NO_ACCESS, AuthState
from state.dialogs import ConfirmDialog
from state.form_values import browser_id, with_form_error

ITEM_ROWS = 5  # item rows the structure form shows


class FeeStructuresState(AuthState):
    """Today's term's structures, and a form that saves one (a grade level and currency's
    items; saving again replaces them)."""

    term_id: str = ""
    term_name: str = ""
    grade_choices: dict[str, str] = {}
    structures: list[StructureRow] = []
    errors: dict[str, str] = {}
    saved_message: str = ""

    @rx.event
    async def load_structures(self) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            self.structures = []
            return self._refused(NO_ACCESS)
        try:
            self._show(await offload(fees.list_structures, actor=user))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None

    def _show(self, setup: fees.FeeSetup) -> None:
        self.term_id, self.term_name, self.structures = setup.term_id, setup.term, setup.structures
        self.grade_choices = {choice["value"]: choice["label"] for choice in setup.grades}

    @rx.event
    async def save_structure(self, form: dict[str, Any]) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            return self._refused()
        items = [
            ItemInput(
                name=str(form.get(f"item{n}_name", "")), account=str(form.get(f"item{n}_account", "tuition")),
                amount=str(form.get(f"item{n}_amount", "")), optional=bool(form.get(f"item{n}_optional")),
            )
            for n in range(1, ITEM_ROWS + 1)
        ]
        try:
            saved = await offload(
                fees.save_structure, actor=user, term_id=browser_id(self.term_id), grade_level=str(form.get("grade_level", "")),
                currency=str(form.get("currency", "")), items=items,
            )
        except ValidationFailed as refusal:
            self.errors, self.saved_message = with_form_error(refusal.errors), ""
            return None
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.errors = {}
        self.saved_message = format_message("Saved: {total} {currency} a term.", total=saved["total"], currency=saved["currency"])
        self._show(await offload(fees.list_structures, actor=user, term_id=browser_id(self.term_id)))
        return None


class InvoiceRunState(ConfirmDialog, AuthState):
    """What issuing today's term's invoices would do, and doing it once confirmed."""

    term_name: str = ""
    students: int = 0
    new_invoices: int = 0
    already_issued: int = 0
    without_structure: int = 0
    totals: list[dict[str, str]] = []
    done_message: str = ""

    def _show(self, preview: fees.InvoicePreview) -> None:
        self.term_name, self.students, self.new_invoices = preview.term, preview.students, preview.new_invoices
        self.already_issued, self.without_structure = preview.already_issued, preview.without_structure
        self.totals = [{"currency": currency, "total": total} for currency, total in preview.totals.items()]

    @rx.event
    async def load_preview(self) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            self.totals, self.new_invoices = [], 0
            return self._refused(NO_ACCESS)
        self.done_message = ""
        try:
            self._show(await offload(fees.preview_invoices, actor=user))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None

    @rx.event
    async def ask_issue(self) -> Any:
        if await self._actor(fees.MANAGE_FEES) is None:
            return self._refused()
        self._ask(self.term_name)
        return None

    @rx.event
    async def issue(self) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            return self._refused()
        self.confirm_open = False
        try:
            done = await offload(fees.generate_invoices, actor=user, ip=self._client_ip())
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self._show(await offload(fees.preview_invoices, actor=user))
        self.done_message = format_message("{count} invoices issued.", count=done.new_invoices)
        return rx.toast.success(_("Invoices issued."))
