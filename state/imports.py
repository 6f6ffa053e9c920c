"""ImportState: bulk import of students with guardians, or of staff, from a CSV or Excel file.

The admin uploads a file, sees every problem (row, column, what is wrong) before anything is
written, and imports it in the background while a progress bar moves. The file stays on the
backend (a private var), never in the browser's state. Every handler re-checks the admin.
"""

import asyncio
from typing import Any

import reflex as rx
from sqlalchemy.exc import IntegrityError

from oneclass.db import tenant_session
from oneclass.permissions import PermissionDenied
from oneclass.services import imports
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from state.admin_users import NO_ACCESS, NO_PERMISSION, admin_user, refused
from state.auth import AuthState

UPLOAD_ID = "import_file"
SHOWN_ERRORS = 100  # the table shows this many; all of them can be downloaded
ACCEPT = {
    "text/csv": [".csv"],
    "application/vnd.ms-excel": [".csv"],
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": [".xlsx"],
}


def _preview(user: CurrentUser, kind: str, filename: str, content: bytes) -> imports.ImportPreview:
    with tenant_session(user.school_id) as session:
        return imports.preview_import(session, actor=user, kind=kind, filename=filename, content=content)


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

    _content: bytes = b""

    def _allowed(self) -> CurrentUser | None:
        return admin_user(self, imports.PERMISSIONS[self.kind])

    def _clear_preview(self) -> None:
        self.file_name, self.problems, self.errors, self.sample_columns, self.sample = "", [], [], [], []
        self.total_rows = self.valid_rows = self.error_rows = self.error_count = 0
        self._content = b""

    def _show(self, preview: imports.ImportPreview, content: bytes) -> None:
        self.file_name = preview.filename
        self.total_rows, self.valid_rows, self.error_rows = preview.rows, preview.valid_rows, preview.rows_with_errors
        self.problems = preview.problems
        self.error_count = len(preview.errors)
        self.errors = [
            {"row": str(error.row), "column": error.column or "(whole row)", "message": error.message}
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
    def load(self) -> Any:
        self._clear_preview()
        self.result = ""
        if self._allowed() is None:
            return refused(self, NO_ACCESS)
        return None

    @rx.event
    def set_kind(self, kind: str) -> Any:
        if kind not in imports.KINDS or self.importing:
            return None
        if admin_user(self, imports.PERMISSIONS[kind]) is None:
            return rx.toast.error(NO_PERMISSION)
        self.kind = kind
        self._clear_preview()
        self.result = ""
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    def download_template(self) -> Any:
        if self._allowed() is None:
            return rx.toast.error(NO_PERMISSION)
        return rx.download(data=imports.import_template(self.kind), filename=f"oneclass-{self.kind}-template.csv", mime_type="text/csv")

    @rx.event
    def file_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(f"Choose one .csv or .xlsx file of at most {imports.MAX_BYTES // (1024 * 1024)} MB.")

    @rx.event
    async def check_file(self, files: list[rx.UploadFile]) -> Any:
        """Read the upload into memory (never more than the cap and a byte) and check every row."""
        user = self._allowed()
        if user is None:
            yield rx.toast.error(NO_PERMISSION)
            return
        if self.importing:
            return
        self._clear_preview()
        self.result = ""
        if len(files) != 1:
            yield rx.toast.error("Choose one file first.")
            return
        content = await files[0].read(imports.MAX_BYTES + 1)
        filename = files[0].name or "upload"
        self.checking = True
        yield  # show that the file is being checked
        try:
            preview = await asyncio.to_thread(_preview, user, self.kind, filename, content)
        finally:
            self.checking = False
        self._show(preview, content)
        yield rx.clear_selected_files(UPLOAD_ID)

    @rx.event
    def download_problems(self) -> Any:
        user = self._allowed()
        if user is None:
            return rx.toast.error(NO_PERMISSION)
        if not self._content:
            return None
        report = imports.error_report(_preview(user, self.kind, self.file_name, self._content))
        return rx.download(data=report, filename="import-problems.csv", mime_type="text/csv")

    @rx.event
    def clear(self) -> Any:
        if self._allowed() is None:
            return rx.toast.error(NO_PERMISSION)
        if not self.importing:
            self._clear_preview()
        return rx.clear_selected_files(UPLOAD_ID)

    @rx.event(background=True)
    async def start_import(self) -> Any:
        """Write the checked file in one transaction, in a worker thread; `progress` moves the bar."""
        async with self:
            user = self._allowed()
            if user is None:
                return rx.toast.error(NO_PERMISSION)
            if not self.can_import or not self._content:
                return None
            kind, filename, content, ip = self.kind, self.file_name, self._content, self._client_ip()
            self.importing, self.done_rows, self.result = True, 0, ""
        loop = asyncio.get_running_loop()

        async def show_progress(done: int, total: int) -> None:
            async with self:
                self.done_rows, self.total_rows = done, total

        def progress(done: int, total: int) -> None:
            asyncio.run_coroutine_threadsafe(show_progress(done, total), loop).result()

        def write() -> int:
            with tenant_session(user.school_id) as session:
                count = imports.run_import(session, actor=user, kind=kind, filename=filename, content=content, ip=ip, progress=progress)
                session.commit()
            return count

        try:
            count = await asyncio.to_thread(write)
        except (ValidationFailed, IntegrityError, PermissionDenied) as refusal:
            preview = await asyncio.to_thread(_preview, user, kind, filename, content) if not isinstance(refusal, PermissionDenied) else None
            async with self:
                self.importing = False
                if preview is not None:
                    self._show(preview, content)
            if isinstance(refusal, PermissionDenied):
                return rx.toast.error(NO_PERMISSION)
            return rx.toast.error("The school's records changed since the file was checked: nothing was imported. See the problems below.")
        message = (
            f"Imported {count} students with their guardians."
            if kind == imports.STUDENTS
            else f"Imported {count} staff. Each can sign in once you send them a password reset link from Users."
        )
        async with self:
            self.importing = False
            self._clear_preview()
            self.done_rows = 0
            self.result = message
        return [rx.toast.success(message), rx.clear_selected_files(UPLOAD_ID)]
