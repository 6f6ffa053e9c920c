"""UserAdminState: a school admin's list of users, the add/edit dialog, deactivation and reset
links. Every handler asks `_actor` first and calls one service off the loop; many users at once
come through the Import page (its "users" kind)."""

from typing import Any, ClassVar
from uuid import UUID

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import auth, users
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import AuthState
from state.dialogs import ConfirmDialog, EditorDialog
from state.listing import ExportTable, SearchedList

EXPORT_COLUMNS = {"full_name": N_("Name"), "email": N_("Email"), "role_label": N_("Role"), "status": N_("Status"), "created": N_("Added")}
FIX_FIELDS = N_("Please correct the fields marked below.")


# --- the Users page ----------------------------------------------------------------------------


class UserAdminState(SearchedList, EditorDialog, ConfirmDialog, AuthState):
    read_permission: ClassVar[str] = "users.read"
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

    # --- the list ---------------------------------------------------------------------------

    def _filters(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "role": "" if self.role_filter == "all" else self.role_filter,
            "status": "" if self.status_filter == "all" else self.status_filter,
            "sort": self.sort,
        }

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the current page of rows for the filters on screen."""
        found = await self._fetch_page(
            lambda page: offload(users.list_users, actor=user, page=page, per_page=self.per_page, **self._filters())
        )
        self.rows = found.rows

    async def _export_table(self) -> ExportTable | None:
        """Names, emails, roles and status: `user_row` holds no credential. The headings, roles
        and statuses in the reader's language (the rows keep them in English: they are cached)."""
        user = await self._actor("users.read")
        if user is None:
            return None
        rows = await self._every_row_of(users.list_users, actor=user, **self._filters())
        columns = {key: _(heading) for key, heading in EXPORT_COLUMNS.items()}
        return "users", columns, [{**row, "role_label": _(row["role_label"]), "status": _(row["status"])} for row in rows]

    @rx.event
    async def load_users(self) -> Any:
        """on_load: the first page."""
        return await self._load_page()

    @rx.event
    async def set_role_filter(self, value: str) -> Any:
        return await self._refilter(role_filter=value)

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        return await self._refilter(status_filter=value)

    @rx.event
    async def set_sort(self, value: str) -> Any:
        return await self._refilter(sort=value)

    @rx.var
    def is_filtered(self) -> bool:
        return bool(self.search) or self.role_filter != "all" or self.status_filter != "all"

    # --- add / edit -------------------------------------------------------------------------

    def _clear_form_errors(self) -> None:
        self.email_error = self.full_name_error = self.role_error = self.password_error = self.form_error = ""

    @rx.event
    async def open_new_user(self) -> Any:
        if await self._actor("users.create") is None:
            return self._refused()
        self._clear_form_errors()
        self.editing_id = self.form_email = self.form_full_name = ""
        self.form_role = "teacher"
        self.editor_open = True
        return None

    @rx.event
    async def open_edit(self, user_id: str) -> Any:
        if await self._actor("users.update") is None:
            return self._refused()
        row = next((row for row in self.rows if row["id"] == user_id), None)
        if row is None:
            return None
        self._clear_form_errors()
        self.editing_id = user_id
        self.form_email, self.form_full_name, self.form_role = row["email"], row["full_name"], row["role"]
        self.editor_open = True
        return None

    @rx.event
    async def save_user(self, form: dict[str, str]) -> Any:
        self._clear_form_errors()
        user = await self._actor("users.update" if self.editing_id else "users.create")
        if user is None:
            return self._refused()
        values = {"email": form.get("email", ""), "full_name": form.get("full_name", ""), "role": form.get("role", "")}
        self.form_email, self.form_full_name, self.form_role = values["email"], values["full_name"], values["role"]
        try:
            if self.editing_id:
                saved = await offload(users.update_user, actor=user, user_id=self.editing_id, ip=self._client_ip(), **values)
            else:
                saved = await offload(users.add_user, actor=user, password=form.get("password") or None, ip=self._client_ip(), **values)
        except ValidationFailed as refusal:
            self._show_errors(refusal.errors)
            return None
        except NotFound as missing:
            self.form_error = missing.message
            return None
        self.editor_open = False
        await self._fetch(user)
        if self.editing_id:
            return rx.toast.success(format_message("Saved changes to {name}.", name=saved.full_name))
        return rx.toast.success(format_message("Added {name}.", name=saved.full_name))

    def _show_errors(self, errors: dict[str, str]) -> None:
        self.email_error = errors.get("email", "")
        self.full_name_error = errors.get("full_name", "")
        self.role_error = errors.get("role", "")
        self.password_error = errors.get("password", "")
        self.form_error = errors.get("form", "") or _(FIX_FIELDS)

    # --- deactivate / reactivate ------------------------------------------------------------

    @rx.event
    def ask_active_change(self, user_id: str, name: str, activate: bool) -> None:
        """Only opens the confirmation: `confirm_active_change` checks the admin and acts."""
        self.confirm_id, self.confirm_activate = user_id, activate
        self._ask(name)

    @rx.event
    async def confirm_active_change(self) -> Any:
        self.confirm_open = False
        user = await self._actor("users.update")
        if user is None:
            return self._refused()
        try:
            changed = await offload(
                users.set_user_active, actor=user, user_id=self.confirm_id, active=self.confirm_activate, ip=self._client_ip()
            )
        except ValidationFailed as refusal:
            return rx.toast.error(" ".join(refusal.errors.values()))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        if changed.is_active:
            return rx.toast.success(format_message("{name} is reactivated.", name=changed.full_name))
        return rx.toast.success(format_message("{name} is deactivated and signed out everywhere.", name=changed.full_name))

    # --- password reset link ----------------------------------------------------------------

    @rx.event
    async def issue_reset_link(self, user_id: str, name: str) -> Any:
        user = await self._actor("users.update")
        if user is None:
            return self._refused()
        try:
            self.reset_link = await offload(auth.issue_password_reset, admin=user, user_id=UUID(user_id), ip=self._client_ip())
        except (AuthError, ValueError):
            return rx.toast.error(_(users.NOT_FOUND))
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
        return rx.toast.success(
            format_message("Two-step sign-in is off for {name}; they are signed out everywhere and can set it up again.", name=name)
        )

    @rx.event
    def set_reset_open(self, is_open: bool) -> None:
        self.reset_open = is_open
        if not is_open:
            self.reset_link = ""  # shown once: it is a password in all but name
