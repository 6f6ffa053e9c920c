"""States of the dashboards' cards: each on_load asks the cards' services (off the event loop) and
keeps only what the cards show. Today's lessons and the registers still to take are the
timetable's and the registers' own states."""

from datetime import date
from typing import Any

import reflex as rx

from oneclass.i18n import _, format_date
from oneclass.offload import offload
from oneclass.services import dashboards
from oneclass.services.dashboards import (
    ADMIN_DASHBOARD,
    FAMILY_DASHBOARDS,
    PARENT_DASHBOARD,
    TEACHER_DASHBOARD,
    ChildAttendance,
    ChildLessons,
    ChildMarks,
)
from state.auth import NO_ACCESS, AuthState


def _percent(rate: int | None) -> str:
    return f"{rate}%" if rate is not None else ""


class AdminDashboardState(AuthState):
    """Enrolment by level, today's attendance so far, the latest activity."""

    levels: list[dict[str, Any]] = []  # {"name": the level in the reader's language, "students": n}
    enrolled: int = 0
    school_day: bool = False
    registers_taken: int = 0
    registers_to_take: int = 0
    present_rate: str = ""
    activity: list[dict[str, str]] = []

    @rx.event
    async def load_admin_dashboard(self) -> Any:
        user = await self._actor(ADMIN_DASHBOARD)
        if user is None:
            self.levels, self.activity, self.enrolled = [], [], 0
            return self._refused(NO_ACCESS)
        enrolment = await offload(dashboards.enrolment_by_level, actor=user)
        today = await offload(dashboards.attendance_today, actor=user)
        activity = await offload(dashboards.recent_activity, actor=user)
        self.levels = [{"name": _(row["name"]), "students": row["students"]} for row in enrolment.levels]
        self.enrolled = enrolment.total
        self.school_day, self.registers_taken, self.registers_to_take = today.school_day, today.taken, today.to_take
        self.present_rate = _percent(today.rate)
        self.activity = [{"when": row["when"], "actor": row["actor"], "action": _(row["action"]), "target": row["target"]} for row in activity]
        return None


class MarksToEnterState(AuthState):
    """The teacher's assessments of today's term with marks still to enter."""

    marks_due: list[dict[str, Any]] = []

    @rx.event
    async def load_marks_to_enter(self) -> Any:
        user = await self._actor(TEACHER_DASHBOARD)
        if user is None:
            self.marks_due = []
            return self._refused(NO_ACCESS)
        self.marks_due = [dict(row) for row in await offload(dashboards.marks_to_enter, actor=user)]
        return None


def _marks(children: list[ChildMarks]) -> list[dict[str, Any]]:
    return [{"name": c["name"], "term": c["term"], "grades": [dict(g) for g in c["grades"]]} for c in children]


def _attendance(children: list[ChildAttendance]) -> list[dict[str, Any]]:
    return [{**c, "rate": _percent(c["rate"])} for c in children]


def _lessons(children: list[ChildLessons]) -> list[dict[str, Any]]:
    return [
        {
            "name": c["name"], "class_name": c["class_name"],
            "lessons": [{**lesson, "day": f'{_(lesson["weekday"])} {format_date(date.fromisoformat(lesson["day"]))}'} for lesson in c["lessons"]],
        }
        for c in children
    ]


class FamilyDashboardState(AuthState):
    """A student's own cards, or a parent's, one entry per child."""

    recent_marks: list[dict[str, Any]] = []
    term_attendance: list[dict[str, Any]] = []
    coming_lessons: list[dict[str, Any]] = []

    @rx.event
    async def load_family_dashboard(self) -> Any:
        user = await self._actor(FAMILY_DASHBOARDS[0]) or await self._actor(FAMILY_DASHBOARDS[1])
        if user is None:
            self.recent_marks, self.term_attendance, self.coming_lessons = [], [], []
            return self._refused(NO_ACCESS)
        self.recent_marks = _marks(await offload(dashboards.recent_marks, actor=user))
        self.term_attendance = _attendance(await offload(dashboards.attendance_this_term, actor=user))
        self.coming_lessons = _lessons(await offload(dashboards.next_lessons, actor=user))
        return None


class FeesOwedState(AuthState):
    """The parent's card: what is owed per child and currency."""

    fees_owed: list[dict[str, Any]] = []

    @rx.event
    async def load_fees_owed(self) -> Any:
        user = await self._actor(PARENT_DASHBOARD)
        if user is None:
            self.fees_owed = []
            return self._refused(NO_ACCESS)
        self.fees_owed = [dict(row) for row in await offload(dashboards.fees_owed, actor=user)]
        return None
