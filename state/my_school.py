"""States of the role pages: a teacher's classes and class lists, a student's own record, a
parent's children. Each asks `_actor` on every event and loads through the services, whose one
visibility rule (`students.visible_student_ids`/`visible_class_ids`) decides what each person
sees: these states never narrow anything themselves."""

from datetime import date
from typing import Any

import reflex as rx

from models import Gender, StudentStatus
from oneclass import routes
from oneclass.i18n import N_, _, format_date
from oneclass.offload import offload
from oneclass.services import academics, students
from oneclass.services.academics import READ_CLASSES
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound
from state.auth import NO_ACCESS, AuthState
from state.form_values import browser_id

OWN_RECORD = "dashboard.student"
CHILDREN = "child.read"
STATUS_NAMES = {
    StudentStatus.enrolled.value: N_("Enrolled"),
    StudentStatus.transferred.value: N_("Transferred"),
    StudentStatus.graduated.value: N_("Graduated"),
    StudentStatus.left.value: N_("Left"),
}
GENDER_NAMES = {Gender.female.value: N_("Female"), Gender.male.value: N_("Male")}
NOT_YOUR_CHILD = N_("That is not one of your children.")


def named(names: dict[str, str], value: object) -> str:
    """A status's or gender's name in the request's language (an unknown value as it is)."""
    return _(names.get(str(value), str(value)))


def profile_summary(profile: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """What the role pages show of a student's profile: the record, and their guardians."""
    record = {
        "name": profile["name"],
        "admission_number": profile["admission_number"],
        "class": profile["class"] or _("Not in a class"),
        "status": named(STATUS_NAMES, profile["status"]),
        "date_of_birth": format_date(date.fromisoformat(profile["date_of_birth"])) if profile["date_of_birth"] else "",
        "gender": named(GENDER_NAMES, profile["gender"]),
        "home_language": profile["home_language"],
    }
    guardians = [
        {"name": g["name"], "relationship": g["relationship"], "phone": g["phone"], "email": g["email"]}
        for g in profile["guardians"]
    ]
    return record, guardians


class TeacherClassesState(AuthState):
    classes: list[dict[str, Any]] = []
    selected_id: str = ""
    selected_name: str = ""
    class_list: list[dict[str, str]] = []

    async def _show(self, user: CurrentUser, class_id: str) -> None:
        """One class's list, as the service lets `user` see it (NotFound: not one of theirs)."""
        found = await offload(academics.class_list, actor=user, class_id=browser_id(class_id))
        self.selected_id, self.selected_name = class_id, found.name
        self.class_list = [
            {
                **row,
                "gender": named(GENDER_NAMES, row["gender"]),
                "status": named(STATUS_NAMES, row["status"]),
                "href": routes.student_url(str(row["id"])),
            }
            for row in found.students
        ]

    @rx.event
    async def load_classes(self) -> Any:
        """on_load: the classes the teacher may see, and the list of the one chosen (the first)."""
        user = await self._actor(READ_CLASSES)
        if user is None:
            self.classes, self.class_list, self.selected_id, self.selected_name = [], [], "", ""
            return self._refused(NO_ACCESS)
        self.classes = [dict(row) for row in await offload(academics.my_classes, actor=user)]
        ids = [row["id"] for row in self.classes]
        chosen = self.selected_id if self.selected_id in ids else (ids[0] if ids else "")
        if chosen:
            await self._show(user, chosen)
        else:
            self.class_list, self.selected_id, self.selected_name = [], "", ""
        return None

    @rx.event
    async def show_class(self, class_id: str) -> Any:
        """Open one of the teacher's classes: its students, as the teacher may see them."""
        user = await self._actor(READ_CLASSES)
        if user is None:
            return self._refused()
        try:
            await self._show(user, class_id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None


class MyProfileState(AuthState):
    profile: dict[str, str] = {}
    guardians: list[dict[str, str]] = []

    @rx.event
    async def load_profile(self) -> Any:
        """The signed-in student's own record: the one linked to their login, nobody else's."""
        self.profile, self.guardians = {}, []
        user = await self._actor(OWN_RECORD)
        if user is None:
            return self._refused(NO_ACCESS)
        own = await offload(students.list_students, actor=user, per_page=2)
        if own.total == 1:
            profile = await offload(students.student_profile, actor=user, student_id=browser_id(own.rows[0]["id"]))
            self.profile, self.guardians = profile_summary(profile)
        return None


class MyChildrenState(AuthState):
    children: list[dict[str, str]] = []
    selected_id: str = ""
    profile: dict[str, str] = {}
    guardians: list[dict[str, str]] = []

    async def _show(self, user: CurrentUser, student_id: str) -> None:
        """One child's record (the service refuses anybody else's child with NotFound)."""
        profile = await offload(students.student_profile, actor=user, student_id=browser_id(student_id))
        self.selected_id = student_id
        self.profile, self.guardians = profile_summary(profile)

    @rx.event
    async def load_children(self) -> Any:
        """on_load: the parent's children, and the record of the one chosen (the first)."""
        user = await self._actor(CHILDREN)
        if user is None:
            self.children, self.profile, self.guardians = [], {}, []
            return self._refused(NO_ACCESS)
        found = await offload(students.list_students, actor=user, per_page=100)
        self.children = [{"id": row["id"], "name": row["name"]} for row in found.rows]
        ids = [child["id"] for child in self.children]
        chosen = self.selected_id if self.selected_id in ids else (ids[0] if ids else "")
        if chosen:
            await self._show(user, chosen)
        else:
            self.selected_id, self.profile, self.guardians = "", {}, []
        return None

    @rx.event
    async def show_child(self, student_id: str) -> Any:
        user = await self._actor(CHILDREN)
        if user is None:
            return self._refused()
        try:
            await self._show(user, student_id)
        except NotFound:
            return rx.toast.error(_(NOT_YOUR_CHILD))
        return None
