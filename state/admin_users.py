"""UserAdminState: a school admin's list of users, the add/edit dialog, deactivation, reset links
and CSV import. Every handler re-checks the admin before it touches data."""

import asyncio
from typing import Any
from uuid import UUID

import reflex as rx

from oneclass.db import tenant_session
from oneclass.offload import offload
from oneclass.services import auth, users
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import AuthState
from state.dialogs import ConfirmDialog, EditorDialog
from state.listing import NO_PERMISSION, ExportTable, SearchedList

# A page's loader runs right after its guard; on refusal it repeats the guard's toast (same id
# and text), so the person sees one message, not two.
NO_ACCESS = "You do not have access to that page."
CSV_UPLOAD_ID = "user_csv"
EXPORT_COLUMNS = {"full_name": "Name", "email": "Email", "role_label": "Role", "status": "Status", "created": "Added"}


def admin_user(state: AuthState, permission: str) -> CurrentUser | None:
    """The signed-in user if they may do `permission` now; an admin who still has to enrol a
    second factor gets nothing until they have (the guard sends them to enrol)."""
    user = state._user_with(permission)
    return None if user is None or user.must_enrol_totp else user


def refused(state: AuthState, message: str = NO_PERMISSION) -> Any:
    """What a handler returns when `admin_user` said no: a toast for a signed-in user, nothing
    for somebody the guard is sending to sign in or to enrol a second factor."""
    if state.user_role and not state.must_enrol_totp:
        return rx.toast.error(message, id="no-access")
    return None


class UserAdminState(SearchedList, EditorDialog, ConfirmDialog, AuthState):
    # The list (its page and search: SearchedList).
    rows: list[dict[str, Any]] = []
    role_filter: str = "all"
    status_filter: str = "all"
    sort: str = "name"

    # The add/edit dialog ("" editing_id: a new user).
    editing_id: str = ""
    form_email: str = ""
    form_full_name: str = ""
    form_role: str = "teacher"
    email_error: str = ""
    full_name_error: str = ""
    role_error: str = ""
    password_error: str = ""
    form_error: str = ""

    # Deactivate / reactivate confirmation (ConfirmDialog: open, name).
    confirm_id: str = ""
    confirm_activate: bool = False

    # A one-time reset link, shown to the admin once.
    reset_open: bool = False
    reset_name: str = ""
    reset_link: str = ""

    # CSV import: the preview of the uploaded file; the file itself stays on the backend.
    csv_name: str = ""
    csv_rows: list[dict[str, Any]] = []
    csv_problems: list[str] = []
    csv_valid: int = 0
    csv_errors: int = 0
    importing: bool = False
    _csv_content: bytes = b""

    # --- the list ---------------------------------------------------------------------------

    def _filters(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "role": "" if self.role_filter == "all" else self.role_filter,
            "status": "" if self.status_filter == "all" else self.status_filter,
            "sort": self.sort,
        }

    def _reload(self, user: CurrentUser) -> None:
        with tenant_session(user.school_id) as session:
            self.rows = self._fetch_page(
                lambda page: users.list_users(session, page=page, per_page=self.per_page, **self._filters())
            ).rows

    def _export_table(self) -> ExportTable | None:
        """Names, emails, roles and status: `user_row` holds no credential."""
        user = admin_user(self, "users.read")
        if user is None:
            return None
        with tenant_session(user.school_id) as session:
            rows = self._every_row(
                lambda page, per_page: users.list_users(session, page=page, per_page=per_page, **self._filters())
            )
        return "users", EXPORT_COLUMNS, rows

    @rx.event
    def load_users(self) -> Any:
        user = admin_user(self, "users.read")
        if user is None:
            self.rows, self.total = [], 0
            return refused(self, NO_ACCESS)
        self._reload(user)
        return None

    def _load_page(self) -> Any:
        return UserAdminState.load_users

    @rx.event
    def set_role_filter(self, value: str) -> Any:
        return self._refilter(role_filter=value)

    @rx.event
    def set_status_filter(self, value: str) -> Any:
        return self._refilter(status_filter=value)

    @rx.event
    def set_sort(self, value: str) -> Any:
        return self._refilter(sort=value)

    @rx.var
    def is_filtered(self) -> bool:
        return bool(self.search) or self.role_filter != "all" or self.status_filter != "all"

    # --- add / edit -------------------------------------------------------------------------

    def _clear_form_errors(self) -> None:
        self.email_error = self.full_name_error = self.role_error = self.password_error = self.form_error = ""

    @rx.event
    def open_new_user(self) -> None:
        self._clear_form_errors()
        self.editing_id = self.form_email = self.form_full_name = ""
        self.form_role = "teacher"
        self.editor_open = True

    @rx.event
    def open_edit(self, user_id: str) -> None:
        row = next((row for row in self.rows if row["id"] == user_id), None)
        if row is None:
            return
        self._clear_form_errors()
        self.editing_id = user_id
        self.form_email, self.form_full_name, self.form_role = row["email"], row["full_name"], row["role"]
        self.editor_open = True

    @rx.event
    def save_user(self, form: dict[str, str]) -> Any:
        self._clear_form_errors()
        user = admin_user(self, "users.update" if self.editing_id else "users.create")
        if user is None:
            return refused(self)
        values = {"email": form.get("email", ""), "full_name": form.get("full_name", ""), "role": form.get("role", "")}
        self.form_email, self.form_full_name, self.form_role = values["email"], values["full_name"], values["role"]
        try:
            if self.editing_id:
                saved = users.update_user(actor=user, user_id=self.editing_id, ip=self._client_ip(), **values)
            else:
                saved = users.add_user(
                    actor=user, password=form.get("password") or None, ip=self._client_ip(), **values
                )
        except ValidationFailed as refusal:
            self._show_errors(refusal.errors)
            return None
        except NotFound as missing:
            self.form_error = missing.message
            return None
        self.editor_open = False
        self._reload(user)
        verb = "Saved changes to" if self.editing_id else "Added"
        return rx.toast.success(f"{verb} {saved.full_name}.")

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.email_error = errors.get("email", "")
        self.full_name_error = errors.get("full_name", "")
        self.role_error = errors.get("role", "")
        self.password_error = errors.get("password", "")
        self.form_error = errors.get("form", "") or "Please correct the fields marked below."

    # --- deactivate / reactivate ------------------------------------------------------------

    @rx.event
    def ask_active_change(self, user_id: str, name: str, activate: bool) -> None:
        self.confirm_id, self.confirm_activate = user_id, activate
        self._ask(name)

    @rx.event
    def confirm_active_change(self) -> Any:
        self.confirm_open = False
        user = admin_user(self, "users.update")
        if user is None:
            return refused(self)
        try:
            changed = users.set_user_active(
                actor=user, user_id=self.confirm_id, active=self.confirm_activate, ip=self._client_ip()
            )
        except ValidationFailed as refusal:
            return rx.toast.error(" ".join(refusal.errors.values()))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self._reload(user)
        verb = "reactivated" if changed.is_active else "deactivated and signed out everywhere"
        return rx.toast.success(f"{changed.full_name} is {verb}.")

    # --- password reset link ----------------------------------------------------------------

    @rx.event
    def issue_reset_link(self, user_id: str, name: str) -> Any:
        user = admin_user(self, "users.update")
        if user is None:
            return refused(self)
        try:
            self.reset_link = auth.issue_password_reset(
                admin=user, user_id=UUID(user_id), ip=self._client_ip()
            )
        except (AuthError, ValueError):
            return rx.toast.error(users.NOT_FOUND)
        self.reset_name = name
        self.reset_open = True
        return None

    @rx.event
    async def reset_two_step(self, user_id: str) -> Any:
        """Turn off a user's two-step sign-in (they lost their phone) and end their sign-ins."""
        user = await self._actor("users.update")
        if user is None:
            return self._refused()
        try:
            name = await offload(auth.reset_two_step, actor=user, user_id=user_id, ip=self._client_ip())
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return rx.toast.success(f"Two-step sign-in is off for {name}; they are signed out everywhere and can set it up again.")

    @rx.event
    def set_reset_open(self, is_open: bool) -> None:
        self.reset_open = is_open
        if not is_open:
            self.reset_link = ""  # shown once: it is a password in all but name

    # --- CSV import -------------------------------------------------------------------------

    def _clear_csv(self) -> None:
        self.csv_name, self.csv_rows, self.csv_problems = "", [], []
        self.csv_valid = self.csv_errors = 0
        self._csv_content = b""

    @rx.event
    def clear_csv(self) -> Any:
        self._clear_csv()
        return rx.clear_selected_files(CSV_UPLOAD_ID)

    @rx.event
    def csv_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(f"Choose one .csv file of at most {users.CSV_MAX_BYTES // (1024 * 1024)} MB.")

    @rx.event
    async def preview_csv(self, files: list[rx.UploadFile]) -> Any:
        """Read the upload into memory (capped), check it, and show what an import would do."""
        self._clear_csv()
        user = admin_user(self, "users.create")
        if user is None:
            return refused(self)
        if len(files) != 1:
            return rx.toast.error("Choose one CSV file first.")
        content = await files[0].read(users.CSV_MAX_BYTES + 1)
        preview = users.preview_user_csv(actor=user, content=content)
        self.csv_name = files[0].name or "upload.csv"
        self.csv_rows, self.csv_problems = preview.rows, preview.problems
        self.csv_valid, self.csv_errors = preview.valid_count, preview.error_count
        self._csv_content = content if preview.ok else b""
        return rx.clear_selected_files(CSV_UPLOAD_ID)

    @rx.event(background=True)
    async def import_csv(self) -> Any:
        """Hashing initial passwords takes a moment per row, so this runs in the background."""
        async with self:
            user = admin_user(self, "users.create")
            content, ip = self._csv_content, self._client_ip()
            if user is None or not content:
                return refused(self)
            self.importing = True
        try:
            count = await asyncio.to_thread(users.import_user_csv, actor=user, content=content, ip=ip)
        except ValidationFailed as refusal:
            async with self:
                self.importing = False
            return rx.toast.error(" ".join(refusal.errors.values()))
        async with self:
            self.importing = False
            self._clear_csv()
            self.page = 1
            self._reload(user)
        return rx.toast.success(f"Imported {count} users.")
