"""ArrearsState: the bursar's arrears list: students owing, split by age, filtered by grade level,
class, currency, a minimum owed and how old the oldest debt is, searched, paged, with totals;
exported to CSV or Excel through the service, which audits every export. Every handler asks
`_actor` first and calls one service off the loop."""

from collections.abc import Callable
from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_
from oneclass.offload import offload
from oneclass.services import arrears, fees
from oneclass.services.arrears import ArrearsFilter, ArrearsPage
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.form_values import browser_id
from state.listing import ExportTable, SearchedList

ALL = "all"  # a filter's "any" choice (a select item cannot have an empty value)
AGE_CHOICES = {"0": N_("Any age"), "30": N_("Owing 30 days or more"), "60": N_("Owing 60 days or more"), "90": N_("Owing 90 days or more")}
CURRENCY_CHOICES = {ALL: N_("Any currency"), "USD": "USD", "ZWG": "ZWG"}
# Headings marked N_; the export translates them (PagedList._download).
ARREARS_COLUMNS = {
    "name": N_("Name"),
    "admission_number": N_("Admission no."),
    "class_name": N_("Class"),
    "grade": N_("Grade"),
    "currency": N_("Currency"),
    "owed": N_("Owed"),
    "under_30": N_("Under 30 days"),
    "days_30": N_("30-59 days"),
    "days_60": N_("60-89 days"),
    "days_90": N_("90 days or more"),
    "oldest": N_("Oldest invoice"),
}


class ArrearsState(SearchedList, AuthState):
    read_permission: ClassVar[str] = fees.COLLECT_FEES
    EXPORT_AUDITED_BY_SERVICE: ClassVar[bool] = True  # arrears.export_arrears names the filters too
    per_page: ClassVar[int] = 25
    rows: list[dict[str, Any]] = []
    totals: list[dict[str, Any]] = []
    grade_filter: str = ALL
    class_filter: str = ALL
    currency_filter: str = ALL
    overdue_filter: str = "0"
    minimum: str = ""
    minimum_error: str = ""
    grade_names: dict[str, str] = {}  # level: English name (shown with t())
    class_names: dict[str, str] = {}  # id: name, this year's classes
    _export_format: str = "csv"

    @rx.var
    def grade_choices(self) -> dict[str, str]:
        return {ALL: N_("Any grade"), **self.grade_names}

    @rx.var
    def class_choices(self) -> dict[str, str]:
        return {ALL: N_("Any class"), **self.class_names}

    def _filters(self) -> ArrearsFilter:
        overdue = int(self.overdue_filter) if self.overdue_filter in AGE_CHOICES else 0
        return ArrearsFilter(
            search=self.search[:100], grade_level="" if self.grade_filter == ALL else self.grade_filter,
            class_id=None if self.class_filter == ALL else browser_id(self.class_filter),
            currency="" if self.currency_filter == ALL else self.currency_filter, minimum=self.minimum[:20], overdue=overdue,
        )

    async def _fetch(self, user: CurrentUser) -> None:
        try:
            found = await self._fetch_page(
                lambda page: offload(arrears.arrears_page, actor=user, filters=self._filters(), page=page, per_page=self.per_page)
            )
        except ValidationFailed as refusal:
            self.minimum_error = refusal.errors.get("minimum", "")
            self.rows, self.totals, self.total = [], [], 0
            return
        assert isinstance(found, ArrearsPage)
        self.minimum_error, self.rows, self.totals = "", found.rows, found.totals or []

    @rx.event
    async def load_arrears(self) -> Any:
        """on_load: the filters' choices, then the first rows."""
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            self.rows, self.totals, self.total = [], [], 0
            return self._refused(NO_ACCESS)
        choices = await offload(arrears.arrears_choices, actor=user)
        self.grade_names = {c["value"]: c["label"] for c in choices.grades}
        self.class_names = choices.classes
        await self._fetch(user)
        return None

    @rx.event
    async def set_grade_filter(self, value: str) -> Any:
        return await self._refilter(grade_filter=value)

    @rx.event
    async def set_class_filter(self, value: str) -> Any:
        return await self._refilter(class_filter=value)

    @rx.event
    async def set_currency_filter(self, value: str) -> Any:
        return await self._refilter(currency_filter=value)

    @rx.event
    async def set_overdue_filter(self, value: str) -> Any:
        return await self._refilter(overdue_filter=value)

    @rx.event
    async def set_minimum(self, value: str) -> Any:
        return await self._refilter(minimum=value)

    async def _download(self, extension: str, render: Callable[[str, dict[str, str], list[dict[str, Any]]], bytes], mime_type: str) -> Any:
        self._export_format = extension  # the audit names the file's format
        return await super()._download(extension, render, mime_type)

    async def _export_table(self) -> ExportTable | None:
        """Every row the filters match, from the service that audits the export."""
        user = await self._actor(fees.COLLECT_FEES)
        if user is None:
            return None
        try:
            rows = await offload(arrears.export_arrears, actor=user, filters=self._filters(), file_format=self._export_format, ip=self._client_ip())
        except ValidationFailed:
            rows = []  # a minimum that is no amount: the page says so beside the box
        return "arrears", ARREARS_COLUMNS, rows
