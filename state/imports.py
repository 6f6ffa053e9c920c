"""ImportState: the one bulk import (students with guardians, staff, or users) from a CSV or
Excel file.

The admin uploads a file, sees every problem (row, column, what is wrong) before anything is
written, and imports it in the background while a progress bar moves. The file stays on the
backend (a private var), never in the browser's state. Every handler asks `_actor` for the
kind's permission first and calls `oneclass.services.imports` off the loop.
"""

import asyncio
from typing import Any

import reflex as rx

from oneclass.i18n import N_, _, format_message
from oneclass.offload import offload
from oneclass.permissions import PermissionDenied
from oneclass.services import imports, jobs
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, ValidationFailed
from state.auth import NO_ACCESS, NO_PERMISSION, AuthState
from state.jobs import follow_job

UPLOAD_ID = "import_file"
SHOWN_ERRORS = 100  # the table shows this many; all of them can be downloaded
ACCEPT = {
    "text/csv": [".csv"],
    "application/vnd.ms-excel": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}
RECORDS_CHANGED = N_("The school's records changed since the file was checked: nothing was imported. See the problems below.")


class ImportState(AuthState):
    kind: str = imports.STUDENTS

    # The checked file: counts, problems and the first rows.
    file_name: str = ""
    total_rows: int = 0
    valid_rows: int = 0
    error_rows: int = 0
    error_count: int = 0
    problems: list[str] = []
    errors: list[dict[str, str]] = []
    sample_columns: list[str] = []
    sample: list[list[str]] = []
    checking: bool = False

    # The import under way, then its outcome.
    importing: bool = False
    done_rows: int = 0
    result: str = ""
    # A large file's import runs as a background job: what it says while it runs, or why it failed.
    job_message: str = ""
    job_failure: str = ""

    _content: bytes = b""

    async def _allowed(self, kind: str | None = None) -> CurrentUser | None:
        return await self._actor(imports.PERMISSIONS[kind or self.kind])

    def _clear_preview(self) -> None:
        self.file_name, self.problems, self.errors, self.sample_columns, self.sample = "", [], [], [], []
        self.total_rows = self.valid_rows = self.error_rows = self.error_count = 0
        self._content = b""
        self.job_failure = ""

    def _show(self, preview: imports.ImportPreview, content: bytes) -> None:
        self.file_name = preview.filename
        self.total_rows, self.valid_rows, self.error_rows = preview.rows, preview.valid_rows, preview.rows_with_errors
        self.problems = preview.problems
        self.error_count = len(preview.errors)
        self.errors = [
            {"row": str(error.row), "column": error.column or _("(whole row)"), "message": error.message}
            for error in preview.errors[:SHOWN_ERRORS]
        ]
        self.sample_columns, self.sample = preview.sample_columns, preview.sample
        self._content = content

    @rx.var
    def can_import(self) -> bool:
        return self.file_name != "" and self.error_count == 0 and not self.problems and self.valid_rows > 0 and not self.importing

    @rx.var
    def progress_percent(self) -> int:
        return round(100 * self.done_rows / self.total_rows) if self.total_rows else 0

    @rx.var
    def more_errors(self) -> int:
        return max(0, self.error_count - SHOWN_ERRORS)

    @rx.event
    async def load(self) -> Any:
        """on_load: a clean page, on the kind the link asked for (`?kind=users` from Users)."""
        self._clear_preview()
        self.result = ""
        if not self.importing:
            asked = self.router.url.query_parameters.get("kind", "")
            self.kind = asked if asked in imports.KINDS else self.kind
        if await self._allowed() is None:
            return self._refused(NO_ACCESS)
        return None

    @rx.event
    async def set_kind(self, kind: str) -> Any:
        if kind not in imports.KINDS or self.importing:
            return None
        if await self._allowed(kind) is None:
            return self._refused()
        self.kind = kind
        self._clear_preview()
        self.result = ""
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    async def download_template(self) -> Any:
        if await self._allowed() is None:
            return self._refused()
        template = await offload(imports.import_template, self.kind)
        return rx.download(data=template, filename=f"oneclass-{self.kind}-template.csv", mime_type="text/csv")

    @rx.event
    def file_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(format_message("Choose one .csv or .xlsx file of at most {size} MB.", size=imports.MAX_BYTES // (1024 * 1024)))

    @rx.event
    async def check_file(self, files: list[rx.UploadFile]) -> Any:
        """Read the upload into memory (never more than the cap and a byte) and check every row."""
        user = await self._allowed()
        if user is None:
            yield self._refused()
            return
        if self.importing:
            return
        self._clear_preview()
        self.result = ""
        if len(files) != 1:
            yield rx.toast.error(_("Choose one file first."))
            return
        content = await files[0].read(imports.MAX_BYTES + 1)
        filename = files[0].name or "upload"
        self.checking = True
        yield  # show that the file is being checked
        try:
            preview = await offload(imports.preview_import, actor=user, kind=self.kind, filename=filename, content=content)
        finally:
            self.checking = False
        self._show(preview, content)
        yield rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    async def download_problems(self) -> Any:
        user = await self._allowed()
        if user is None:
            return self._refused()
        if not self._content:
            return None
        report = await offload(imports.problems_report, actor=user, kind=self.kind, filename=self.file_name, content=self._content)
        return rx.download(data=report, filename="import-problems.csv", mime_type="text/csv")

    @rx.event
    async def clear(self) -> Any:
        if await self._allowed() is None:
            return self._refused()
        if not self.importing:
            self._clear_preview()
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event(background=True)
    async def start_import(self) -> Any:
        """Write the checked file in one transaction, on the service threads; `progress` moves the bar."""
        async with self:
            user = await self._allowed()
            if user is None:
                return self._refused()
            if not self.can_import or not self._content:
                return None
            kind, filename, content, ip = self.kind, self.file_name, self._content, self._client_ip()
            in_background = self.valid_rows >= imports.LARGE_IMPORT_ROWS
            self.importing, self.done_rows, self.result, self.job_message, self.job_failure = True, 0, "", "", ""
        if in_background:
            return await self._import_as_job(user, kind, filename, content, ip)
        loop = asyncio.get_running_loop()

        async def show_progress(done: int, total: int) -> None:
            async with self:
                self.done_rows, self.total_rows = done, total

        def progress(done: int, total: int) -> None:
            asyncio.run_coroutine_threadsafe(show_progress(done, total), loop).result()

        try:
            count = await offload(imports.run_import, actor=user, kind=kind, filename=filename, content=content, ip=ip, progress=progress)
        except PermissionDenied:
            async with self:
                self.importing = False
            return rx.toast.error(_(NO_PERMISSION))
        except (ValidationFailed, Conflict):
            return await self._show_what_changed(user, kind, filename, content, _(RECORDS_CHANGED))
        return await self._imported(format_message(imports.IMPORT_DONE[kind], count=count))

    async def _import_as_job(self, user: CurrentUser, kind: str, filename: str, content: bytes, ip: str | None) -> Any:
        """A large file: queue it, then follow the job until it has finished."""
        try:
            job_id = await offload(imports.start_import_job, actor=user, kind=kind, filename=filename, content=content, ip=ip)
        except PermissionDenied:
            async with self:
                self.importing = False
            return rx.toast.error(_(NO_PERMISSION))

        def show(job: jobs.JobRow) -> None:
            self.done_rows, self.total_rows = job["done"], job["total"] or self.total_rows
            self.job_message = "" if job["finished"] else job["message"]

        job = await follow_job(self, user, job_id, show)
        if job["status"] == "succeeded":
            return await self._imported(job["message"])
        # Checked again inside the job's transaction: show what changed, and the job's own words.
        return await self._show_what_changed(user, kind, filename, content, job["message"])

    async def _show_what_changed(self, user: CurrentUser, kind: str, filename: str, content: bytes, why: str) -> Any:
        preview = await offload(imports.preview_import, actor=user, kind=kind, filename=filename, content=content)
        async with self:
            self.importing = False
            self._show(preview, content)
            self.job_failure = why
        return rx.toast.error(why)

    async def _imported(self, message: str) -> Any:
        async with self:
            self.importing = False
            self._clear_preview()
            self.done_rows = 0
            self.result = message
        return [rx.toast.success(message), rx.clear_selected_files(UPLOAD_ID)]
