"""The platform's own pages at the root domain: the schools (create, suspend, reactivate) and
every school's audit trail. Each handler re-checks the super admin before it touches data."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

import reflex as rx

from models import SchoolStatus
from oneclass.db import platform_session
from oneclass.permissions import PermissionDenied
from oneclass.services import audit, schools
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import SchoolCreationIncomplete
from oneclass.settings import get_settings
from state.auth import AuthState
from state.listing import ExportTable, PagedList, SearchedList

SCHOOLS_PERMISSION = "platform.schools"
AUDIT_PERMISSION = "platform.audit"
ALL_STATUSES = "all"  # a select cannot offer an empty value
FIX_FIELDS = "Please correct the fields marked below."
SCHOOL_COLUMNS = {
    "name": "School",
    "subdomain": "Subdomain",
    "level": "Level",
    "currency": "Currency",
    "status": "Status",
    "created": "Created",
}
EVENT_COLUMNS = {
    "when": "When",
    "school": "School",
    "actor": "Who",
    "action": "Action",
    "target": "Target",
    "ip": "IP address",
}


def _refused(what: str) -> Any:
    return rx.toast.error(f"You do not have permission to {what}.", id="no-permission")


class PlatformSchoolsState(SearchedList, AuthState):
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

    def _refusal(self) -> Any:
        return _refused("manage schools") if self._user_with(SCHOOLS_PERMISSION) is None else None

    def _filters(self) -> dict[str, str]:
        return {"search": self.search, "status": "" if self.status_filter == ALL_STATUSES else self.status_filter}

    def _load_page(self) -> None:
        """The current page of schools (the caller has checked the user)."""
        with platform_session() as session:
            found = self._fetch_page(
                lambda page: schools.list_schools(session, page=page, per_page=self.per_page, **self._filters())
            )
        self.rows = found.rows

    def _export_table(self) -> ExportTable | None:
        if self._user_with(SCHOOLS_PERMISSION) is None:
            return None
        with platform_session() as session:
            rows = self._every_row(
                lambda page, per_page: schools.list_schools(session, page=page, per_page=per_page, **self._filters())
            )
        return "schools", SCHOOL_COLUMNS, rows

    def _forget_schools(self) -> None:
        self.rows = []
        self.total = 0

    @rx.event
    def load_schools(self) -> Any:
        refusal = self._refusal()
        if refusal is not None:
            self._forget_schools()
            return refusal
        self.address_suffix = f".{get_settings().base_domain}"
        self._load_page()
        return None

    @rx.event
    def set_search(self, value: str) -> Any:
        """The search as typed, less any spaces around it."""
        return self._refilter(search=value.strip())

    @rx.event
    def filter_status(self, status: str) -> Any:
        return self._refilter(status_filter=status if status in (ALL_STATUSES, *SchoolStatus) else ALL_STATUSES)

    # --- creating a school --------------------------------------------------------------------

    @rx.event
    def set_create_open(self, is_open: bool) -> None:
        self.create_open = is_open
        self.create_errors = {}

    @rx.event
    def create_school(self, form: dict[str, str]) -> Any:
        user = self._user_with(SCHOOLS_PERMISSION)
        if user is None:
            return _refused("create schools")
        self.create_errors = {}
        try:
            school = schools.create_school_with_admin(
                actor=user,
                name=form.get("name", ""),
                subdomain=form.get("subdomain", ""),
                level=form.get("level", ""),
                currency=form.get("currency", ""),
                admin_email=form.get("admin_email", ""),
                admin_name=form.get("admin_name", ""),
                admin_password=form.get("admin_password", ""),
                ip=self._client_ip(),
            )
        except ValidationFailed as refusal:
            self.create_errors = {"form": FIX_FIELDS, **refusal.errors}
            return None
        except SchoolCreationIncomplete as failure:
            self.create_errors = {"form": failure.message}
            self._load_page()
            return None
        self.create_open = False
        self._load_page()
        return rx.toast.success(f"{school.name} is ready at {school.subdomain}{self.address_suffix}.")

    # --- suspending and reactivating ----------------------------------------------------------

    @rx.event
    def ask_status_change(self, school_id: str) -> Any:
        """Open the confirmation for one school of the page (by id, never by a name sent back)."""
        refusal = self._refusal()
        if refusal is not None:
            return refusal
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
    def confirm_status_change(self) -> Any:
        user = self._user_with(SCHOOLS_PERMISSION)
        self.confirm_open = False
        if user is None:
            return _refused("suspend or reactivate schools")
        status = SchoolStatus.suspended if self.confirm_suspend else SchoolStatus.active
        try:
            school = schools.set_school_status(
                actor=user, school_id=self._confirm_school_id, status=status, ip=self._client_ip()
            )
        except (NotFound, PermissionDenied) as refusal:
            return rx.toast.error(str(refusal))
        finally:
            self._confirm_school_id = ""
        self._load_page()
        done = "suspended" if status is SchoolStatus.suspended else "reactivated"
        return rx.toast.success(f"{school.name} is {done}.")


class PlatformAuditState(PagedList, AuthState):
    # Each page of `list_all_events` reads every earlier one again: export in bigger pages.
    export_batch: ClassVar[int] = 1000
    events: list[dict[str, str]] = []
    action_filter: str = ""
    actor_filter: str = ""
    date_from: str = ""  # YYYY-MM-DD, as a date input gives it; whole days in UTC
    date_to: str = ""
    filter_error: str = ""

    def _audit_filter(self) -> audit.AuditFilter:
        since = date.fromisoformat(self.date_from) if self.date_from else None
        until = date.fromisoformat(self.date_to) if self.date_to else None
        return audit.AuditFilter(
            action=self.action_filter,
            actor=self.actor_filter,
            since=datetime.combine(since, time.min, UTC) if since else None,
            until=datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None,
        )

    def _refusal(self) -> Any:
        return _refused("read the platform's audit log") if self._user_with(AUDIT_PERMISSION) is None else None

    def _load_page(self) -> None:
        """The current page of events (the caller has checked the user)."""
        with platform_session() as session:
            found = audit.list_all_events(
                session,
                self._audit_filter(),
                school_names=schools.school_names(session),
                page=self.page,
                per_page=self.per_page,
            )
        self.events = found.rows
        self.total = found.total

    def _export_table(self) -> ExportTable | None:
        if self._user_with(AUDIT_PERMISSION) is None:
            return None
        filters = self._audit_filter()
        with platform_session() as session:
            names = schools.school_names(session)
            rows = self._every_row(
                lambda page, per_page: audit.list_all_events(
                    session, filters, school_names=names, page=page, per_page=per_page
                )
            )
        return "platform-audit", EVENT_COLUMNS, rows

    @rx.event
    def load_events(self) -> Any:
        refusal = self._refusal()
        if refusal is not None:
            self.events = []
            self.total = 0
            return refusal
        self._load_page()
        return None

    @rx.event
    def apply_filters(self, form: dict[str, str]) -> Any:
        refusal = self._refusal()
        if refusal is not None:
            return refusal
        date_from, date_to = form.get("date_from", "").strip(), form.get("date_to", "").strip()
        try:
            first = date.fromisoformat(date_from) if date_from else None
            last = date.fromisoformat(date_to) if date_to else None
        except ValueError:
            self.filter_error = "Enter dates as YYYY-MM-DD."
            return None
        if first and last and first > last:
            self.filter_error = "The 'From' date must not be after the 'To' date."
            return None
        self.filter_error = ""
        self.action_filter = form.get("action", "").strip()
        self.actor_filter = form.get("actor", "").strip()
        self.date_from, self.date_to = date_from, date_to
        self.page = 1
        self._load_page()
        return None

    @rx.event
    def clear_filters(self) -> Any:
        return self._refilter(action_filter="", actor_filter="", date_from="", date_to="", filter_error="")
