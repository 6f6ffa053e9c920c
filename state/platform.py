"""The platform's own pages at the root domain: the schools (create, suspend, reactivate) and
every school's audit trail. Every handler that touches data asks `_actor` first and calls one
service off the loop; the services check the super admin again and own the transaction."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

import reflex as rx

from models import SchoolStatus
from oneclass import i18n
from oneclass.current_user import CurrentUser
from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import schools
from oneclass.services.audit import AuditFilter
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import AUDIT_PERMISSION, SCHOOLS_PERMISSION, SchoolCreationIncomplete
from oneclass.settings import get_settings
from state.admin_audit import with_translated_labels
from state.auth import AuthState
from state.listing import ExportTable, PagedList, SearchedList

ALL_STATUSES = "all"  # a select cannot offer an empty value
FIX_FIELDS = N_("Please correct the fields marked below.")
# The exports' headings, in English (message ids): a file is written in the reader's language.
SCHOOL_COLUMNS = {
    "name": N_("School"),
    "subdomain": N_("Subdomain"),
    "level": N_("Level"),
    "currency": N_("Currency"),
    "status": N_("Status"),
    "language": N_("Language"),
    "created": N_("Created"),
}
EVENT_COLUMNS = {
    "when": N_("When"),
    "school": N_("School"),
    "actor": N_("Who"),
    "action": N_("Action"),
    "action_label": N_("What happened"),
    "target": N_("Target"),
    "ip": N_("IP address"),
}


class PlatformSchoolsState(SearchedList, AuthState):
    read_permission: ClassVar[str] = SCHOOLS_PERMISSION
    per_page: ClassVar[int] = 20
    rows: list[dict[str, str]] = []
    status_filter: str = ALL_STATUSES
    address_suffix: str = ""

    create_open: bool = False
    create_errors: dict[str, str] = {}  # by form field; "form": the line above the form

    confirm_open: bool = False
    confirm_name: str = ""
    confirm_suspend: bool = True  # False: the confirmation is to reactivate
    _confirm_school_id: str = ""

    @rx.var
    def is_filtered(self) -> bool:
        return self.search != "" or self.status_filter != ALL_STATUSES

    def _filters(self) -> dict[str, str]:
        return {"search": self.search, "status": "" if self.status_filter == ALL_STATUSES else self.status_filter}

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the current page of schools for the filters on screen."""
        found = await self._fetch_page(
            lambda page: offload(schools.list_schools, actor=user, page=page, per_page=self.per_page, **self._filters())
        )
        self.rows = found.rows

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(SCHOOLS_PERMISSION)
        if user is None:
            return None
        columns = {key: _(heading) for key, heading in SCHOOL_COLUMNS.items()}
        return "schools", columns, await offload(schools.export_schools, actor=user, **self._filters())

    @rx.event
    async def load_schools(self) -> Any:
        """on_load: the address every school gets, then the first page."""
        self.address_suffix = f".{get_settings().base_domain}"
        return await self._load_page()

    @rx.event
    async def set_search(self, value: str) -> Any:
        """The search as typed, less any spaces around it."""
        return await self._refilter(search=value.strip())

    @rx.event
    async def filter_status(self, status: str) -> Any:
        return await self._refilter(status_filter=status if status in (ALL_STATUSES, *SchoolStatus) else ALL_STATUSES)

    # --- creating a school --------------------------------------------------------------------

    @rx.event
    def set_create_open(self, is_open: bool) -> None:
        self.create_open = is_open
        self.create_errors = {}

    @rx.event
    async def create_school(self, form: dict[str, str]) -> Any:
        user = await self._actor(SCHOOLS_PERMISSION)
        if user is None:
            return self._refused()
        self.create_errors = {}
        try:
            school = await offload(
                schools.create_school_with_admin,
                actor=user,
                name=form.get("name", ""),
                subdomain=form.get("subdomain", ""),
                level=form.get("level", ""),
                currency=form.get("currency", ""),
                admin_email=form.get("admin_email", ""),
                admin_name=form.get("admin_name", ""),
                admin_password=form.get("admin_password", ""),
                language=form.get("language", i18n.DEFAULT_LANGUAGE),
                ip=self._client_ip(),
            )
        except ValidationFailed as refusal:
            self.create_errors = {"form": _(FIX_FIELDS), **refusal.errors}
            return None
        except SchoolCreationIncomplete as failure:
            self.create_errors = {"form": failure.message}
            await self._fetch(user)  # the suspended school is in the list
            return None
        self.create_open = False
        await self._fetch(user)
        address = f"{school['subdomain']}{self.address_suffix}"
        return rx.toast.success(format_message("{name} is ready at {address}.", name=school["name"], address=address))

    # --- suspending and reactivating ----------------------------------------------------------

    @rx.event
    async def ask_status_change(self, school_id: str) -> Any:
        """Open the confirmation for one school of the page (by id, never by a name sent back)."""
        if await self._actor(SCHOOLS_PERMISSION) is None:
            return self._refused()
        row = next((row for row in self.rows if row["id"] == school_id), None)
        if row is None:
            return None
        self._confirm_school_id = school_id
        self.confirm_name = row["name"]
        self.confirm_suspend = row["status"] == SchoolStatus.active.value
        self.confirm_open = True
        return None

    @rx.event
    def set_confirm_open(self, is_open: bool) -> None:
        self.confirm_open = is_open

    @rx.event
    async def confirm_status_change(self) -> Any:
        self.confirm_open = False
        school_id, self._confirm_school_id = self._confirm_school_id, ""
        user = await self._actor(SCHOOLS_PERMISSION)
        if user is None:
            return self._refused()
        status = SchoolStatus.suspended if self.confirm_suspend else SchoolStatus.active
        try:
            school = await offload(schools.set_school_status, actor=user, school_id=school_id, status=status, ip=self._client_ip())
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        if status is SchoolStatus.suspended:
            return rx.toast.success(format_message("{name} is suspended.", name=school["name"]))
        return rx.toast.success(format_message("{name} is reactivated.", name=school["name"]))


class PlatformAuditState(PagedList, AuthState):
    read_permission: ClassVar[str] = AUDIT_PERMISSION
    rows_var: ClassVar[str] = "events"
    events: list[dict[str, str]] = []
    action_filter: str = ""
    actor_filter: str = ""
    date_from: str = ""  # YYYY-MM-DD, as a date input gives it; whole days in UTC
    date_to: str = ""
    filter_error: str = ""

    def _audit_filter(self) -> AuditFilter:
        since = date.fromisoformat(self.date_from) if self.date_from else None
        until = date.fromisoformat(self.date_to) if self.date_to else None
        return AuditFilter(
            action=self.action_filter,
            actor=self.actor_filter,
            since=datetime.combine(since, time.min, UTC) if since else None,
            until=datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None,
        )

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the current page of events for the filters applied."""
        filters = self._audit_filter()
        found = await self._fetch_page(
            lambda page: offload(schools.platform_events, actor=user, filters=filters, page=page, per_page=self.per_page)
        )
        self.events = found.rows

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(AUDIT_PERMISSION)
        if user is None:
            return None
        events = await offload(schools.export_platform_events, actor=user, filters=self._audit_filter())
        columns = {key: _(heading) for key, heading in EVENT_COLUMNS.items()}
        return "platform-audit", columns, with_translated_labels(events)

    @rx.event
    async def load_events(self) -> Any:
        return await self._load_page()

    @rx.event
    async def apply_filters(self, form: dict[str, str]) -> Any:
        date_from, date_to = form.get("date_from", "").strip(), form.get("date_to", "").strip()
        try:
            first = date.fromisoformat(date_from) if date_from else None
            last = date.fromisoformat(date_to) if date_to else None
        except ValueError:
            self.filter_error = _("Enter dates as YYYY-MM-DD.")
            return None
        if first and last and first > last:
            self.filter_error = _("The 'From' date must not be after the 'To' date.")
            return None
        return await self._refilter(
            filter_error="",
            action_filter=form.get("action", "").strip(),
            actor_filter=form.get("actor", "").strip(),
            date_from=date_from,
            date_to=date_to,
        )

    @rx.event
    async def clear_filters(self) -> Any:
        return await self._refilter(action_filter="", actor_filter="", date_from="", date_to="", filter_error="")
