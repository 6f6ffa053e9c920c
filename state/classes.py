"""ClassesState: the school admin's classes of one year: a new class, who teaches which subject
in a class, and promoting a class at year end (a preview, then the confirmation). All of it is
school administration (`classes.manage`); every handler asks `_actor` first and calls one
service off the loop."""

from typing import Any

import reflex as rx

from oneclass.i18n import _, format_message
from oneclass.offload import offload
from oneclass.services import academics
from oneclass.services.academics import MANAGE_CLASSES, PromotionPlan
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.dialogs import FormDialog
from state.form_values import NONE, browser_id, optional_id, with_form_error
from state.subjects import subject_label


class ClassesState(FormDialog, AuthState):
    year_id: str = ""
    year_choices: dict[str, str] = {}
    rows: list[dict[str, Any]] = []
    grade_choices: dict[str, str] = {}
    teacher_choices: dict[str, str] = {}
    class_teacher_choices: dict[str, str] = {}
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
    def year_name(self) -> str:
        return self.year_choices.get(self.year_id, "")

    async def _fetch(self, user: CurrentUser) -> None:
        """The page's one loading step: the chosen year's classes and the dialogs' choices."""
        overview = await offload(academics.classes_overview, actor=user, year_id=optional_id(self.year_id))
        self.year_choices = {year["value"]: year["label"] for year in overview.years}
        self.year_id = overview.year_id
        self.rows = [dict(row) for row in overview.classes]
        self.teacher_choices = {teacher["value"]: teacher["label"] for teacher in overview.teachers}
        self.class_teacher_choices = {NONE: _("No class teacher"), **self.teacher_choices}
        self.subject_choices = {s["id"]: f"{s['name']} ({_(subject_label(s['level']))})" for s in overview.subjects}
        self.grade_choices = {grade["value"]: grade["label"] for grade in overview.grades}

    @rx.event
    async def load_classes(self) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            self.rows = []
            return self._refused(NO_ACCESS)
        await self._fetch(user)
        return None

    @rx.event
    async def set_year(self, year_id: str) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        self.year_id = year_id
        await self._fetch(user)
        return None

    # --- a new class ------------------------------------------------------------------------

    @rx.event
    async def open_new_class(self) -> Any:
        if await self._actor(MANAGE_CLASSES) is None:
            return self._refused()
        self._open_editor()
        return None

    @rx.event
    async def create_class(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        try:
            capacity = int(form.get("capacity", "").strip())
        except ValueError:
            self.errors = with_form_error({"capacity": _("Enter the number of students the class can take.")})
            return None
        try:
            name = await offload(
                academics.create_class,
                actor=user,
                year_id=optional_id(self.year_id),
                grade_level=form.get("grade_level", ""),
                name=form.get("name", ""),
                capacity=capacity,
                class_teacher_id=optional_id(form.get("class_teacher", NONE)),
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        self.editor_open = False
        await self._fetch(user)
        return rx.toast.success(format_message("Added the class {name}.", name=name))

    # --- teaching assignments ---------------------------------------------------------------

    @rx.event
    async def open_assign(self, class_id: str, class_name: str) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        try:
            self.assign_current = await offload(academics.who_teaches, actor=user, class_id=browser_id(class_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self._assign_class_id, self.assign_class_name = class_id, class_name
        self.assign_errors = {}
        self.assign_open = True
        return None

    @rx.event
    def set_assign_open(self, is_open: bool) -> None:
        self.assign_open = is_open

    @rx.event
    async def assign_teacher(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        try:
            assigned = await offload(
                academics.assign_teacher,
                actor=user,
                class_id=browser_id(self._assign_class_id),
                subject_id=optional_id(form.get("subject", "")),
                teacher_id=optional_id(form.get("teacher", "")),
            )
        except ValidationFailed as refusal:
            self.assign_errors = with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            self.assign_errors = {"form": missing.message}
            return None
        self.assign_open = False
        return rx.toast.success(
            format_message(
                "{teacher} now teaches {subject} to {class_name}.",
                teacher=assigned.teacher, subject=assigned.subject, class_name=assigned.class_name,
            )
        )

    # --- promotion --------------------------------------------------------------------------

    def _show_plan(self, plan: PromotionPlan) -> None:
        self.plan_to = plan.to_class or ""
        self.plan_moving, self.plan_graduating, self.plan_problem = plan.moving, plan.graduating, plan.problem

    async def _preview(self, user: CurrentUser) -> None:
        preview = await offload(
            academics.promotion_preview, actor=user, class_id=browser_id(self._promote_class_id), to_class_id=optional_id(self._target_id)
        )
        self.target_choices = {target["value"]: target["label"] for target in preview.targets}
        self._show_plan(preview.plan)

    @rx.event
    async def open_promotion(self, class_id: str, class_name: str) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        self._promote_class_id, self._target_id, self.promote_class_name = class_id, "", class_name
        try:
            await self._preview(user)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.promote_open = True
        return None

    @rx.event
    async def choose_target(self, target_id: str) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        self._target_id = target_id
        try:
            await self._preview(user)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None

    @rx.event
    def set_promote_open(self, is_open: bool) -> None:
        self.promote_open = is_open

    @rx.event
    async def promote(self) -> Any:
        user = await self._actor(MANAGE_CLASSES)
        if user is None:
            return self._refused()
        try:
            plan = await offload(
                academics.promote, actor=user, class_id=browser_id(self._promote_class_id), to_class_id=optional_id(self._target_id)
            )
        except ValidationFailed as refusal:
            self.plan_problem = " ".join(refusal.errors.values())
            return None
        except NotFound as missing:
            self.plan_problem = missing.message
            return None
        self.promote_open = False
        await self._fetch(user)
        if plan.to_class is None:
            return rx.toast.success(
                format_message("{count} students of {name} have graduated.", count=len(plan.graduating), name=plan.from_class)
            )
        return rx.toast.success(
            format_message(
                "Moved {count} students from {from_class} to {to_class}.",
                count=len(plan.moving), from_class=plan.from_class, to_class=plan.to_class,
            )
        )
