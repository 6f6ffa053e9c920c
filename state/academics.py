"""States of the school admin's records pages: years and terms, subjects, classes (teaching
assignments, promotion at year end), staff and guardians. Every handler re-checks the admin
before it touches data; the services do the work."""

from datetime import date
from typing import Any
from uuid import UUID

import reflex as rx

from models import GRADE_LEVEL_NAMES
from oneclass import routes
from oneclass.db import tenant_session
from oneclass.services import academics, guardians, staff
from oneclass.services.academics import PromotionPlan, TermDates
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.paging import Page
from state.admin_users import NO_ACCESS, NO_PERMISSION, admin_user, refused
from state.auth import AuthState
from state.dialogs import ConfirmDialog, FormDialog
from state.listing import ExportTable, SearchedList

TERMS = (1, 2, 3)
FIX_FIELDS = "Please correct the fields marked below."
NONE = "none"  # a select cannot offer an empty value: "no class teacher", "no department"
SUBJECT_LEVELS = {"primary": "Primary", "o_level": "O-level", "a_level": "A-level"}
SUBJECT_COLUMNS = {"code": "Code", "name": "Subject", "level": "Level"}
STAFF_COLUMNS = {
    "full_name": "Name",
    "email": "Email",
    "role_label": "Role",
    "department": "Department",
    "job_title": "Job title",
    "employee_number": "Employee no.",
    "phone": "Phone",
    "subjects": "Subjects",
    "status": "Status",
}
GUARDIAN_COLUMNS = {
    "full_name": "Name",
    "phone": "Phone",
    "email": "Email",
    "preference": "Contact by",
    "login": "Parent login",
    "children": "Children",
}


def _id(value: str) -> UUID:
    """An id sent by the browser; a malformed one becomes an id that matches nothing."""
    try:
        return UUID(value)
    except ValueError:
        return UUID(int=0)


def _optional_id(value: str) -> UUID | None:
    """A select's id, where "" or NONE means none chosen."""
    return None if value in ("", NONE) else _id(value)


def _with_form_error(errors: dict[str, str]) -> dict[str, str]:
    """A refusal's field errors, and the line above the form that points at them."""
    return {"form": FIX_FIELDS, **errors}


def _form_date(form: dict[str, str], name: str, errors: dict[str, str], error_key: str) -> date:
    """A date input's YYYY-MM-DD; a missing or bad one is noted under `error_key` (and the
    form is refused, so the placeholder returned for it is never used)."""
    try:
        return date.fromisoformat(form.get(name, "").strip())
    except ValueError:
        errors.setdefault(error_key, "Choose a date.")
        return date.min


# --- years and terms ------------------------------------------------------------------------


class YearsState(FormDialog, ConfirmDialog, AuthState):
    years: list[dict[str, Any]] = []
    _confirm_id: str = ""

    def _reload(self, user: CurrentUser) -> None:
        with tenant_session(user.school_id) as session:
            self.years = academics.list_years(session)

    @rx.event
    def load_years(self) -> Any:
        user = admin_user(self, "school.update")
        if user is None:
            self.years = []
            return refused(self, NO_ACCESS)
        self._reload(user)
        return None

    @rx.event
    def open_new_year(self) -> None:
        self._open_editor()

    @rx.event
    def create_year(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "school.update")
        if user is None:
            return refused(self)
        errors: dict[str, str] = {}
        starts_on = _form_date(form, "starts_on", errors, "starts_on")
        ends_on = _form_date(form, "ends_on", errors, "ends_on")
        terms = [
            TermDates(_form_date(form, f"term{n}_starts", errors, f"term{n}"), _form_date(form, f"term{n}_ends", errors, f"term{n}"))
            for n in TERMS
        ]
        if errors:
            self.errors = _with_form_error(errors)
            return None
        try:
            with tenant_session(user.school_id) as session:
                year = academics.create_academic_year(
                    session, actor=user, name=form.get("name", ""), starts_on=starts_on, ends_on=ends_on, terms=terms
                )
                session.commit()
        except ValidationFailed as refusal:
            self.errors = _with_form_error(refusal.errors)
            return None
        self.editor_open = False
        self._reload(user)
        return rx.toast.success(f"Added the year {year.name}.")

    @rx.event
    def ask_make_current(self, year_id: str, name: str) -> None:
        self._confirm_id = year_id
        self._ask(name)

    @rx.event
    def make_current(self) -> Any:
        self.confirm_open = False
        user = admin_user(self, "school.update")
        if user is None:
            return refused(self)
        try:
            with tenant_session(user.school_id) as session:
                academics.set_current_year(session, actor=user, year_id=_id(self._confirm_id))
                session.commit()
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self._reload(user)
        return rx.toast.success(f"{self.confirm_name} is now the current year.")


# --- subjects -------------------------------------------------------------------------------


class SubjectsState(SearchedList, FormDialog, AuthState):
    rows: list[dict[str, Any]] = []

    def _subjects(self, user: CurrentUser) -> list[dict[str, Any]]:
        """Every subject the search matches (a short list: the service does not page it)."""
        with tenant_session(user.school_id) as session:
            return [
                {"id": str(s.id), "code": s.code, "name": s.name, "level": SUBJECT_LEVELS.get(s.level, s.level)}
                for s in academics.list_subjects(session, search=self.search.strip())
            ]

    def _load_page(self, refusal: str = NO_PERMISSION) -> Any:
        user = admin_user(self, "school.update")
        if user is None:
            self.rows, self.total = [], 0
            return refused(self, refusal)
        subjects = self._subjects(user)
        per_page = self.per_page  # a short list: paged here rather than in SQL
        found = self._fetch_page(lambda page: Page(subjects[(page - 1) * per_page : page * per_page], len(subjects)))
        self.rows = found.rows
        return None

    @rx.event
    def load_subjects(self) -> Any:
        return self._load_page(NO_ACCESS)

    def _export_table(self) -> ExportTable | None:
        user = admin_user(self, "school.update")
        return None if user is None else ("subjects", SUBJECT_COLUMNS, self._subjects(user))

    @rx.var
    def default_level(self) -> str:
        """A new subject's level: the school's own (O-level for secondary and combined)."""
        return "primary" if self.school_level == "primary" else "o_level"

    @rx.event
    def open_new_subject(self) -> None:
        self._open_editor()

    @rx.event
    def add_subject(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "classes.create")
        if user is None:
            return refused(self)
        try:
            with tenant_session(user.school_id) as session:
                subject = academics.create_subject(
                    session, actor=user, code=form.get("code", ""), name=form.get("name", ""), level=form.get("level", "")
                )
                session.commit()
        except ValidationFailed as refusal:
            self.errors = _with_form_error(refusal.errors)
            return None
        self.editor_open = False
        self._load_page()
        return rx.toast.success(f"Added {subject.name} ({subject.code}).")

    @rx.event
    def adopt_zimsec(self) -> Any:
        user = admin_user(self, "classes.create")
        school = self._school()
        if user is None or school is None:
            return refused(self)
        with tenant_session(user.school_id) as session:
            added = academics.adopt_zimsec_subjects(session, actor=user, school_level=school.level)
            session.commit()
        self._load_page()
        if added == 0:
            return rx.toast.info("Every ZIMSEC subject for your school's level is already on your list.")
        return rx.toast.success(f"Added {added} subjects from the ZIMSEC list.")


# --- classes --------------------------------------------------------------------------------


class ClassesState(FormDialog, AuthState):
    year_id: str = ""
    year_choices: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    grade_choices: dict[str, str] = {}
    teacher_choices: dict[str, str] = {}
    subject_choices: dict[str, str] = {}

    # The new-class dialog: FormDialog.

    # Assigning a teacher to a subject of one class.
    assign_open: bool = False
    assign_class_name: str = ""
    assign_current: list[dict[str, str]] = []
    assign_errors: dict[str, str] = {}
    _assign_class_id: str = ""

    # Promoting one class: the preview, then the confirmation.
    promote_open: bool = False
    promote_class_name: str = ""
    target_choices: dict[str, str] = {}
    plan_to: str = ""
    plan_moving: list[str] = []
    plan_graduating: list[str] = []
    plan_problem: str = ""
    _promote_class_id: str = ""
    _target_id: str = ""

    @rx.var
    def class_teacher_choices(self) -> dict[str, str]:
        return {NONE: "No class teacher", **self.teacher_choices}

    @rx.var
    def year_name(self) -> str:
        return self.year_choices.get(self.year_id, "")

    def _reload(self, user: CurrentUser) -> None:
        school = self._school()
        with tenant_session(user.school_id) as session:
            years = academics.list_years(session)
            self.year_choices = {str(y["id"]): str(y["name"]) for y in years}
            if self.year_id not in self.year_choices:
                current = next((y for y in years if y["is_current"]), years[0] if years else None)
                self.year_id = str(current["id"]) if current else ""
            year_id = _optional_id(self.year_id)
            self.rows = academics.list_classes(session, year_id=year_id) if year_id else []
            self.teacher_choices = {c["value"]: c["label"] for c in staff.teacher_choices(session)}
            self.subject_choices = {
                str(s.id): f"{s.name} ({SUBJECT_LEVELS.get(s.level, s.level)})" for s in academics.list_subjects(session)
            }
        levels = academics.grade_levels_for(school.level) if school else []
        self.grade_choices = {level.value: GRADE_LEVEL_NAMES[level] for level in levels}

    @rx.event
    def load_classes(self) -> Any:
        user = admin_user(self, "school.update")
        if user is None:
            self.rows = []
            return refused(self, NO_ACCESS)
        self._reload(user)
        return None

    @rx.event
    def set_year(self, year_id: str) -> Any:
        self.year_id = year_id
        return ClassesState.load_classes

    # --- a new class ------------------------------------------------------------------------

    @rx.event
    def open_new_class(self) -> None:
        self._open_editor()

    @rx.event
    def create_class(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "classes.create")
        school = self._school()
        if user is None or school is None:
            return refused(self)
        year_id = _optional_id(self.year_id)
        try:
            capacity = int(form.get("capacity", "").strip())
        except ValueError:
            self.errors = _with_form_error({"capacity": "Enter the number of students the class can take."})
            return None
        try:
            with tenant_session(user.school_id) as session:
                if year_id is None:
                    raise ValidationFailed({"form": "Add a year on the Years and terms page first."})
                created = academics.create_class(
                    session,
                    actor=user,
                    school_level=school.level,
                    year_id=year_id,
                    grade_level=form.get("grade_level", ""),
                    name=form.get("name", ""),
                    capacity=capacity,
                    class_teacher_id=_optional_id(form.get("class_teacher", NONE)),
                )
                session.commit()
        except ValidationFailed as refusal:
            self.errors = _with_form_error(refusal.errors)
            return None
        self.editor_open = False
        self._reload(user)
        return rx.toast.success(f"Added the class {created.name}.")

    # --- teaching assignments ---------------------------------------------------------------

    @rx.event
    def open_assign(self, class_id: str, class_name: str) -> Any:
        user = admin_user(self, "classes.update")
        if user is None:
            return refused(self)
        with tenant_session(user.school_id) as session:
            self.assign_current = staff.class_teaching(session, _id(class_id))
        self._assign_class_id, self.assign_class_name = class_id, class_name
        self.assign_errors = {}
        self.assign_open = True
        return None

    @rx.event
    def set_assign_open(self, is_open: bool) -> None:
        self.assign_open = is_open

    @rx.event
    def assign_teacher(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "classes.update")
        if user is None:
            return refused(self)
        subject_id, teacher_id = form.get("subject", ""), form.get("teacher", "")
        errors = {
            **({"subject": "Choose a subject."} if subject_id not in self.subject_choices else {}),
            **({"teacher": "Choose a teacher."} if teacher_id not in self.teacher_choices else {}),
        }
        try:
            with tenant_session(user.school_id) as session:
                if errors:
                    raise ValidationFailed(errors)
                academics.assign_teacher(
                    session, actor=user, class_id=_id(self._assign_class_id),
                    subject_id=UUID(subject_id), teacher_id=UUID(teacher_id),
                )
                session.commit()
        except ValidationFailed as refusal:
            self.assign_errors = _with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            self.assign_errors = {"form": missing.message}
            return None
        self.assign_open = False
        subject = self.subject_choices[subject_id].rsplit(" (", 1)[0]
        return rx.toast.success(f"{self.teacher_choices[teacher_id]} now teaches {subject} to {self.assign_class_name}.")

    # --- promotion --------------------------------------------------------------------------

    def _show_plan(self, plan: PromotionPlan) -> None:
        self.plan_to = plan.to_class or ""
        self.plan_moving, self.plan_graduating, self.plan_problem = plan.moving, plan.graduating, plan.problem

    def _preview(self, user: CurrentUser) -> None:
        class_id, target_id = _id(self._promote_class_id), _optional_id(self._target_id)
        with tenant_session(user.school_id) as session:
            self.target_choices = {t["value"]: t["label"] for t in academics.promotion_targets(session, class_id=class_id)}
            self._show_plan(academics.preview_promotion(session, actor=user, class_id=class_id, to_class_id=target_id))

    @rx.event
    def open_promotion(self, class_id: str, class_name: str) -> Any:
        user = admin_user(self, "classes.update")
        if user is None:
            return refused(self)
        self._promote_class_id, self._target_id, self.promote_class_name = class_id, "", class_name
        try:
            self._preview(user)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.promote_open = True
        return None

    @rx.event
    def choose_target(self, target_id: str) -> Any:
        user = admin_user(self, "classes.update")
        if user is None:
            return refused(self)
        self._target_id = target_id
        try:
            self._preview(user)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None

    @rx.event
    def set_promote_open(self, is_open: bool) -> None:
        self.promote_open = is_open

    @rx.event
    def promote(self) -> Any:
        user = admin_user(self, "classes.update")
        if user is None:
            return refused(self)
        class_id = _id(self._promote_class_id)
        try:
            with tenant_session(user.school_id) as session:
                plan = academics.promote_class(session, actor=user, class_id=class_id, to_class_id=_optional_id(self._target_id))
                session.commit()
        except ValidationFailed as refusal:
            self.plan_problem = " ".join(refusal.errors.values())
            return None
        except NotFound as missing:
            self.plan_problem = missing.message
            return None
        self.promote_open = False
        self._reload(user)
        if plan.to_class is None:
            return rx.toast.success(f"{len(plan.graduating)} students of {plan.from_class} have graduated.")
        return rx.toast.success(f"Moved {len(plan.moving)} students from {plan.from_class} to {plan.to_class}.")


# --- staff ----------------------------------------------------------------------------------


class StaffState(SearchedList, FormDialog, AuthState):
    rows: list[dict[str, Any]] = []
    department_choices: dict[str, str] = {}

    # The profile dialog (FormDialog): the values shown when it opens.
    editing_name: str = ""
    form_values: dict[str, str] = {}
    _editing_id: str = ""

    def _load_page(self, refusal: str = NO_PERMISSION) -> Any:
        user = admin_user(self, "users.read")
        if user is None:
            self.rows, self.total = [], 0
            return refused(self, refusal)
        with tenant_session(user.school_id) as session:
            found = self._fetch_page(
                lambda page: staff.list_staff(session, actor=user, search=self.search, page=page, per_page=self.per_page)
            )
            choices = staff.department_choices(session)
        self.rows = found.rows
        self.department_choices = {NONE: "No department", **{c["value"]: c["label"] for c in choices}}
        return None

    @rx.event
    def load_staff(self) -> Any:
        return self._load_page(NO_ACCESS)

    def _export_table(self) -> ExportTable | None:
        user = admin_user(self, "users.read")
        if user is None:
            return None
        with tenant_session(user.school_id) as session:
            rows = self._every_row(
                lambda page, per_page: staff.list_staff(session, actor=user, search=self.search, page=page, per_page=per_page)
            )
        return "staff", STAFF_COLUMNS, [{**row, "status": "Active" if row["active"] else "Deactivated"} for row in rows]

    @rx.event
    def open_edit(self, user_id: str) -> None:
        row = next((row for row in self.rows if row["id"] == user_id), None)
        if row is None:
            return
        self._editing_id, self.editing_name = user_id, row["full_name"]
        self.form_values = {
            "department": row["department_id"] or NONE,
            "job_title": row["job_title"],
            "employee_number": row["employee_number"],
            "phone": row["phone"],
        }
        self._open_editor()

    @rx.event
    def save_profile(self, form: dict[str, str]) -> Any:
        user = admin_user(self, "users.update")
        if user is None:
            return refused(self)
        department = form.get("department", NONE)
        try:
            with tenant_session(user.school_id) as session:
                staff.update_staff_profile(
                    session,
                    actor=user,
                    user_id=self._editing_id,
                    department_id="" if department == NONE else department,
                    job_title=form.get("job_title", ""),
                    employee_number=form.get("employee_number", ""),
                    phone=form.get("phone", ""),
                    ip=self._client_ip(),
                )
                session.commit()
        except ValidationFailed as refusal:
            self.errors = _with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            self.errors = {"form": missing.message}
            return None
        self.editor_open = False
        self._load_page()
        return rx.toast.success(f"Saved {self.editing_name}'s profile.")


# --- guardians ------------------------------------------------------------------------------


class GuardiansState(SearchedList, AuthState):
    rows: list[dict[str, Any]] = []

    def _load_page(self, refusal: str = NO_PERMISSION) -> Any:
        user = admin_user(self, "users.read")
        if user is None:
            self.rows, self.total = [], 0
            return refused(self, refusal)
        with tenant_session(user.school_id) as session:
            found = self._fetch_page(
                lambda page: guardians.list_guardians(session, actor=user, search=self.search, page=page, per_page=self.per_page)
            )
        self.rows = [
            {**row, "children": [{**child, "href": routes.student_url(child["id"])} for child in row["children"]]}
            for row in found.rows
        ]
        return None

    @rx.event
    def load_guardians(self) -> Any:
        return self._load_page(NO_ACCESS)

    def _export_table(self) -> ExportTable | None:
        """One line per guardian, their children as "Name (relationship)" in one cell."""
        user = admin_user(self, "users.read")
        if user is None:
            return None
        with tenant_session(user.school_id) as session:
            rows = self._every_row(
                lambda page, per_page: guardians.list_guardians(
                    session, actor=user, search=self.search, page=page, per_page=per_page
                )
            )
        return "guardians", GUARDIAN_COLUMNS, [
            {
                **row,
                "login": "Yes" if row["has_login"] else "No",
                "children": "; ".join(f"{child['name']} ({child['relationship']})" for child in row["children"]),
            }
            for row in rows
        ]
