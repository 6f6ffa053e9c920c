"""REST API v1: one router per resource, each route thin (dependencies + one service call)."""

from fastapi import APIRouter

from oneclass.api.v1 import (
    announcements,
    attendance,
    auth,
    classes,
    fees,
    gradebook,
    paynow,
    report_cards,
    school,
    schools,
    students,
    terms,
    timetable,
    users,
)

router = APIRouter()
for module in (auth, school, users, students, classes, schools, terms, attendance, gradebook, report_cards, timetable, fees, paynow, announcements):
    router.include_router(module.router)
