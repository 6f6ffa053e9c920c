"""GradebookState: a teacher's (or an admin's) gradebook: choose a class, subject and term; set,
edit and delete its assessments; enter one assessment's marks as a grid and save it at once.

The grid's inputs are the browser's own (uncontrolled): typing sends nothing, Save sends the
whole form. A refused save changes no input, so every typed mark stays on screen; only a loaded
grid (another assessment, or a save that went through) redraws them, through `grid_key`. Every
handler asks `_actor(grades.enter)`; the service decides which classes and subjects are theirs."""

from typing import Any

import reflex as rx

from models import AssessmentKind
from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import gradebook
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.gradebook import ENTER_MARKS, KIND_NAMES, AssessmentInput, MarkGrid, MarkInput
from state.auth import NO_ACCESS, AuthState
from state.dialogs import ConfirmDialog, FormDialog
from state.form_values import browser_id, with_form_error

MARK_FIELD = "mark_"
ABSENT_FIELD = "absent_"
NOT_SAVED = N_("Nothing was saved: correct the marks shown in red and save again. Every mark you typed is still here.")


class GradebookState(FormDialog, ConfirmDialog, AuthState):
    class_choices: dict[str, str] = {}
    term_choices: dict[str, str] = {}
    subjects_by_class: dict[str, dict[str, str]] = {}
    class_id: str = ""
    subject_id: str = ""
    term_id: str = ""
    assessments: list[dict[str, Any]] = []

    # The assessment dialog: FormDialog. Empty `editing_id`: a new one.
    editing_id: str = ""
    editing: dict[str, str] = {}
    _delete_id: str = ""

    # The grid of one assessment.
    grid_assessment: dict[str, str] = {}
    grid_rows: list[dict[str, Any]] = []
    grid_key: int = 0
    grid_error: str = ""
    grid_notice: str = ""

    @rx.var
    def subject_choices(self) -> dict[str, str]:
        return self.subjects_by_class.get(self.class_id, {})

    def _clear_grid(self) -> None:
        self.grid_assessment, self.grid_rows, self.grid_error, self.grid_notice = {}, [], "", ""

    def _show_grid(self, grid: MarkGrid) -> None:
        self.grid_assessment = {
            "id": grid.assessment["id"], "name": grid.assessment["name"], "max_mark": grid.assessment["max_mark"],
            "class_name": grid.class_name, "subject": grid.subject,
        }
        self.grid_rows = [{**row, "error": ""} for row in grid.rows]
        self.grid_key += 1  # a new grid: the inputs start again from what was saved

    async def _fetch_assessments(self, user: CurrentUser) -> None:
        if not (self.class_id and self.subject_id and self.term_id):
            self.assessments = []
            return
        self.assessments = [
            {**row, "kind_name": KIND_NAMES[AssessmentKind(row["kind"])]}
            for row in await offload(
                gradebook.list_assessments, actor=user, class_id=browser_id(self.class_id), subject_id=browser_id(self.subject_id),
                term_id=browser_id(self.term_id),
            )
        ]

    async def _reload(self, user: CurrentUser) -> Any:
        self._clear_grid()
        try:
            await self._fetch_assessments(user)
        except NotFound as missing:
            self.assessments = []
            return rx.toast.error(missing.message)
        return None

    @rx.event
    async def load_gradebook(self) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            self.class_choices, self.assessments = {}, []
            self._clear_grid()
            return self._refused(NO_ACCESS)
        options = await offload(gradebook.gradebook_options, actor=user)
        self.class_choices = {c["value"]: c["label"] for c in options.classes}
        self.subjects_by_class = {class_id: {s["value"]: s["label"] for s in subjects} for class_id, subjects in options.subjects.items()}
        self.term_choices = {t["value"]: t["label"] for t in options.terms}
        if self.class_id not in self.class_choices:
            self.class_id = next(iter(self.class_choices), "")
        if self.subject_id not in self.subject_choices:
            self.subject_id = next(iter(self.subject_choices), "")
        if self.term_id not in self.term_choices:
            self.term_id = options.term_id
        return await self._reload(user)

    @rx.event
    async def choose_class(self, value: str) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        self.class_id = value
        self.subject_id = next(iter(self.subject_choices), "")
        return await self._reload(user)

    @rx.event
    async def choose_subject(self, value: str) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        self.subject_id = value
        return await self._reload(user)

    @rx.event
    async def choose_term(self, value: str) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        self.term_id = value
        return await self._reload(user)

    # --- assessments ------------------------------------------------------------------------

    @rx.event
    async def open_new_assessment(self) -> Any:
        if await self._actor(ENTER_MARKS) is None:
            return self._refused()
        self.editing_id = ""
        self.editing = {"name": "", "kind": "test", "max_mark": "", "weight": "1"}
        self._open_editor()
        return None

    @rx.event
    async def open_edit_assessment(self, assessment_id: str) -> Any:
        """Edit one of the assessments listed (the list was loaded for this caller)."""
        if await self._actor(ENTER_MARKS) is None:
            return self._refused()
        row = next((a for a in self.assessments if a["id"] == assessment_id), None)
        if row is None:
            return rx.toast.error(_(gradebook.NO_SUCH_ASSESSMENT))
        self.editing_id = assessment_id
        self.editing = {key: str(row[key]) for key in ("name", "kind", "max_mark", "weight")}
        self._open_editor()
        return None

    @rx.event
    async def save_assessment(self, form: dict[str, str]) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        data = AssessmentInput(name=form.get("name", ""), kind=form.get("kind", ""), max_mark=form.get("max_mark", ""), weight=form.get("weight", ""))
        try:
            if self.editing_id:
                row = await offload(gradebook.update_assessment, actor=user, assessment_id=browser_id(self.editing_id), data=data)
            else:
                row = await offload(
                    gradebook.create_assessment, actor=user, class_id=browser_id(self.class_id), subject_id=browser_id(self.subject_id),
                    term_id=browser_id(self.term_id), data=data,
                )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except (NotFound, Conflict) as refused:
            self.errors = {"form": refused.message}
            return None
        self.editor_open = False
        await self._fetch_assessments(user)
        if self.grid_assessment.get("id") == row["id"]:
            self._show_grid(await offload(gradebook.mark_grid, actor=user, assessment_id=browser_id(row["id"])))
        return rx.toast.success(format_message("Saved the assessment {name}.", name=row["name"]))

    @rx.event
    async def ask_delete(self, assessment_id: str) -> Any:
        if await self._actor(ENTER_MARKS) is None:
            return self._refused()
        row = next((a for a in self.assessments if a["id"] == assessment_id), None)
        if row is None:
            return rx.toast.error(_(gradebook.NO_SUCH_ASSESSMENT))
        self._delete_id = assessment_id
        marked = int(row["marked"])
        self._ask(
            format_message("{name} and the {count} marks entered for it", name=row["name"], count=marked) if marked else str(row["name"])
        )
        return None

    @rx.event
    async def confirm_delete(self) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        self.confirm_open = False
        if not self._delete_id:
            return None
        try:
            name = await offload(gradebook.delete_assessment, actor=user, assessment_id=browser_id(self._delete_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        finally:
            self._delete_id = ""
        await self._reload(user)
        return rx.toast.success(format_message("Deleted the assessment {name}.", name=name))

    # --- the mark grid ----------------------------------------------------------------------

    @rx.event
    async def open_grid(self, assessment_id: str) -> Any:
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        try:
            grid = await offload(gradebook.mark_grid, actor=user, assessment_id=browser_id(assessment_id))
        except NotFound as missing:
            self._clear_grid()
            return rx.toast.error(missing.message)
        self._clear_grid()
        self._show_grid(grid)
        return None

    @rx.event
    async def save_marks(self, form: dict[str, Any]) -> Any:
        """The whole grid as the browser holds it: `mark_<student id>` and, when ticked,
        `absent_<student id>`."""
        user = await self._actor(ENTER_MARKS)
        if user is None:
            return self._refused()
        assessment_id = self.grid_assessment.get("id", "")
        if not assessment_id:
            return None
        ticked = {key[len(ABSENT_FIELD):] for key, value in form.items() if key.startswith(ABSENT_FIELD) and value}
        marks = [
            MarkInput(student_id=key[len(MARK_FIELD):], mark=str(value or ""), absent=key[len(MARK_FIELD):] in ticked)
            for key, value in form.items()
            if key.startswith(MARK_FIELD)
        ]
        try:
            grid = await offload(gradebook.save_marks, actor=user, assessment_id=browser_id(assessment_id), marks=marks)
        except ValidationFailed as refusal:
            # The inputs are left as typed; the messages go beside them.
            self.grid_rows = [{**row, "error": refusal.errors.get(row["student_id"], "")} for row in self.grid_rows]
            self.grid_notice = ""
            self.grid_error = " ".join(filter(None, [_(NOT_SAVED), refusal.errors.get("marks", "")]))
            return None
        except (NotFound, Conflict) as refused:
            # Someone saved this grid at the same moment: nothing of this save was kept.
            self.grid_error = refused.message
            return None
        self._show_grid(grid)
        self.grid_error = ""
        self.grid_notice = format_message("Saved {count} marks.", count=grid.assessment["marked"])
        await self._fetch_assessments(user)
        return None
