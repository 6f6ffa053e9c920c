"""SubjectsState: the school admin's subjects: searched, paged, exported, added one by one or
from the ZIMSEC list. Every handler asks `_actor` first and calls one service off the loop."""

from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import academics
from oneclass.services.academics import MANAGE_SUBJECTS, SubjectRow
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from oneclass.services.paging import Page
from state.auth import AuthState
from state.dialogs import FormDialog
from state.form_values import with_form_error
from state.listing import ExportTable, SearchedList

# In English as written; the page shows them with `t()`, the server with `_()`.
SUBJECT_LEVELS = {"primary": N_("Primary"), "o_level": N_("O-level"), "a_level": N_("A-level")}
SUBJECT_COLUMNS = {"code": N_("Code"), "name": N_("Subject"), "level": N_("Level")}


def subject_label(level: str) -> str:
    """A subject level's name in English (a message id): `_()` or `t()` shows it."""
    return SUBJECT_LEVELS.get(level, level)


def shown(subject: SubjectRow) -> dict[str, Any]:
    """A subject as the list shows it: the level by its name (translated in the browser)."""
    return {**subject, "level": subject_label(subject["level"])}


class SubjectsState(SearchedList, FormDialog, AuthState):
    read_permission: ClassVar[str] = MANAGE_SUBJECTS
    rows: list[dict[str, Any]] = []

    async def _subjects(self, user: CurrentUser) -> list[dict[str, Any]]:
        """Every subject the search matches (a short list: the service does not page it)."""
        return [shown(subject) for subject in await offload(academics.list_subjects, actor=user, search=self.search)]

    async def _fetch(self, user: CurrentUser) -> None:
        """The list's one loading step: the page on screen of what the search matches."""
        subjects = await self._subjects(user)
        per_page = self.per_page  # a short list: paged here rather than in SQL

        async def page_of(page: int) -> Page:
            return Page(subjects[(page - 1) * per_page : page * per_page], len(subjects))

        self.rows = (await self._fetch_page(page_of)).rows

    @rx.event
    async def load_subjects(self) -> Any:
        return await self._load_page()

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(MANAGE_SUBJECTS)
        if user is None:
            return None
        columns = {key: _(heading) for key, heading in SUBJECT_COLUMNS.items()}
        return "subjects", columns, [{**row, "level": _(row["level"])} for row in await self._subjects(user)]

    @rx.var
    def default_level(self) -> str:
        """A new subject's level: the school's own (O-level for secondary and combined)."""
        return "primary" if self.school_level == "primary" else "o_level"

    @rx.event
    async def open_new_subject(self) -> Any:
        if await self._actor(MANAGE_SUBJECTS) is None:
            return self._refused()
        self._open_editor()
        return None

    @rx.event
    async def add_subject(self, form: dict[str, str]) -> Any:
        user = await self._actor(MANAGE_SUBJECTS)
        if user is None:
            return self._refused()
        try:
            subject = await offload(
                academics.create_subject, actor=user, code=form.get("code", ""), name=form.get("name", ""), level=form.get("level", "")
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        self.editor_open = False
        await self._fetch(user)
        return rx.toast.success(format_message("Added {name} ({code}).", name=subject["name"], code=subject["code"]))

    @rx.event
    async def adopt_zimsec(self) -> Any:
        user = await self._actor(MANAGE_SUBJECTS)
        if user is None:
            return self._refused()
        added = await offload(academics.adopt_zimsec, actor=user)
        await self._fetch(user)
        if added == 0:
            return rx.toast.info(_("Every ZIMSEC subject for your school's level is already on your list."))
        return rx.toast.success(format_message("Added {count} subjects from the ZIMSEC list.", count=added))
