"""States of the role pages: a teacher's classes and class lists, a student's own record, a
parent's children. Each loads only what the signed-in person may see, checked on every event."""

from typing import Any
from uuid import UUID

import reflex as rx

from oneclass import routes
from oneclass.db import tenant_session
from oneclass.services import academics, staff, students
from oneclass.services.errors import NotFound
from state.admin_users import NO_ACCESS, NO_PERMISSION, refused
from state.auth import AuthState

CLASS_LIST_MAX = 200  # a class's capacity is at most 200


def profile_summary(profile: dict[str, Any]) -> tuple[dict[str, str], list[dict[str, str]]]:
    """What the role pages show of a student's profile: the record, and their guardians."""
    record = {
        "name": profile["name"],
        "admission_number": profile["admission_number"],
        "class": profile["class"] or "Not in a class",
        "status": str(profile["status"]).capitalize(),
        "date_of_birth": profile["date_of_birth"],
        "gender": str(profile["gender"]).capitalize(),
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

    @rx.event
    def load_classes(self) -> Any:
        user = self._user_with("classes.read")
        if user is None:
            self.classes, self.class_list, self.selected_id = [], [], ""
            return refused(self, NO_ACCESS)
        with tenant_session(user.school_id) as session:
            taught = students.class_ids_taught_by(session, user.id)
            year = academics.current_year(session)
            rows = academics.list_classes(session, year_id=year.id if year else None, only_ids=taught)
            subjects = staff.subjects_by_class(session, user.id)
            led = staff.classes_led_by(session, user.id)
        self.classes = [
            {**row, "subjects": ", ".join(subjects.get(UUID(str(row["id"])), [])), "is_class_teacher": UUID(str(row["id"])) in led}
            for row in rows
        ]
        chosen = self.selected_id if any(row["id"] == self.selected_id for row in rows) else (rows[0]["id"] if rows else "")
        return TeacherClassesState.show_class(chosen) if chosen else None

    @rx.event
    def show_class(self, class_id: str) -> Any:
        """Open one of the teacher's classes: its students, as the teacher may see them."""
        user = self._user_with("classes.read")
        if user is None:
            return refused(self)
        with tenant_session(user.school_id) as session:
            if class_id not in {str(taught) for taught in students.class_ids_taught_by(session, user.id)}:
                return rx.toast.error(NO_PERMISSION)
            found = students.list_students(session, actor=user, class_id=UUID(class_id), per_page=CLASS_LIST_MAX)
        self.selected_id = class_id
        self.selected_name = next((row["name"] for row in self.classes if row["id"] == class_id), "")
        self.class_list = [{**row, "href": routes.student_url(row["id"])} for row in found.rows]
        return None


class MyProfileState(AuthState):
    profile: dict[str, str] = {}
    guardians: list[dict[str, str]] = []

    @rx.event
    def load_profile(self) -> Any:
        """The signed-in student's own record: the one linked to their login, nobody else's."""
        self.profile, self.guardians = {}, []
        user = self._user_with("dashboard.student")
        if user is None:
            return refused(self, NO_ACCESS)
        with tenant_session(user.school_id) as session:
            own = students.visible_student_ids(session, user) or set()
            if len(own) == 1:
                self.profile, self.guardians = profile_summary(students.student_profile(session, actor=user, student_id=own.pop()))
        return None


class MyChildrenState(AuthState):
    children: list[dict[str, str]] = []
    selected_id: str = ""
    profile: dict[str, str] = {}
    guardians: list[dict[str, str]] = []

    @rx.event
    def load_children(self) -> Any:
        user = self._user_with("child.read")
        if user is None:
            self.children, self.profile, self.guardians = [], {}, []
            return refused(self, NO_ACCESS)
        with tenant_session(user.school_id) as session:
            self.children = [{"id": str(child.id), "name": child.full_name} for child in students.children_of(session, user_id=user.id)]
        ids = [child["id"] for child in self.children]
        chosen = self.selected_id if self.selected_id in ids else (ids[0] if ids else "")
        if not chosen:
            self.profile, self.guardians = {}, []
            return None
        return MyChildrenState.show_child(chosen)

    @rx.event
    def show_child(self, student_id: str) -> Any:
        """One of the parent's children (the service refuses anybody else's child)."""
        user = self._user_with("child.read")
        if user is None:
            return refused(self)
        try:
            with tenant_session(user.school_id) as session:
                profile = students.student_profile(session, actor=user, student_id=UUID(student_id))
        except (NotFound, ValueError):
            return rx.toast.error("That is not one of your children.")
        self.selected_id = student_id
        self.profile, self.guardians = profile_summary(profile)
        return None
