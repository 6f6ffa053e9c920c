"""YearsState: the school admin's years and terms: the list, a new year with its three terms,
and which year is the current one. Every handler asks `_actor` first and calls one service off
the loop."""

from datetime import date
from typing import Any

import reflex as rx

from models import ClosureKind
from oneclass.i18n import N_, format_message
from oneclass.offload import offload
from oneclass.services import academics, calendar
from oneclass.services.academics import MANAGE_YEARS, TermDates
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
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


# Shown with t() in the browser.
CLOSURE_KINDS: dict[str, str] = {
    ClosureKind.closure.value: N_("School closure"),
    ClosureKind.public_holiday.value: N_("Public holiday"),
}
YEARS_SHOWN_BEFORE, YEARS_SHOWN_AFTER = 1, 2
FIRST_YEAR, LAST_YEAR = 2000, 2200  # a school's calendar, not history


def _calendar_years(around: int) -> dict[str, str]:
    return {str(year): str(year) for year in range(around - YEARS_SHOWN_BEFORE, around + YEARS_SHOWN_AFTER + 1)}


class ClosureDaysState(FormDialog, ConfirmDialog, AuthState):
    """The days of one calendar year on which the school does not sit: public holidays and its
    own closures. No register is taken on them."""

    closures: list[dict[str, str]] = []
    closure_year: str = ""
    year_choices: dict[str, str] = {}
    _confirm_id: str = ""

    async def _fetch(self, user: CurrentUser) -> None:
        if not self.closure_year:
            # The server's year is near enough to open the list on: the picker reaches the rest.
            self.closure_year = str(date.today().year)
        self.year_choices = _calendar_years(int(self.closure_year))
        rows = await offload(calendar.list_closure_days, actor=user, year=int(self.closure_year))
        self.closures = [
            {"id": row["id"], "day": row["day"], "name": row["name"], "kind_label": CLOSURE_KINDS.get(row["kind"], row["kind"])}
            for row in rows
        ]

    @rx.event
    async def load_closures(self) -> Any:
        user = await self._actor(calendar.MANAGE_CALENDAR)
        if user is None:
            self.closures = []
            return self._refused(NO_ACCESS)
        await self._fetch(user)
        return None

    @rx.event
    async def choose_closure_year(self, value: str) -> Any:
        user = await self._actor(calendar.MANAGE_CALENDAR)
        if user is None:
            return self._refused()
        if value.isdigit() and FIRST_YEAR <= int(value) <= LAST_YEAR:
            self.closure_year = value
        await self._fetch(user)
        return None

    @rx.event
    async def open_new_closure(self) -> Any:
        if await self._actor(calendar.MANAGE_CALENDAR) is None:
            return self._refused()
        self._open_editor()
        return None

    @rx.event
    async def add_closure(self, form: dict[str, str]) -> Any:
        user = await self._actor(calendar.MANAGE_CALENDAR)
        if user is None:
            return self._refused()
        errors: dict[str, str] = {}
        day = form_date(form, "day", errors, "day")
        if errors:
            self.errors = with_form_error(errors)
            return None
        try:
            added = await offload(
                calendar.add_closure_day, actor=user, day=day, name=form.get("name", ""), kind=form.get("kind", ""), ip=self._client_ip()
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except Conflict as clash:
            self.errors = {"form": clash.message}
            return None
        self.editor_open = False
        self.closure_year = str(day.year)
        await self._fetch(user)
        return rx.toast.success(format_message("{day} added: {name}.", day=added["day"], name=added["name"]))

    @rx.event
    async def ask_remove_closure(self, closure_id: str, name: str) -> Any:
        if await self._actor(calendar.MANAGE_CALENDAR) is None:
            return self._refused()
        self._confirm_id = closure_id
        self._ask(name)
        return None

    @rx.event
    async def remove_closure(self) -> Any:
        self.confirm_open = False
        user = await self._actor(calendar.MANAGE_CALENDAR)
        if user is None:
            return self._refused()
        try:
            await offload(calendar.remove_closure_day, actor=user, closure_id=browser_id(self._confirm_id), ip=self._client_ip())
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        return rx.toast.success(format_message("Removed {name}: registers are taken on that day again.", name=self.confirm_name))
