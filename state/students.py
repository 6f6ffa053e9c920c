"""StudentListState and StudentProfileState: the school's students (searched, filtered, paged,
exported), one student's record, and the admission/edit form the two share. Every handler
re-checks the user before it touches data; the services decide which students they may see."""

import mimetypes
from base64 import b64encode
from collections.abc import Mapping
from dataclasses import fields
from typing import Any, ClassVar
from uuid import UUID

import reflex as rx

from models import StudentStatus
from oneclass import routes
from oneclass.db import tenant_session
from oneclass.permissions import can, role_can
from oneclass.services import academics, auth, students
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.students import (
    EmergencyContactInput,
    GuardianInput,
    StudentInput,
)
from state.admin_users import NO_ACCESS, admin_user, refused
from state.auth import AuthState
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
EXPORT_COLUMNS = {
    "admission_number": "Admission no.",
    "name": "Name",
    "class": "Class",
    "gender": "Gender",
    "date_of_birth": "Date of birth",
    "status": "Status",
}


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
        self.form_error = " ".join(others) or "Please correct the fields marked below."


# --- the list ----------------------------------------------------------------------------------


class StudentListState(SearchedList, StudentForm, AuthState):
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
        return {ALL: "All classes", **self.class_names}

    @rx.var
    def class_choices(self) -> dict[str, str]:
        return {NO_CLASS: "No class yet", **self.class_names}

    def _filters(self) -> dict[str, Any]:
        return {
            "search": self.search,
            "class_id": chosen_class(self.class_filter),
            "status": "" if self.status_filter == ALL else self.status_filter,
            "sort": self.sort,
        }

    def _reload(self, user: CurrentUser) -> None:
        with tenant_session(user.school_id) as session:
            found = self._fetch_page(
                lambda page: students.list_students(session, actor=user, page=page, per_page=self.per_page, **self._filters())
            )
        self.rows = [{**row, "href": routes.student_url(row["id"])} for row in found.rows]

    @rx.event
    def load(self) -> Any:
        user = admin_user(self, "students.read")
        if user is None:
            self.rows, self.total, self.class_names = [], 0, {}
            return refused(self, NO_ACCESS)
        with tenant_session(user.school_id) as session:
            year = academics.current_year(session)
            mine = None if can(user, MANAGE) else students.class_ids_taught_by(session, user.id)
            classes = academics.list_classes(session, year_id=year.id if year else None, only_ids=mine)
        self.class_names = {str(c["id"]): str(c["name"]) for c in classes}
        self._reload(user)
        return None

    def _load_page(self) -> Any:
        return StudentListState.load

    @rx.event
    def set_class_filter(self, value: str) -> Any:
        return self._refilter(class_filter=value)

    @rx.event
    def set_status_filter(self, value: str) -> Any:
        return self._refilter(status_filter=value)

    @rx.event
    def set_sort(self, value: str) -> Any:
        return self._refilter(sort=value)

    # --- admission ------------------------------------------------------------------------

    @rx.event
    def open_new_student(self) -> Any:
        if admin_user(self, "students.create") is None:
            return refused(self)
        self._fill_form({"guardian0_contact_preference": "sms", "class": NO_CLASS})
        self.editor_open = True
        return None

    @rx.event
    def add_student(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "students.create")
        if user is None:
            return refused(self)
        self._fill_form(form)
        try:
            with tenant_session(user.school_id) as session:
                result = students.add_student(
                    session,
                    actor=user,
                    data=student_input(form),
                    guardians=[guardian_input(form)],
                    contacts=contact_inputs(form),
                    class_id=chosen_class(form.get("class", "")),
                    ip=self._client_ip(),
                )
                session.commit()
        except ValidationFailed as refusal:
            self._show_errors(refusal.errors)
            return None
        self.editor_open = False
        self.parent_links = [
            auth.issue_password_reset(admin=user, user_id=user_id, ip=self._client_ip())
            for user_id in result.new_parent_logins
        ]
        self.links_for = form.get("guardian0_full_name", "").strip()
        self.links_open = bool(self.parent_links)
        self._reload(user)
        return rx.toast.success(f"Added {result.student.full_name}.")

    @rx.event
    def set_links_open(self, is_open: bool) -> None:
        self.links_open = is_open
        if not is_open:
            self.parent_links = []  # shown once: each is a password in all but name

    # --- export ---------------------------------------------------------------------------

    def _export_table(self) -> ExportTable | None:
        user = admin_user(self, MANAGE)
        if user is None:
            return None
        with tenant_session(user.school_id) as session:
            rows = self._every_row(
                lambda page, per_page: students.list_students(
                    session, actor=user, page=page, per_page=per_page, **self._filters()
                )
            )
        return "students", EXPORT_COLUMNS, rows


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

    def _show(self, user: CurrentUser, student_id: UUID) -> None:
        """Load what `user` may see of the student; NotFound (not theirs) propagates."""
        with tenant_session(user.school_id) as session:
            profile = students.student_profile(session, actor=user, student_id=student_id)
            photo = students.student_photo(session, actor=user, student_id=student_id)
        self.guardians = profile.pop("guardians")
        self.history = profile.pop("history")
        self.contacts = profile.pop("emergency_contacts")
        self.can_see_medical = profile.pop("can_see_medical")
        profile.pop("has_photo")
        self.student = profile
        self.photo_src = data_uri(*photo) if photo else ""

    def _loaded_id(self) -> UUID:
        """The student on screen (no student: an id that matches none, so the service says so)."""
        return UUID(self.student["id"]) if self.student else UUID(int=0)

    @rx.event
    def load(self) -> Any:
        self._clear()
        self.editor_open = self.status_open = False
        user = admin_user(self, "students.read")
        if user is None:
            return refused(self, NO_ACCESS)
        try:
            self._show(user, UUID(self.router.url.path.rstrip("/").rsplit("/", 1)[-1]))
        except (ValueError, NotFound):
            self._clear()
            self.not_found = True
        return None

    # --- edit details ---------------------------------------------------------------------

    @rx.event
    def open_edit(self) -> Any:
        if admin_user(self, "students.update") is None:
            return refused(self)
        self._fill_form(self.student)
        self.editor_open = True
        return None

    @rx.event
    def save_details(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "students.update")
        if user is None:
            return refused(self)
        self._fill_form(form)
        try:
            with tenant_session(user.school_id) as session:
                saved = students.update_student(
                    session, actor=user, student_id=self._loaded_id(), data=student_input(form), ip=self._client_ip()
                )
                session.commit()
            self._show(user, saved.id)
        except ValidationFailed as refusal:
            self._show_errors(refusal.errors)
            return None
        except NotFound as missing:
            self.form_error = missing.message
            return None
        self.editor_open = False
        return rx.toast.success(f"Saved changes to {saved.full_name}.")

    # --- status -------------------------------------------------------------------------

    @rx.event
    def set_status_open(self, is_open: bool) -> None:
        self.status_open = is_open

    @rx.event
    def change_status(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "students.update")
        if user is None:
            return refused(self)
        if form.get("status", "") not in StudentStatus.__members__:
            return rx.toast.error("Choose enrolled, transferred, graduated or left.")
        try:
            with tenant_session(user.school_id) as session:
                changed = students.change_status(
                    session, actor=user, student_id=self._loaded_id(), status=StudentStatus(form["status"]),
                    reason=form.get("reason", ""), ip=self._client_ip(),
                )
                session.commit()
            self._show(user, changed.id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.status_open = False
        return rx.toast.success(f"{changed.full_name} is now {changed.status}.")

    # --- photo --------------------------------------------------------------------------

    @rx.event
    def photo_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(f"Choose one PNG, JPEG or WebP image of at most {students.MAX_PHOTO_BYTES // (1024 * 1024)} MB.")

    @rx.event
    async def upload_photo(self, files: list[rx.UploadFile]) -> Any:
        """Read the upload into memory, capped one byte past the limit so the service sees it."""
        user = admin_user(self, "students.update")
        if user is None:
            return refused(self)
        if len(files) != 1:
            return rx.toast.error("Choose one photo first.")
        content = await files[0].read(students.MAX_PHOTO_BYTES + 1)
        content_type = files[0].content_type or mimetypes.guess_type(files[0].name or "")[0] or ""
        try:
            with tenant_session(user.school_id) as session:
                students.set_photo(session, actor=user, student_id=self._loaded_id(), content=content, content_type=content_type)
                session.commit()
        except ValidationFailed as refusal:
            return [rx.clear_selected_files(PHOTO_UPLOAD_ID), rx.toast.error(" ".join(refusal.errors.values()))]
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.photo_src = data_uri(content, content_type)
        return [rx.clear_selected_files(PHOTO_UPLOAD_ID), rx.toast.success("Photo saved.")]
