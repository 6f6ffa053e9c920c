"""States of the attendance pages: taking a class's register (or a lesson's, in a school that
takes registers per lesson), the registers still to take today
(the teacher's dashboard), a student's history (their own page, their parent's), and the
summaries. Marking a student only changes what is on screen; saving sends the whole register
to the service in one call, and a refused save keeps every mark on screen with the reasons."""

from datetime import date
from typing import Any

import reflex as rx

from models import STATUS_LABELS, AttendanceStatus
from oneclass import routes
from oneclass.i18n import N_, _, format_date, format_message
from oneclass.offload import offload
from oneclass.permissions import PermissionDenied
from oneclass.services import attendance
from oneclass.services.attendance import READ_ATTENDANCE, READ_SUMMARY, TAKE_REGISTER, AttendanceSummary, EntryInput, StudentHistory
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.form_values import browser_id, optional_id

OWN_RECORD = "dashboard.student"
CHOOSE_LESSON = N_("Choose a lesson first.")
NOT_SAVED = N_("The register was not saved. Nothing is lost: correct what is marked and save again.")
# The statuses in the order the page offers them; labels shown with t().
STATUS_CHOICES: dict[str, str] = {status.value: STATUS_LABELS[status] for status in AttendanceStatus}


class RegisterState(AuthState):
    class_choices: dict[str, str] = {}
    class_id: str = ""
    day: str = ""
    today: str = ""
    term: str = ""
    # A per-lesson school: the chosen day's lessons of the class the actor may take (period →
    # label), and the chosen one ("" until one is chosen: no register is shown before).
    per_lesson: bool = False
    lesson_choices: dict[str, str] = {}
    period: str = ""
    # Who is on the register (ids and names: sent when a register opens) apart from their marks
    # and reasons, so that a tap sends one small dict, not the whole list.
    rows: list[dict[str, str]] = []
    marks: dict[str, str] = {}
    reasons: dict[str, str] = {}
    saved: bool = False
    closed: str = ""
    needs_reason: bool = False
    change_reason: str = ""
    errors: dict[str, str] = {}
    # Bumped whenever a register is loaded: its rows (and their reason fields, which keep what
    # was typed until they lose the focus) are made anew.
    loaded: int = 0

    def _show(self, view: attendance.RegisterView) -> None:
        self.class_id = str(view.class_id)
        self.day = view.day.isoformat()
        self.rows = [{"student_id": r["student_id"], "name": r["name"]} for r in view.records]
        self.marks = {r["student_id"]: r["status"] for r in view.records}
        self.reasons = {r["student_id"]: r["reason"] for r in view.records if r["reason"]}
        self.saved, self.closed, self.needs_reason = view.saved, view.closed, view.needs_reason
        self.change_reason, self.errors = "", {}
        self.loaded += 1

    def _clear_register(self) -> None:
        self.rows, self.marks, self.reasons, self.saved, self.closed, self.errors = [], {}, {}, False, "", {}

    async def _choose_lesson(self, user: CurrentUser, day: date) -> bool:
        """The day's lessons of the class the actor may take; False while none is chosen."""
        lessons = await offload(attendance.register_lessons, actor=user, class_id=browser_id(self.class_id), day=day)
        self.lesson_choices = {str(lesson["period"]): lesson["label"] for lesson in lessons}
        if self.period not in self.lesson_choices:
            self.period = ""
        return self.period != ""

    async def _open(self, user: CurrentUser) -> Any:
        if not self.class_id:
            self.lesson_choices, self.period = {}, ""
            self._clear_register()
            return None
        try:
            day = date.fromisoformat(self.day) if self.day else None
        except ValueError:
            self.errors = {"date": _("Choose a date.")}
            return None
        try:
            if self.per_lesson and not await self._choose_lesson(user, day or date.fromisoformat(self.today)):
                self._clear_register()
                return None
            period = int(self.period) if self.per_lesson else None
            self._show(await offload(attendance.open_register, actor=user, class_id=browser_id(self.class_id), day=day, period=period))
        except NotFound as missing:
            self.class_id, self.rows = "", []
            return rx.toast.error(missing.message)
        except (ValidationFailed, PermissionDenied) as refusal:
            self.period = ""
            self._clear_register()
            return rx.toast.error(" ".join(refusal.errors.values()) if isinstance(refusal, ValidationFailed) else str(refusal))
        return None

    @rx.event
    async def load_desk(self) -> Any:
        """on_load: today in the school, the actor's classes, and the chosen class's register
        (the one named in the address, else the one chosen before, else the first)."""
        user = await self._actor(TAKE_REGISTER)
        if user is None:
            self.class_choices, self.rows, self.class_id = {}, [], ""
            return self._refused(NO_ACCESS)
        desk = await offload(attendance.register_desk, actor=user)
        self.class_choices = {row["id"]: row["name"] for row in desk.classes}
        self.today, self.term, self.per_lesson = desk.today.isoformat(), desk.term, desk.per_lesson
        asked = self.router.url.query_parameters.get("class", "")
        self.class_id = next((c for c in (asked, self.class_id) if c in self.class_choices), next(iter(self.class_choices), ""))
        self.period = self.router.url.query_parameters.get("period", "") or self.period
        self.day = self.day or self.today
        return await self._open(user)

    @rx.event
    async def choose_class(self, class_id: str) -> Any:
        user = await self._actor(TAKE_REGISTER)
        if user is None:
            return self._refused()
        self.class_id, self.period = class_id, ""
        return await self._open(user)

    @rx.event
    async def choose_lesson(self, period: str) -> Any:
        """A per-lesson school: the lesson (its period) whose register to take."""
        user = await self._actor(TAKE_REGISTER)
        if user is None:
            return self._refused()
        self.period = period
        return await self._open(user)

    @rx.event
    async def choose_day(self, value: str) -> Any:
        user = await self._actor(TAKE_REGISTER)
        if user is None:
            return self._refused()
        self.day, self.period = value, ""
        return await self._open(user)

    @rx.event
    def mark(self, student_id: str, status: str) -> None:
        """One tap: this student's mark, on screen only (the register is saved whole)."""
        if student_id in self.marks:
            self.marks = {**self.marks, student_id: status}
        if student_id in self.errors:
            self.errors = {key: message for key, message in self.errors.items() if key != student_id}

    @rx.event
    def note_reason(self, student_id: str, reason: str) -> None:
        if student_id in self.marks:
            self.reasons = {**self.reasons, student_id: reason}

    @rx.event
    def set_change_reason(self, value: str) -> None:
        self.change_reason = value

    @rx.event
    async def save(self) -> Any:
        user = await self._actor(TAKE_REGISTER)
        if user is None:
            return self._refused()
        entries = [EntryInput(student_id, status, self.reasons.get(student_id, "")) for student_id, status in self.marks.items()]
        try:
            day = date.fromisoformat(self.day)
        except ValueError:
            self.errors = {"date": _("Choose a date."), "form": _(NOT_SAVED)}
            return None
        if self.per_lesson and not self.period.isdigit():
            return rx.toast.error(_(CHOOSE_LESSON))
        period = int(self.period) if self.per_lesson else None
        try:
            view = await offload(
                attendance.save_register, actor=user, class_id=browser_id(self.class_id), day=day, entries=entries,
                change_reason=self.change_reason, ip=self._client_ip(), period=period,
            )
        except ValidationFailed as refusal:
            self.errors = {"form": _(NOT_SAVED), **refusal.errors}
            return rx.toast.error(_(NOT_SAVED))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        except PermissionDenied as refusal:
            return rx.toast.error(str(refusal))
        self._show(view)
        name = self.class_choices.get(self.class_id, "")
        if period is not None:
            return rx.toast.success(format_message("Saved the register of {name}, period {period}, for {day}.", name=name, period=period, day=format_date(day)))
        return rx.toast.success(format_message("Saved the register of {name} for {day}.", name=name, day=format_date(day)))

    @rx.var
    def exceptions(self) -> int:
        return sum(1 for status in self.marks.values() if status != AttendanceStatus.present)


class DueRegistersState(AuthState):
    due: list[dict[str, str]] = []

    @rx.event
    async def load_due(self) -> Any:
        """The teacher's dashboard: today's registers still to take."""
        user = await self._actor(TAKE_REGISTER)
        if user is None:
            self.due = []
            return self._refused(NO_ACCESS)
        self.due = [
            {
                "name": row["name"],
                "href": f"{routes.REGISTERS}?class={row['class_id']}" + (f"&period={row['period']}" if row["period"] is not None else ""),
            }
            for row in await offload(attendance.registers_due, actor=user)
        ]
        return None


def _history_rows(history: StudentHistory) -> list[dict[str, str]]:
    """The days the student was not simply present, newest first, with their mark's label."""
    return [
        {"date": format_date(date.fromisoformat(row["date"])), "status": STATUS_CHOICES.get(row["status"], row["status"]), "reason": row["reason"]}
        for row in history.records
        if row["status"] != AttendanceStatus.present
    ]


class AttendanceHistoryState(AuthState):
    """A student's attendance this term: on the student's own page and their parent's."""

    student_id: str = ""
    rate: str = ""
    counts: dict[str, int] = {}
    days: list[dict[str, str]] = []
    period: str = ""

    def _show(self, history: StudentHistory) -> None:
        self.student_id = str(history.student_id)
        self.rate = f"{history.rate}%" if history.rate is not None else ""
        self.counts = dict(history.counts)
        self.days = _history_rows(history)
        self.period = format_message("{start} to {end}", start=format_date(history.starts_on), end=format_date(history.ends_on))

    def _clear(self) -> None:
        self.student_id, self.rate, self.counts, self.days, self.period = "", "", {}, [], ""

    @rx.event
    async def show_history(self, student_id: str) -> Any:
        """A child's history, for their parent (the service refuses anybody else's child)."""
        user = await self._actor(READ_ATTENDANCE)
        if user is None:
            self._clear()
            return self._refused()
        try:
            self._show(await offload(attendance.student_history, actor=user, student_id=browser_id(student_id)))
        except NotFound as missing:
            self._clear()
            return rx.toast.error(missing.message)
        return None

    @rx.event
    async def load_own_history(self) -> Any:
        """The signed-in student's own history."""
        user = await self._actor(OWN_RECORD)
        if user is None:
            self._clear()
            return self._refused(NO_ACCESS)
        try:
            self._show(await offload(attendance.own_history, actor=user))
        except NotFound:
            self._clear()
        return None


def _points(summary: AttendanceSummary | None) -> tuple[list[dict[str, Any]], list[dict[str, Any]], str]:
    if summary is None:
        return [], [], ""
    weeks = [{"label": format_date(date.fromisoformat(point["label"])), "rate": point["rate"], "days": point["days"]} for point in summary.by_week]
    terms = [dict(point) for point in summary.by_term]
    return weeks, terms, f"{summary.rate}%" if summary.rate is not None else ""


class AttendanceSummaryState(AuthState):
    class_choices: dict[str, str] = {}
    class_id: str = ""
    class_weeks: list[dict[str, Any]] = []
    class_terms: list[dict[str, Any]] = []
    class_rate: str = ""
    sees_school: bool = False
    school_weeks: list[dict[str, Any]] = []
    school_terms: list[dict[str, Any]] = []
    school_rate: str = ""

    async def _fetch(self, user: CurrentUser, class_id: str) -> Any:
        try:
            page = await offload(attendance.summary_page, actor=user, class_id=optional_id(class_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.class_choices = {row["id"]: row["name"] for row in page.classes}
        self.class_id = page.class_id
        self.class_weeks, self.class_terms, self.class_rate = _points(page.chosen)
        self.sees_school = page.school is not None
        self.school_weeks, self.school_terms, self.school_rate = _points(page.school)
        return None

    @rx.event
    async def load_summary(self) -> Any:
        user = await self._actor(READ_SUMMARY)
        if user is None:
            self.class_choices, self.class_weeks, self.class_terms, self.school_weeks, self.school_terms = {}, [], [], [], []
            return self._refused(NO_ACCESS)
        return await self._fetch(user, self.class_id)

    @rx.event
    async def choose_summary_class(self, class_id: str) -> Any:
        user = await self._actor(READ_SUMMARY)
        if user is None:
            return self._refused()
        return await self._fetch(user, class_id)
