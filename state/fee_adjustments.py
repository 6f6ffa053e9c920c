"""AdjustmentsState: the discounts and bursaries page: today's term's discounts, bursaries and
sponsorships, the school's sponsors, and a form to add each. Every handler asks `_actor` first and
calls one service off the loop; the service validates and audits."""

from typing import Any

import reflex as rx

from oneclass.i18n import format_message
from oneclass.offload import offload
from oneclass.services import fee_adjustments, fees
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from oneclass.services.fee_adjustments import AdjustmentRow, SponsorRow
from state.auth import NO_ACCESS, AuthState
from state.form_values import NONE, optional_id, with_form_error


class AdjustmentsState(AuthState):
    term: str = ""
    adjustments: list[AdjustmentRow] = []
    sponsors: list[SponsorRow] = []
    errors: dict[str, str] = {}
    sponsor_errors: dict[str, str] = {}

    @rx.var
    def sponsor_choices(self) -> dict[str, str]:
        return {NONE: "—", **{s["id"]: s["name"] for s in self.sponsors}}

    async def _reload(self, user: CurrentUser) -> None:
        self.term, self.adjustments, self.sponsors = await offload(fee_adjustments.adjustments_and_sponsors, actor=user)

    @rx.event
    async def load_adjustments(self) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            self.adjustments, self.sponsors = [], []
            return self._refused(NO_ACCESS)
        await self._reload(user)
        return None

    @rx.event
    async def add_adjustment(self, form: dict[str, Any]) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            return self._refused()
        try:
            added = await offload(
                fee_adjustments.create_adjustment, actor=user, admission_number=str(form.get("admission_number", "")),
                kind=str(form.get("kind", "")), reason=str(form.get("reason", "")), percent=str(form.get("percent", "")),
                amount=str(form.get("amount", "")), currency=str(form.get("currency", "")),
                sponsor_id=optional_id(str(form.get("sponsor", ""))), ip=self._client_ip(),
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        self.errors = {}
        await self._reload(user)
        return rx.toast.success(format_message("Added for {name}: {size}.", name=added["student"], size=added["size"]))

    @rx.event
    async def add_sponsor(self, form: dict[str, Any]) -> Any:
        user = await self._actor(fees.MANAGE_FEES)
        if user is None:
            return self._refused()
        try:
            added = await offload(fee_adjustments.create_sponsor, actor=user, name=str(form.get("name", "")), kind=str(form.get("kind", "")), ip=self._client_ip())
        except ValidationFailed as refusal:
            self.sponsor_errors = with_form_error(refusal.errors)
            return None
        self.sponsor_errors = {}
        await self._reload(user)
        return rx.toast.success(format_message("Added the sponsor {name}.", name=added["name"]))
