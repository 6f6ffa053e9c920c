"""StaffState: the school admin's teachers and staff: searched, paged, exported, and each one's
profile (department, job title, employee number, phone). Every handler asks `_actor` first and
calls one service off the loop."""

from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import staff
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.dialogs import FormDialog
from state.form_values import NONE, with_form_error
from state.listing import ExportTable, SearchedList

READ, UPDATE = "users.read", "users.update"
# The export's headings in English; `_()` names them in the reader's language at export.
STAFF_COLUMNS = {
    "full_name": N_("Name"),
    "email": N_("Email"),
    "role_label": N_("Role"),
    "department": N_("Department"),
    "job_title": N_("Job title"),
    "employee_number": N_("Employee no."),
    "phone": N_("Phone"),
    "subjects": N_("Subjects"),
    "status": N_("Status"),
}


class StaffState(SearchedList, FormDialog, AuthState):
    read_permission: ClassVar[str] = READ
    rows: list[dict[str, Any]] = []
    department_choices: dict[str, str] = {}

    # The profile dialog (FormDialog): the values shown when it opens.
    editing_name: str = ""
    form_values: dict[str, str] = {}
    _editing_id: str = ""

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the page on screen of what the search matches."""
        found = await self._fetch_page(
            lambda page: offload(staff.list_staff, actor=user, search=self.search, page=page, per_page=self.per_page)
        )
        self.rows = found.rows

    @rx.event
    async def load_staff(self) -> Any:
        """on_load: the departments the profile dialog offers, then the first rows."""
        user = await self._actor(READ)
        if user is None:
            self.rows, self.total, self.department_choices = [], 0, {}
            return self._refused(NO_ACCESS)
        choices = await offload(staff.departments, actor=user)
        self.department_choices = {NONE: _("No department"), **{c["value"]: c["label"] for c in choices}}
        await self._fetch(user)
        return None

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(READ)
        if user is None:
            return None
        rows = await self._every_row_of(staff.list_staff, actor=user, search=self.search)
        columns = {key: _(heading) for key, heading in STAFF_COLUMNS.items()}
        return "staff", columns, [
            {**row, "role_label": _(row["role_label"]), "status": _("Active") if row["active"] else _("Deactivated")} for row in rows
        ]

    @rx.event
    async def open_edit(self, user_id: str) -> Any:
        if await self._actor(UPDATE) is None:
            return self._refused()
        row = next((row for row in self.rows if row["id"] == user_id), None)
        if row is None:
            return None
        self._editing_id, self.editing_name = user_id, row["full_name"]
        self.form_values = {
            "department": row["department_id"] or NONE,
            "job_title": row["job_title"],
            "employee_number": row["employee_number"],
            "phone": row["phone"],
            "is_staff": "yes" if row["is_staff"] else "",
            "bursar": "yes" if row["bursar"] else "",
        }
        self._open_editor()
        return None

    @rx.event
    async def save_profile(self, form: dict[str, str]) -> Any:
        user = await self._actor(UPDATE)
        if user is None:
            return self._refused()
        department = form.get("department", NONE)
        try:
            await offload(
                staff.update_staff_profile,
                actor=user,
                user_id=self._editing_id,
                department_id="" if department == NONE else department,
                job_title=form.get("job_title", ""),
                employee_number=form.get("employee_number", ""),
                phone=form.get("phone", ""),
                bursar=bool(form.get("bursar")) if self.form_values.get("is_staff") else None,
                ip=self._client_ip(),
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            self.errors = {"form": missing.message}
            return None
        self.editor_open = False
        await self._fetch(user)
        return rx.toast.success(format_message("Saved {name}'s profile.", name=self.editing_name))
