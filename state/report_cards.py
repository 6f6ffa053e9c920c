"""Report cards in the browser: the report-cards page (comments by the class teacher and the head;
publishing a class's or a level's cards with a live progress bar, then the ZIP), and the cards a
student or a parent downloads from their own pages.

Every handler asks `_actor` first and calls `oneclass.services.report_cards` off the loop; the
service decides whose comments, cards and ZIPs each person reaches. Publishing is two events:
`publish` queues the job and shows it; the page then starts `follow_publishing` (a background
event) for that job, which reads its progress until it has finished."""

from typing import Any, ClassVar

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.services import report_cards
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.gradebook import READ_GRADES
from oneclass.services.jobs import JobRow
from oneclass.services.report_cards import COMMENT, PUBLISH, ReportFile
from state.auth import NO_ACCESS, AuthState
from state.dialogs import ConfirmDialog, FormDialog
from state.form_values import browser_id, with_form_error
from state.jobs import follow_job
from state.listing import ExportTable, SearchedList

COMMENT_COLUMNS = {
    "name": N_("Name"),
    "admission_number": N_("Admission no."),
    "teacher_comment": N_("Class teacher's comment"),
    "head_comment": N_("Head's comment"),
}
MAKING = N_("Made {done} of {total} report cards…")


def _download(found: ReportFile) -> Any:
    return rx.download(data=found.content, filename=found.filename, mime_type=found.mime_type)


class ReportCardsState(FormDialog, ConfirmDialog, SearchedList, AuthState):
    read_permission: ClassVar[str] = COMMENT
    per_page: ClassVar[int] = 20
    rows: list[dict[str, Any]] = []

    term_choices: dict[str, str] = {}
    term_id: str = ""
    class_choices: dict[str, str] = {}
    class_id: str = ""
    may_publish: bool = False
    scope_choices: dict[str, str] = {}
    scope: str = ""
    publications: list[dict[str, Any]] = []

    # The comment dialog (FormDialog): the student and what is written now.
    editing: dict[str, str] = {}

    # The publishing job on screen: "" when none; then its progress, and the finished one's ZIP.
    job_id: str = ""
    job_active: bool = False
    job_percent: int = 0
    job_status: str = ""
    job_failure: str = ""
    zip_job_id: str = ""
    job_done: str = ""

    async def _fetch(self, user: CurrentUser) -> None:
        if not (self.term_id and self.class_id):
            self.rows, self.total = [], 0
            return
        found = await self._fetch_page(
            lambda page: offload(
                report_cards.comment_page, actor=user, term_id=browser_id(self.term_id), class_id=browser_id(self.class_id),
                search=self.search, page=page, per_page=self.per_page,
            )
        )
        self.rows = found.rows

    async def _options(self, user: CurrentUser) -> None:
        options = await offload(report_cards.report_options, actor=user, term_id=self.term_id or None)
        self.term_choices = {t["value"]: t["label"] for t in options.terms}
        self.term_id = options.term_id
        self.class_choices = {c["value"]: c["label"] for c in options.classes}
        if self.class_id not in self.class_choices:
            self.class_id = next(iter(self.class_choices), "")
        self.may_publish = options.may_publish
        self.scope_choices = {
            **{f"level:{level['value']}": format_message("All of {level}", level=level["label"]) for level in options.levels},
            **{f"class:{value}": label for value, label in self.class_choices.items()},
        }
        if self.scope not in self.scope_choices:
            self.scope = next(iter(self.scope_choices), "")
        await self._publications(user)

    async def _publications(self, user: CurrentUser) -> None:
        if not (self.may_publish and self.term_id):
            self.publications = []
            return
        self.publications = [dict(row) for row in await offload(report_cards.publication_status, actor=user, term_id=browser_id(self.term_id))]

    @rx.event
    async def load_report_cards(self) -> Any:
        user = await self._actor(COMMENT)
        if user is None:
            self.rows, self.total, self.term_choices, self.class_choices, self.publications = [], 0, {}, {}, []
            return self._refused(NO_ACCESS)
        await self._options(user)
        self.page = 1
        await self._fetch(user)
        return None

    @rx.event
    async def choose_term(self, value: str) -> Any:
        user = await self._actor(COMMENT)
        if user is None:
            return self._refused()
        if value not in self.term_choices:
            return None
        self.term_id, self.page = value, 1
        self.job_id, self.zip_job_id, self.job_done, self.job_failure = "", "", "", ""
        await self._options(user)
        await self._fetch(user)
        return None

    @rx.event
    async def choose_class(self, value: str) -> Any:
        if await self._actor(COMMENT) is None:
            return self._refused()
        if value not in self.class_choices:
            return None
        return await self._refilter(class_id=value)

    @rx.event
    async def choose_scope(self, value: str) -> Any:
        if await self._actor(PUBLISH) is None:
            return self._refused()
        if value in self.scope_choices:
            self.scope = value
            self.zip_job_id, self.job_done, self.job_failure = "", "", ""
        return None

    # --- comments ---------------------------------------------------------------------------

    @rx.event
    async def open_comment(self, student_id: str) -> Any:
        if await self._actor(COMMENT) is None:
            return self._refused()
        row = next((r for r in self.rows if r["student_id"] == student_id), None)
        if row is None:
            return None
        self.editing = {key: str(row[key]) for key in ("student_id", "name", "teacher_comment", "head_comment")}
        self._open_editor()
        return None

    @rx.event
    async def save_comment(self, form: dict[str, str]) -> Any:
        user = await self._actor(COMMENT)
        if user is None:
            return self._refused()
        if not self.editing:
            return None
        try:
            saved = await offload(
                report_cards.save_comment, actor=user, term_id=browser_id(self.term_id), student_id=browser_id(self.editing["student_id"]),
                teacher_comment=form.get("teacher_comment"), head_comment=form.get("head_comment") if self.may_publish else None,
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            self.errors = {"form": missing.message}
            return None
        self.rows = [dict(saved) if r["student_id"] == saved["student_id"] else r for r in self.rows]
        self.editor_open, self.editing = False, {}
        return rx.toast.success(format_message("Saved the comments for {name}.", name=saved["name"]))

    async def _export_table(self) -> ExportTable | None:
        user = await self._actor(COMMENT)
        if user is None:
            return None
        if not (self.term_id and self.class_id):
            return "report-comments", COMMENT_COLUMNS, []
        rows = await self._every_row_of(
            report_cards.comment_page, actor=user, term_id=browser_id(self.term_id), class_id=browser_id(self.class_id), search=self.search
        )
        return "report-comments", COMMENT_COLUMNS, rows

    @rx.event
    async def download_card(self, student_id: str) -> Any:
        """A student's card for the chosen term as it stands (published or not): for checking."""
        user = await self._actor(COMMENT)
        if user is None:
            return self._refused()
        try:
            found = await offload(report_cards.report_card_pdf, actor=user, student_id=browser_id(student_id), term_id=browser_id(self.term_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return _download(found)

    # --- publishing -------------------------------------------------------------------------

    @rx.event
    async def ask_publish(self) -> Any:
        if await self._actor(PUBLISH) is None:
            return self._refused()
        if self.scope in self.scope_choices:
            self._ask(f"{self.scope_choices[self.scope]}, {self.term_choices.get(self.term_id, '')}")
        return None

    @rx.event
    async def publish(self) -> Any:
        user = await self._actor(PUBLISH)
        if user is None:
            return self._refused()
        self.confirm_open = False
        try:
            job_id = await offload(report_cards.publish_report_cards, actor=user, term_id=browser_id(self.term_id), scope=self.scope)
        except (NotFound, ValidationFailed) as refusal:
            message = refusal.message if isinstance(refusal, NotFound) else " ".join(refusal.errors.values())
            return rx.toast.error(message)
        self.job_id, self.job_active, self.job_percent, self.job_failure, self.zip_job_id, self.job_done = job_id, True, 0, "", "", ""
        self.job_status = _("Waiting for a worker…")
        return None

    @rx.event(background=True)
    async def follow_publishing(self) -> Any:
        """Show the publishing job's progress until it has finished (the page starts this)."""
        async with self:
            user = await self._actor(PUBLISH)
            if user is None:
                return self._refused()
            job_id = self.job_id
        if not job_id:
            return None

        def show(job: JobRow) -> None:
            if job["status"] == "running" and job["total"]:
                self.job_status = format_message(MAKING, done=job["done"], total=job["total"])
            self.job_percent = job["percent"]

        job = await follow_job(self, user, job_id, show)
        async with self:
            if self.job_id != job_id:
                return None  # another job took its place meanwhile
            self.job_active, self.job_id = False, ""
            if job["status"] != "succeeded":
                self.job_failure = job["message"]
                return rx.toast.error(job["message"])
            self.zip_job_id, self.job_done = job_id, job["message"]
            await self._publications(user)
        return rx.toast.success(job["message"])

    @rx.event
    async def download_zip(self) -> Any:
        user = await self._actor(PUBLISH)
        if user is None:
            return self._refused()
        if not self.zip_job_id:
            return None
        try:
            found = await offload(report_cards.report_zip, actor=user, job_id=self.zip_job_id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return _download(found)


class MyReportCardsState(AuthState):
    """The published cards of a student, on their own profile or their parent's children page."""

    cards: list[dict[str, str]] = []
    student_id: str = ""

    async def _show(self, user: CurrentUser, student_id: str | None) -> None:
        found = await offload(report_cards.published_report_cards, actor=user, student_id=browser_id(student_id) if student_id else None)
        self.student_id, self.cards = found.student_id, [{"term_id": row["term_id"], "label": row["label"]} for row in found.cards]

    @rx.event
    async def load_own_cards(self) -> Any:
        self.cards, self.student_id = [], ""
        user = await self._actor("dashboard.student")
        if user is None:
            return self._refused(NO_ACCESS)
        await self._show(user, None)
        return None

    @rx.event
    async def show_cards(self, student_id: str) -> Any:
        self.cards, self.student_id = [], ""
        user = await self._actor(READ_GRADES)
        if user is None:
            return self._refused()
        try:
            await self._show(user, student_id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return None

    @rx.event
    async def download(self, term_id: str) -> Any:
        user = await self._actor(READ_GRADES)
        if user is None:
            return self._refused()
        if not self.student_id:
            return None
        try:
            found = await offload(report_cards.report_card_pdf, actor=user, student_id=browser_id(self.student_id), term_id=browser_id(term_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return _download(found)
