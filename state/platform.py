"""The platform's own pages at the root domain: the schools (create, suspend, reactivate) and
every school's audit trail. Each handler re-checks the super admin before it touches data."""

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import reflex as rx

from models import SchoolStatus
from oneclass.db import platform_session
from oneclass.permissions import PermissionDenied
from oneclass.services import audit, schools, users
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import SchoolCreationIncomplete
from oneclass.settings import get_settings
from state.auth import AuthState

SCHOOLS_PERMISSION = "platform.schools"
AUDIT_PERMISSION = "platform.audit"
SCHOOLS_PER_PAGE = 20
EVENTS_PER_PAGE = 25
ALL_STATUSES = "all"  # a select cannot offer an empty value
FIX_FIELDS = "Please correct the fields marked below."


def _refused(what: str) -> Any:
    return rx.toast.error(f"You do not have permission to {what}.", id="no-permission")


class PlatformSchoolsState(AuthState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    search: str = ""
    status_filter: str = ALL_STATUSES
    address_suffix: str = ""

    create_open: bool = False
    create_errors: dict[str, str] = {}  # by form field; "form": the line above the form

    confirm_open: bool = False
    confirm_name: str = ""
    confirm_suspend: bool = True  # False: the confirmation is to reactivate
    _confirm_school_id: str = ""

    @rx.var
    def page_count(self) -> int:
        return users.page_count(self.total, SCHOOLS_PER_PAGE)

    @rx.var
    def is_filtered(self) -> bool:
        return self.search != "" or self.status_filter != ALL_STATUSES

    def _load(self) -> None:
        """The current page of schools (the caller has checked the user)."""
        with platform_session() as session:
            found = schools.list_schools(
                session,
                search=self.search,
                status="" if self.status_filter == ALL_STATUSES else self.status_filter,
                page=self.page,
                per_page=SCHOOLS_PER_PAGE,
            )
        self.total = found.total
        last_page = users.page_count(found.total, SCHOOLS_PER_PAGE)
        if self.page > last_page:  # the list shrank under us: show its last page
            self.page = last_page
            self._load()
            return
        self.rows = found.rows

    def _forget_schools(self) -> None:
        self.rows = []
        self.total = 0

    @rx.event
    def load_schools(self) -> Any:
        if self._user_with(SCHOOLS_PERMISSION) is None:
            self._forget_schools()
            return _refused("manage schools")
        self.address_suffix = f".{get_settings().base_domain}"
        self._load()
        return None

    @rx.event
    def set_search(self, value: str) -> Any:
        if self._user_with(SCHOOLS_PERMISSION) is None:
            return _refused("manage schools")
        self.search = value.strip()
        self.page = 1
        self._load()
        return None

    @rx.event
    def filter_status(self, status: str) -> Any:
        if self._user_with(SCHOOLS_PERMISSION) is None:
            return _refused("manage schools")
        self.status_filter = status if status in (ALL_STATUSES, *SchoolStatus) else ALL_STATUSES
        self.page = 1
        self._load()
        return None

    @rx.event
    def previous_page(self) -> Any:
        return self._go_to_page(self.page - 1)

    @rx.event
    def next_page(self) -> Any:
        return self._go_to_page(self.page + 1)

    def _go_to_page(self, page: int) -> Any:
        if self._user_with(SCHOOLS_PERMISSION) is None:
            return _refused("manage schools")
        self.page = min(max(page, 1), users.page_count(self.total, SCHOOLS_PER_PAGE))
        self._load()
        return None

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
            self._load()
            return None
        self.create_open = False
        self._load()
        return rx.toast.success(f"{school.name} is ready at {school.subdomain}{self.address_suffix}.")

    # --- suspending and reactivating ----------------------------------------------------------

    @rx.event
    def ask_status_change(self, school_id: str) -> Any:
        """Open the confirmation for one school of the page (by id, never by a name sent back)."""
        if self._user_with(SCHOOLS_PERMISSION) is None:
            return _refused("manage schools")
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
        self._load()
        done = "suspended" if status is SchoolStatus.suspended else "reactivated"
        return rx.toast.success(f"{school.name} is {done}.")


class PlatformAuditState(AuthState):
    events: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    action_filter: str = ""
    actor_filter: str = ""
    date_from: str = ""  # YYYY-MM-DD, as a date input gives it; whole days in UTC
    date_to: str = ""
    filter_error: str = ""

    @rx.var
    def page_count(self) -> int:
        return users.page_count(self.total, EVENTS_PER_PAGE)

    def _audit_filter(self) -> audit.AuditFilter:
        since = date.fromisoformat(self.date_from) if self.date_from else None
        until = date.fromisoformat(self.date_to) if self.date_to else None
        return audit.AuditFilter(
            action=self.action_filter,
            actor=self.actor_filter,
            since=datetime.combine(since, time.min, UTC) if since else None,
            until=datetime.combine(until + timedelta(days=1), time.min, UTC) if until else None,
        )

    def _load(self) -> None:
        with platform_session() as session:
            found = audit.list_all_events(
                session,
                self._audit_filter(),
                school_names=schools.school_names(session),
                page=self.page,
                per_page=EVENTS_PER_PAGE,
            )
        self.events = found.events
        self.total = found.total

    @rx.event
    def load_events(self) -> Any:
        if self._user_with(AUDIT_PERMISSION) is None:
            self.events = []
            self.total = 0
            return _refused("read the platform's audit log")
        self._load()
        return None

    @rx.event
    def apply_filters(self, form: dict[str, str]) -> Any:
        if self._user_with(AUDIT_PERMISSION) is None:
            return _refused("read the platform's audit log")
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
        self._load()
        return None

    @rx.event
    def clear_filters(self) -> Any:
        if self._user_with(AUDIT_PERMISSION) is None:
            return _refused("read the platform's audit log")
        self.action_filter = self.actor_filter = self.date_from = self.date_to = self.filter_error = ""
        self.page = 1
        self._load()
        return None

    @rx.event
    def previous_page(self) -> Any:
        return self._go_to_page(self.page - 1)

    @rx.event
    def next_page(self) -> Any:
        return self._go_to_page(self.page + 1)

    def _go_to_page(self, page: int) -> Any:
        if self._user_with(AUDIT_PERMISSION) is None:
            return _refused("read the platform's audit log")
        self.page = min(max(page, 1), users.page_count(self.total, EVENTS_PER_PAGE))
        self._load()
        return None
