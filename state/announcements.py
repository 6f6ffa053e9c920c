"""The announcements page's state: the announcements addressed to the reader (paged, newest
first; shown whole, they count as read), posting one with an optional attachment, withdrawing
one after a confirmation, and downloading an attachment (served only to its audience); and the
dashboards' card of the latest three."""

from typing import Any

import reflex as rx

from oneclass.i18n import _
from oneclass.offload import offload
from oneclass.permissions import can
from oneclass.services import announcements
from oneclass.services.announcements import AnnouncementInput, AnnouncementRow, Attachment
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from state.auth import NO_ACCESS, AuthState
from state.form_values import browser_id, with_form_error
from state.listing import PagedList

ATTACHMENT_UPLOAD_ID = "announcement_attachment"


class AnnouncementsState(PagedList, AuthState):
    read_permission = announcements.READ
    per_page = 10

    rows: list[AnnouncementRow] = []
    may_post: bool = False
    audiences: dict[str, str] = {}
    levels: dict[str, str] = {}
    classes: dict[str, str] = {}
    roles: dict[str, str] = {}
    # The form: what the reader has typed and chosen so far.
    audience: str = ""
    target: str = ""
    title: str = ""
    body: str = ""
    errors: dict[str, str] = {}
    # The withdrawal's confirmation.
    withdraw_open: bool = False
    withdraw_id: str = ""
    withdraw_title: str = ""

    async def _export_table(self) -> None:
        return None  # the page offers no export of what people were told

    async def _fetch(self, user: CurrentUser) -> None:
        found = await self._fetch_page(lambda page: offload(announcements.read_announcements, actor=user, page=page, per_page=self.per_page))
        self.rows = found.rows  # type: ignore[assignment]

    @rx.event
    async def load_announcements(self) -> Any:
        user = await self._actor(announcements.READ)
        if user is None:
            self.rows, self.may_post = [], False
            return self._refused(NO_ACCESS)
        self.may_post = can(user, announcements.ANNOUNCE)
        if self.may_post:
            choices = await offload(announcements.audience_choices, actor=user)
            self.audiences, self.levels, self.classes, self.roles = choices["audiences"], choices["levels"], choices["classes"], choices["roles"]
            if self.audience not in self.audiences:
                self.audience, self.target = next(iter(self.audiences), ""), ""
        await self._fetch(user)
        return None

    @rx.var
    def targets(self) -> dict[str, str]:
        """The choices for the chosen kind of audience (none for the whole school)."""
        return {"level": self.levels, "class": self.classes, "role": self.roles}.get(self.audience, {})

    @rx.event
    def set_audience(self, value: str) -> None:
        self.audience, self.target = value, ""

    @rx.event
    def set_target(self, value: str) -> None:
        self.target = value

    @rx.event
    def set_title(self, value: str) -> None:
        self.title = value[: announcements.MAX_TITLE + 1]

    @rx.event
    def set_body(self, value: str) -> None:
        self.body = value[: announcements.MAX_BODY + 1]

    @rx.event
    def attachment_rejected(self, _rejected: list[dict[str, Any]]) -> Any:
        return rx.toast.error(_("Attach one PDF, PNG or JPEG file of at most 5 MB."))

    @rx.event
    async def post(self, files: list[rx.UploadFile]) -> Any:
        """Post what the form holds, with the chosen file if any (read capped one byte past the
        limit, so the service sees a file too large as one)."""
        user = await self._actor(announcements.ANNOUNCE)
        if user is None:
            return self._refused()
        if len(files) > 1:
            return rx.toast.error(_("Attach one PDF, PNG or JPEG file of at most 5 MB."))
        attachment = Attachment(name=files[0].name or "", data=await files[0].read(announcements.MAX_ATTACHMENT_BYTES + 1)) if files else None
        data = AnnouncementInput(audience=self.audience, target=self.target, title=self.title, body=self.body, attachment=attachment)
        try:
            await offload(announcements.post_announcement, actor=user, data=data)
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            return rx.toast.error(missing.message)
        self.errors, self.title, self.body, self.page = {}, "", "", 1
        await self._fetch(user)
        return [
            rx.clear_selected_files(ATTACHMENT_UPLOAD_ID), rx.set_value("announcement-title", ""), rx.set_value("announcement-body", ""),
            rx.toast.success(_("Announcement posted.")),
        ]

    @rx.event
    async def ask_withdraw(self, announcement_id: str) -> Any:
        if await self._actor(announcements.ANNOUNCE) is None:
            return self._refused()
        row = next((r for r in self.rows if r["id"] == announcement_id and r["mine"]), None)
        if row is None:
            return None
        self.withdraw_id, self.withdraw_title, self.withdraw_open = announcement_id, row["title"], True
        return None

    @rx.event
    def set_withdraw_open(self, is_open: bool) -> None:
        self.withdraw_open = is_open

    @rx.event
    async def withdraw(self) -> Any:
        user = await self._actor(announcements.ANNOUNCE)
        self.withdraw_open = False
        if user is None:
            return self._refused()
        try:
            await offload(announcements.withdraw_announcement, actor=user, announcement_id=browser_id(self.withdraw_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        return rx.toast.success(_("Announcement withdrawn."))

    @rx.event
    async def download(self, announcement_id: str) -> Any:
        user = await self._actor(announcements.READ)
        if user is None:
            return self._refused()
        try:
            name, content_type, data = await offload(announcements.attachment, actor=user, announcement_id=browser_id(announcement_id))
        except NotFound as missing:
            return rx.toast.error(missing.message)
        return rx.download(data=data, filename=name, mime_type=content_type)


class LatestAnnouncementsState(AuthState):
    """The dashboards' card: the newest three announcements addressed to the reader."""

    latest: list[AnnouncementRow] = []

    @rx.event
    async def load_latest_announcements(self) -> Any:
        user = await self._actor(announcements.READ)
        if user is None:
            self.latest = []
            return self._refused(NO_ACCESS)  # one toast with the dashboard's own (the same id)
        self.latest = await offload(announcements.latest_announcements, actor=user)
        return None
