"""Timetable states: the admin's grid of one class's week (a lesson dialog, clearing with a
confirmation), the admin's periods editor, the reader's own week (a teacher's, or a student's or
parent's class), and the teacher's lessons today on the dashboard. Every handler that touches
data asks `_actor` and calls one service off the loop; the services decide who sees which week."""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import timetable
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from oneclass.services.timetable import DAYS, MANAGE_TIMETABLE, OWN_TIMETABLE, PeriodTimes, Timetable
from state.auth import NO_ACCESS, AuthState
from state.dialogs import FormDialog
from state.form_values import NONE, browser_id, optional_id, with_form_error

ASSIGNED_TEACHER = N_("The subject's teacher")
DEFAULT_PERIOD_MINUTES = 35


def week_rows(week: Timetable, *, by_teacher: bool = False) -> list[dict[str, Any]]:
    """The grid as the page draws it: a row per period, a cell per weekday. A class's cell names
    the subject and its teacher; a teacher's, the subject and the class."""
    lessons = {(slot["day"], slot["period"]): slot for slot in week.slots}
    rows = []
    for period in week.periods:
        cells = []
        for day, day_name in DAYS.items():
            slot = lessons.get((day, period["number"]))
            cells.append({
                "day": day, "day_name": day_name, "period": period["number"],
                "subject": slot["subject"] if slot else "",
                "detail": (slot["class"] if by_teacher else slot["teacher"]) if slot else "",
                "room": (slot["room"] or "") if slot else "",
                "subject_id": slot["subject_id"] if slot else "",
                "teacher_id": slot["teacher_id"] if slot else "",
            })
        rows.append({"number": period["number"], "starts": period["starts"], "ends": period["ends"], "cells": cells})
    return rows


class ClassWeek(rx.State, mixin=True):
    """The week of one class picked from a list, for the states that show one (beside AuthState).
    A state names `week_permission` and defines `_fetch(user, class_id)`: the choices, the
    chosen class's title and rows (no class: the first the user may see)."""

    class_choices: dict[str, str] = {}
    class_id: str = ""
    title: str = ""
    rows: list[dict[str, Any]] = []
    week_permission: ClassVar[str] = ""

    if TYPE_CHECKING:  # AuthState's

        async def _actor(self, permission: str) -> CurrentUser | None: ...

        def _refused(self, message: str = ...) -> Any: ...

    async def _fetch(self, user: CurrentUser, class_id: str = "") -> None:
        raise NotImplementedError

    async def _load_week(self) -> Any:
        """The page's on-load: the class shown last (while the user may still see it), else the first."""
        user = await self._actor(self.week_permission)
        if user is None:
            self.rows, self.class_choices, self.title = [], {}, ""
            return self._refused(NO_ACCESS)
        await self._fetch(user, self.class_id if self.class_id in self.class_choices else "")
        return None

    @rx.event
    async def choose_class(self, class_id: str) -> Any:
        """Another class of the list; one the user may not see is not found."""
        user = await self._actor(self.week_permission)
        if user is None:
            return self._refused()
        try:
            await self._fetch(user, str(browser_id(class_id)))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None


class TimetableEditorState(ClassWeek, FormDialog, AuthState):
    """The admin's grid: one class of the current year, a dialog per period of a day. Clearing
    a lesson asks first, in the same dialog (one dialog gives the focus back to its grid cell)."""

    week_permission: ClassVar[str] = MANAGE_TIMETABLE
    subject_choices: dict[str, str] = {}
    teacher_choices: dict[str, str] = {}

    # The lesson dialog: which period of which day, and what it holds now.
    slot_day: int = 0
    slot_day_name: str = ""
    slot_period: int = 0
    slot_subject: str = ""
    slot_teacher: str = NONE
    slot_room: str = ""
    slot_filled: bool = False
    confirming_clear: bool = False

    async def _fetch(self, user: CurrentUser, class_id: str = "") -> None:
        editor = await offload(timetable.timetable_editor, actor=user, class_id=optional_id(class_id))
        self.class_choices = {choice["value"]: choice["label"] for choice in editor.classes}
        self.class_id, self.title = editor.chosen, editor.timetable.title
        self.rows = week_rows(editor.timetable)
        self.subject_choices = {choice["value"]: choice["label"] for choice in editor.subjects}
        self.teacher_choices = {NONE: _(ASSIGNED_TEACHER), **{choice["value"]: choice["label"] for choice in editor.teachers}}

    @rx.event
    async def load_editor(self) -> Any:
        return await self._load_week()

    @rx.event
    async def open_slot(self, day: int, period: int) -> Any:
        """The dialog for one period of a day, filled with the lesson the grid shows there."""
        if await self._actor(MANAGE_TIMETABLE) is None:
            return self._refused()
        cell = next(
            (c for row in self.rows for c in row["cells"] if c["day"] == day and c["period"] == period), None
        )
        if cell is None:
            return None
        self.slot_day, self.slot_day_name, self.slot_period = day, cell["day_name"], period
        self.slot_subject, self.slot_room = cell["subject_id"], cell["room"]
        self.slot_teacher = cell["teacher_id"] or NONE
        self.slot_filled = bool(cell["subject_id"])
        self.confirming_clear = False
        self._open_editor()
        return None

    @rx.event
    async def save_slot(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_TIMETABLE)
        if user is None:
            return self._refused()
        try:
            saved = await offload(
                timetable.set_slot,
                actor=user,
                class_id=browser_id(self.class_id),
                day=self.slot_day,
                period=self.slot_period,
                subject_id=optional_id(form.get("subject", "")),
                teacher_id=optional_id(form.get("teacher", NONE)),
                room=form.get("room", ""),
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except (Conflict, NotFound) as refusal:
            self.errors = {"form": refusal.message}  # the clash, named; the dialog keeps what was chosen
            return None
        self.editor_open = False
        await self._fetch(user, self.class_id)
        return rx.toast.success(
            format_message("{subject} with {teacher} is on the timetable.", subject=saved["subject"], teacher=saved["teacher"])
        )

    @rx.event
    def ask_clear(self) -> None:
        """The lesson dialog asks "clear it?" (only shows the question; clearing is checked)."""
        self.confirming_clear = True

    @rx.event
    async def clear_slot(self) -> Any:
        user = await self._actor(MANAGE_TIMETABLE)
        if user is None:
            return self._refused()
        try:
            await offload(timetable.clear_slot, actor=user, class_id=browser_id(self.class_id), day=self.slot_day, period=self.slot_period)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.editor_open = False
        await self._fetch(user, self.class_id)
        return rx.toast.success(_("The lesson is cleared."))


def _later(clock: str, minutes: int) -> str:
    """`clock` ("HH:MM") plus `minutes`, kept within the day."""
    start = datetime.strptime(clock or "07:30", "%H:%M")
    return min(start + timedelta(minutes=minutes), start.replace(hour=23, minute=59)).strftime("%H:%M")


class PeriodsState(AuthState):
    """The admin's periods of the day, edited as a list and saved at once. Adding or removing a
    row changes nothing until Save, which the service checks (a period with lessons stays)."""

    rows: list[dict[str, str]] = []  # key (stable while editing), number, starts, ends, error
    form_error: str = ""
    _next_key: int = 0

    def _key(self) -> str:
        self._next_key += 1
        return f"p{self._next_key}"

    def _show(self, periods: list[timetable.PeriodRow]) -> None:
        self.rows = [{"key": self._key(), "number": str(p["number"]), "starts": p["starts"], "ends": p["ends"], "error": ""} for p in periods]
        self.form_error = ""

    def _renumber(self) -> None:
        self.rows = [{**row, "number": str(number)} for number, row in enumerate(self.rows, start=1)]

    @rx.event
    async def load_periods(self) -> Any:
        user = await self._actor(MANAGE_TIMETABLE)
        if user is None:
            self.rows = []
            return self._refused(NO_ACCESS)
        self._show(await offload(timetable.list_periods, actor=user))
        return None

    @rx.event
    def add_period(self) -> None:
        """A row after the last, starting as it ends (only the editor's rows; Save decides)."""
        starts = self.rows[-1]["ends"] if self.rows else "07:30"
        self.rows = [*self.rows, {"key": self._key(), "number": "", "starts": starts, "ends": _later(starts, DEFAULT_PERIOD_MINUTES), "error": ""}]
        self._renumber()

    @rx.event
    def remove_period(self, key: str) -> None:
        self.rows = [row for row in self.rows if row["key"] != key]
        self._renumber()

    @rx.event
    async def save_periods(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_TIMETABLE)
        if user is None:
            return self._refused()
        periods = [PeriodTimes(form.get(f"starts-{row['key']}", ""), form.get(f"ends-{row['key']}", "")) for row in self.rows]
        try:
            saved = await offload(timetable.set_periods, actor=user, periods=periods)
        except ValidationFailed as refusal:
            # Each row keeps what was typed (its inputs are not redrawn); the messages go beside them.
            self.rows = [{**row, "error": refusal.errors.get(f"period{row['number']}", "")} for row in self.rows]
            self.form_error = refusal.errors.get("form", "") or _("Please correct the periods marked below.")
            return None
        self._show(saved)
        return rx.toast.success(format_message("Saved {count} periods.", count=len(saved)))


class MyTimetableState(ClassWeek, AuthState):
    """The reader's week: a teacher's own lessons; a student's class; a parent's child's class."""

    week_permission: ClassVar[str] = OWN_TIMETABLE
    by_teacher: bool = False

    async def _fetch(self, user: CurrentUser, class_id: str = "") -> None:
        mine = await offload(timetable.my_timetable, actor=user, class_id=optional_id(class_id))
        self.class_choices = {choice["value"]: choice["label"] for choice in mine.choices}
        self.class_id, self.title = mine.chosen, mine.timetable.title
        self.by_teacher = not mine.choices and bool(mine.timetable.title)
        self.rows = week_rows(mine.timetable, by_teacher=self.by_teacher)

    @rx.event
    async def load_timetable(self) -> Any:
        return await self._load_week()


class TodayLessonsState(AuthState):
    """The teacher's dashboard card: today's lessons (none on a day the school does not sit)."""

    lessons: list[dict[str, Any]] = []
    day: str = ""
    school_day: bool = False

    @rx.event
    async def load_today(self) -> Any:
        user = await self._actor(OWN_TIMETABLE)
        if user is None:
            self.lessons = []
            return self._refused(NO_ACCESS)
        today = await offload(timetable.todays_lessons, actor=user)
        self.day, self.school_day = today.day, today.school_day
        self.lessons = [dict(lesson) for lesson in today.lessons]
        return None
