"""StudentListState and StudentProfileState: the school's students (searched, filtered, paged,
exported), one student's record, and the admission/edit form the two share. Every handler asks
`_actor` first and calls one service off the loop; the services decide which students each
user may see."""

import mimetypes
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import fields
from datetime import date
from typing import Any, ClassVar
from uuid import UUID

import reflex as rx

from oneclass import routes
from oneclass.i18n import N_, _, format_date, format_message
from oneclass.offload import offload
from oneclass.permissions import role_can
from oneclass.services import academics, auth, students
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.students import (
    EmergencyContactInput,
    GuardianInput,
    StudentInput,
)
from state.auth import NO_ACCESS, AuthState
from state.dialogs import EditorDialog
from state.listing import ExportTable, SearchedList

PHOTO_UPLOAD_ID = "student_photo"
ALL = "all"  # a filter's "any" choice (a select item cannot have an empty value)
NO_CLASS = "none"
MANAGE = "students.update"  # admins: add, edit, export; teachers only read their classes

STUDENT_FIELDS = tuple(f.name for f in fields(StudentInput))
GUARDIAN_FIELDS = tuple(f.name for f in fields(GuardianInput))
CONTACT_FIELDS = tuple(f.name for f in fields(EmergencyContactInput))
# The form's input names are the keys of the services' error messages.
FORM_FIELDS = (
    *STUDENT_FIELDS,
    *(f"guardian0_{name}" for name in GUARDIAN_FIELDS),
    *(f"contact0_{name}" for name in CONTACT_FIELDS),
    "class",
)
# Headings marked N_; the export translates them (PagedList._download).
EXPORT_COLUMNS = {
    "admission_number": N_("Admission no."),
    "name": N_("Name"),
    "class": N_("Class"),
    "gender": N_("Gender"),
    "date_of_birth": N_("Date of birth"),
    "status": N_("Status"),
}
# The choices a student's status may take, as the status filter and the status dialog show them.
STATUS_LABELS = {
    "enrolled": N_("Enrolled"),
    "transferred": N_("Transferred"),
    "graduated": N_("Graduated"),
    "left": N_("Left"),
}


def shown_date(iso: str) -> str:
    """An ISO date from a service (cached for every reader) as the reader's language writes it."""
    return format_date(date.fromisoformat(iso)) if iso else ""


# --- from the form to the services' inputs ---------------------------------------------------


def student_input(form: Mapping[str, str]) -> StudentInput:
    return StudentInput(**{name: form.get(name, "") for name in STUDENT_FIELDS})


def guardian_input(form: Mapping[str, str]) -> GuardianInput:
    return GuardianInput(**{name: form.get(f"guardian0_{name}", "") for name in GUARDIAN_FIELDS})


def contact_inputs(form: Mapping[str, str]) -> list[EmergencyContactInput]:
    """The emergency contact is optional: left wholly empty, there is none."""
    values = {name: form.get(f"contact0_{name}", "") for name in CONTACT_FIELDS}
    return [EmergencyContactInput(**values)] if any(value.strip() for value in values.values()) else []


def chosen_class(value: str) -> UUID | None:
    """A class picked in a select: None for "all"/"none"; text that is no id matches no class."""
    if value in ("", ALL, NO_CLASS):
        return None
    try:
        return UUID(value)
    except ValueError:
        return UUID(int=0)


def data_uri(content: bytes, content_type: str) -> str:
    return f"data:{content_type};base64,{b64encode(content).decode('ascii')}"


class StudentForm(EditorDialog, mixin=True):
    """The admission/edit form's values and its per-field errors (every key always present)."""

    form_values: dict[str, str] = {}
    form_errors: dict[str, str] = {}
    form_error: str = ""

    def _fill_form(self, values: Mapping[str, str]) -> None:
        self.form_values = {name: str(values.get(name, "")) for name in FORM_FIELDS}
        self.form_errors = dict.fromkeys(FORM_FIELDS, "")
        self.form_error = ""

    def _show_errors(self, errors: Mapping[str, str]) -> None:
        self.form_errors = {name: errors.get(name, "") for name in FORM_FIELDS}
        others = [message for name, message in errors.items() if name not in FORM_FIELDS]
        self.form_error = " ".join(others) or _("Please correct the fields marked below.")


# --- the list ----------------------------------------------------------------------------------


class StudentListState(SearchedList, StudentForm, AuthState):
    read_permission: ClassVar[str] = "students.read"
    per_page: ClassVar[int] = 50
    rows: list[dict[str, str]] = []
    class_filter: str = ALL
    status_filter: str = ALL
    sort: str = "name"
    class_names: dict[str, str] = {}  # id: name, this year's classes the user may see

    # One-time set-password links for the new parent logins of the last admission.
    links_open: bool = False
    links_for: str = ""
    parent_links: list[str] = []

    @rx.var
    def can_manage(self) -> bool:
        return role_can(self.user_role, MANAGE)

    @rx.var
    def is_filtered(self) -> bool:
        return bool(self.search) or self.class_filter != ALL or self.status_filter != ALL

    @rx.var
    def class_filter_choices(self) -> dict[str, str]:
        return {ALL: N_("All classes"), **self.class_names}

    @rx.var
    def class_choices(self) -> dict[str, str]:
        return {NO_CLASS: N_("No class yet"), **self.class_names}

    def _filters(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "class_id": chosen_class(self.class_filter),
            "status": "" if self.status_filter == ALL else self.status_filter,
            "sort": self.sort,
        }

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step (every list state has one): the current page of rows
        for the filters on screen, in the same event that changed them."""
        found = await self._fetch_page(
            lambda page: offload(students.list_students, actor=user, page=page, per_page=self.per_page, **self._filters())
        )
        self.rows = [{**row, "born": shown_date(row["date_of_birth"]), "href": routes.student_url(row["id"])} for row in found.rows]

    @rx.event
    async def load(self) -> Any:
        """on_load: the class filter's choices, then the first rows."""
        user = await self._actor("students.read")
        if user is None:
            self.rows, self.total, self.class_names = [], 0, {}
            return self._refused(NO_ACCESS)
        classes = await offload(academics.visible_classes, actor=user)
        self.class_names = {str(c["id"]): str(c["name"]) for c in classes}
        await self._fetch(user)
        return None

    @rx.event
    async def set_class_filter(self, value: str) -> Any:
        return await self._refilter(class_filter=value)

    @rx.event
    async def set_status_filter(self, value: str) -> Any:
        return await self._refilter(status_filter=value)

    @rx.event
    async def set_sort(self, value: str) -> Any:
        return await self._refilter(sort=value)

    # --- admission ------------------------------------------------------------------------

    @rx.event
    async def open_new_student(self) -> Any:
        if await self._actor("students.create") is None:
            return self._refused()
        self._fill_form({"guardian0_contact_preference": "sms", "class": NO_CLASS})
        self.editor_open = True
        return None

    @rx.event
    async def add_student(self, form: dict[str, str]) -> Any:
        user = await self._actor("students.create")
        if user is None:
            return self._refused()
        self._fill_form(form)
        try:
            result = await offload(
                students.add_student,
                actor=user,
                data=student_input(form),
                guardians=[guardian_input(form)],
                contacts=contact_inputs(form),
                class_id=chosen_class(form.get("class", "")),
                ip=self._client_ip(),
            )
        except ValidationFailed as refusal:
            self._show_errors(refusal.errors)
            return None
        self.editor_open = False
        self.parent_links = [
            await offload(auth.issue_password_reset, admin=user, user_id=user_id, ip=self._client_ip())
            for user_id in result.new_parent_logins
        ]
        self.links_for = form.get("guardian0_full_name", "").strip()
        self.links_open = bool(self.parent_links)
        await self._fetch(user)
        return rx.toast.success(format_message("Added {name}.", name=result.full_name))

    @rx.event
    def set_links_open(self, is_open: bool) -> None:
        self.links_open = is_open
        if not is_open:
            self.parent_links = []  # shown once: each is a password in all but name

    # --- export ---------------------------------------------------------------------------

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(MANAGE)
        if user is None:
            return None
        return "students", EXPORT_COLUMNS, await self._every_row_of(students.list_students, actor=user, **self._filters())


# --- one student -------------------------------------------------------------------------------


class StudentProfileState(StudentForm, AuthState):
    student: dict[str, str] = {}  # empty until loaded
    guardians: list[dict[str, str]] = []
    history: list[dict[str, str]] = []
    contacts: list[dict[str, str]] = []
    can_see_medical: bool = False
    photo_src: str = ""  # a data: URI, or "" for the initials
    not_found: bool = False
    status_open: bool = False

    @rx.var
    def can_edit(self) -> bool:
        return role_can(self.user_role, "students.update")

    @rx.var
    def initials(self) -> str:
        return (self.student.get("first_name", "")[:1] + self.student.get("last_name", "")[:1]).upper()

    def _clear(self) -> None:
        self.student, self.guardians, self.history, self.contacts = {}, [], [], []
        self.can_see_medical, self.photo_src, self.not_found = False, "", False

    async def _show(self, user: CurrentUser, student_id: UUID) -> None:
        """Load what `user` may see of the student; NotFound (not theirs) propagates."""
        profile, photo = await offload(students.student_with_photo, actor=user, student_id=student_id)
        profile = dict(profile)
        self.guardians = profile.pop("guardians")
        self.history = [{**change, "when": shown_date(change["when"])} for change in profile.pop("history")]
        self.contacts = profile.pop("emergency_contacts")
        self.can_see_medical = profile.pop("can_see_medical")
        profile.pop("has_photo")
        self.student = {**profile, "born": shown_date(profile["date_of_birth"])}
        self.photo_src = data_uri(*photo) if photo else ""

    def _loaded_id(self) -> UUID:
        """The student on screen (no student: an id that matches none, so the service says so)."""
        return UUID(self.student["id"]) if self.student else UUID(int=0)

    @rx.event
    async def load(self) -> Any:
        self._clear()
        self.editor_open = self.status_open = False
        user = await self._actor("students.read")
        if user is None:
            return self._refused(NO_ACCESS)
        try:
            await self._show(user, UUID(self.router.url.path.rstrip("/").rsplit("/", 1)[-1]))
        except (ValueError, NotFound):
            self._clear()
            self.not_found = True
        return None

    # --- edit details ---------------------------------------------------------------------

    @rx.event
    async def open_edit(self) -> Any:
        if await self._actor("students.update") is None:
            return self._refused()
        self._fill_form(self.student)
        self.editor_open = True
        return None

    @rx.event
    async def save_details(self, form: dict[str, str]) -> Any:
        user = await self._actor("students.update")
        if user is None:
            return self._refused()
        self._fill_form(form)
        try:
            saved = await offload(
                students.update_student, actor=user, student_id=self._loaded_id(), data=student_input(form), ip=self._client_ip()
            )
            await self._show(user, self._loaded_id())
        except ValidationFailed as refusal:
            self._show_errors(refusal.errors)
            return None
        except NotFound as missing:
            self.form_error = missing.message
            return None
        self.editor_open = False
        return rx.toast.success(format_message("Saved changes to {name}.", name=saved))

    # --- status -------------------------------------------------------------------------

    @rx.event
    def set_status_open(self, is_open: bool) -> None:
        self.status_open = is_open

    @rx.event
    async def change_status(self, form: dict[str, str]) -> Any:
        user = await self._actor("students.update")
        if user is None:
            return self._refused()
        try:
            name = await offload(
                students.change_status,
                actor=user, student_id=self._loaded_id(), status=form.get("status", ""), reason=form.get("reason", ""), ip=self._client_ip(),
            )
            await self._show(user, self._loaded_id())
        except ValidationFailed as refusal:
            return rx.toast.error(" ".join(refusal.errors.values()))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.status_open = False
        return rx.toast.success(
            format_message("{name} is now {status}.", name=name, status=_(STATUS_LABELS.get(form["status"], form["status"])).lower())
        )

    # --- photo --------------------------------------------------------------------------

    @rx.event
    def photo_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(
            format_message("Choose one PNG, JPEG or WebP image of at most {size} MB.", size=students.MAX_PHOTO_BYTES // (1024 * 1024))
        )

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]) -> Any:
        """Read the upload into memory, capped one byte past the limit so the service sees it."""
        user = await self._actor("students.update")
        if user is None:
            return self._refused()
        if len(files) != 1:
            return rx.toast.error(_("Choose one photo first."))
        content = await files[0].read(students.MAX_PHOTO_BYTES + 1)
        content_type = files[0].content_type or mimetypes.guess_type(files[0].name or "")[0] or ""
        try:
            await offload(students.set_photo, actor=user, student_id=self._loaded_id(), content=content, content_type=content_type)
        except ValidationFailed as refusal:
            return [rx.clear_selected_files(PHOTO_UPLOAD_ID), rx.toast.error(" ".join(refusal.errors.values()))]
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.photo_src = data_uri(content, content_type)
        return [rx.clear_selected_files(PHOTO_UPLOAD_ID), rx.toast.success(_("Photo saved."))]
