"""YearsState: the school admin's years and terms: the list, a new year with its three terms,
and which year is the current one. Every handler asks `_actor` first and calls one service off
the loop."""

from typing import Any

import reflex as rx

from oneclass.i18n import format_message
from oneclass.offload import offload
from oneclass.services import academics
from oneclass.services.academics import MANAGE_YEARS, TermDates
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.dialogs import ConfirmDialog, FormDialog
from state.form_values import browser_id, form_date, with_form_error

TERMS = (1, 2, 3)


class YearsState(FormDialog, ConfirmDialog, AuthState):
    years: list[dict[str, Any]] = []
    _confirm_id: str = ""

    async def _fetch(self, user: CurrentUser) -> None:
        self.years = [dict(year) for year in await offload(academics.list_years, actor=user)]

    @rx.event
    async def load_years(self) -> Any:
        user = await self._actor(MANAGE_YEARS)
        if user is None:
            self.years = []
            return self._refused(NO_ACCESS)
        await self._fetch(user)
        return None

    @rx.event
    async def open_new_year(self) -> Any:
        if await self._actor(MANAGE_YEARS) is None:
            return self._refused()
        self._open_editor()
        return None

    @rx.event
    async def create_year(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_YEARS)
        if user is None:
            return self._refused()
        errors: dict[str, str] = {}
        starts_on = form_date(form, "starts_on", errors, "starts_on")
        ends_on = form_date(form, "ends_on", errors, "ends_on")
        terms = [
            TermDates(form_date(form, f"term{n}_starts", errors, f"term{n}"), form_date(form, f"term{n}_ends", errors, f"term{n}"))
            for n in TERMS
        ]
        if errors:
            self.errors = with_form_error(errors)
            return None
        try:
            name = await offload(
                academics.create_year, actor=user, name=form.get("name", ""), starts_on=starts_on, ends_on=ends_on, terms=terms
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        self.editor_open = False
        await self._fetch(user)
        return rx.toast.success(format_message("Added the year {name}.", name=name))

    @rx.event
    async def ask_make_current(self, year_id: str, name: str) -> Any:
        if await self._actor(MANAGE_YEARS) is None:
            return self._refused()
        self._confirm_id = year_id
        self._ask(name)
        return None

    @rx.event
    async def make_current(self) -> Any:
        self.confirm_open = False
        user = await self._actor(MANAGE_YEARS)
        if user is None:
            return self._refused()
        try:
            name = await offload(academics.make_current_year, actor=user, year_id=browser_id(self._confirm_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        return rx.toast.success(format_message("{name} is now the current year.", name=name))
