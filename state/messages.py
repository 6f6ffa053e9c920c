"""The messages page's state (the reader's threads, paged; one thread open; a reply; a new
thread to someone the rules allow) and the navigation's unread count.

The count is asked for when a page mounts and then every `UNREAD_POLL_SECONDS` by the browser
while the tab is visible (`components/layout.unread_poller`). A poll sends back the version it
saw last (kept on the backend only): while nothing has moved it costs one Redis GET past the
sign-in check and changes nothing, so Reflex sends nothing back (`bench/messages.py`)."""

from typing import Any

import reflex as rx

from oneclass.i18n import _
from oneclass.offload import offload
from oneclass.services import messages
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.messages import Contact, ThreadMessage
from state.auth import AuthState
from state.form_values import browser_id, with_form_error
from state.listing import PagedList

UNREAD_POLL_SECONDS = 30


class UnreadState(AuthState):
    unread: int = 0
    _seen: int | None = None  # the unread version the last count answered

    async def _ask(self, seen: int | None) -> None:
        user = await self._actor(messages.MESSAGE)
        if user is None:
            self._seen = None
            if self.unread:
                self.unread = 0
            return
        polled = await offload(messages.poll_unread, actor=user, seen=seen)
        self._seen = polled.version
        if polled.count is not None and polled.count != self.unread:
            self.unread = polled.count  # assigned only when it moved: every assignment is sent

    @rx.event
    async def refresh_unread(self) -> None:
        """A page mounted, or the reader opened a thread: count again."""
        await self._ask(None)

    @rx.event
    async def poll_unread(self) -> None:
        """The periodic question: count again only if the reader's version moved."""
        await self._ask(self._seen)


class MessagesState(PagedList, AuthState):
    read_permission = messages.MESSAGE
    per_page = 20

    rows: list[dict[str, Any]] = []
    # The open thread.
    thread_id: str = ""
    subject: str = ""
    other: str = ""
    thread: list[ThreadMessage] = []
    reply_error: str = ""
    # A new thread.
    compose_open: bool = False
    contacts: list[Contact] = []
    contact_search: str = ""
    errors: dict[str, str] = {}

    async def _export_table(self) -> None:
        return None  # conversations are private: no export

    async def _fetch(self, user: CurrentUser) -> None:
        found = await self._fetch_page(lambda page: offload(messages.list_threads, actor=user, page=page, per_page=self.per_page))
        self.rows = found.rows

    @rx.event
    async def load_messages(self) -> Any:
        self.thread_id, self.thread = "", []
        return await self._load_page()

    async def _show(self, user: CurrentUser, thread_id: str) -> None:
        opened = await offload(messages.open_thread, actor=user, thread_id=browser_id(thread_id))
        self.thread_id, self.subject, self.other, self.thread, self.reply_error = opened.id, opened.subject, opened.other, opened.messages, ""

    @rx.event
    async def open_thread(self, thread_id: str) -> Any:
        user = await self._actor(messages.MESSAGE)
        if user is None:
            return self._refused()
        try:
            await self._show(user, thread_id)
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._fetch(user)
        return [UnreadState.refresh_unread, rx.set_focus("thread-heading")]

    @rx.event
    async def send_reply(self, form: dict[str, Any]) -> Any:
        user = await self._actor(messages.MESSAGE)
        if user is None:
            return self._refused()
        try:
            await offload(messages.reply, actor=user, thread_id=browser_id(self.thread_id), body=str(form.get("body", "")))
        except ValidationFailed as refusal:
            self.reply_error = " ".join(refusal.errors.values())
            return None
        except NotFound as missing:
            return rx.toast.error(missing.message)
        await self._show(user, self.thread_id)
        await self._fetch(user)
        return rx.set_value("reply-body", "")

    @rx.event
    async def open_compose(self) -> Any:
        user = await self._actor(messages.MESSAGE)
        if user is None:
            return self._refused()
        self.contact_search, self.errors = "", {}
        self.contacts = await offload(messages.contacts, actor=user)
        self.compose_open = True
        return None

    @rx.event
    def set_compose_open(self, is_open: bool) -> None:
        self.compose_open = is_open

    @rx.event
    async def search_contacts(self, value: str) -> Any:
        user = await self._actor(messages.MESSAGE)
        if user is None:
            return self._refused()
        self.contact_search = value[:100]
        self.contacts = await offload(messages.contacts, actor=user, search=self.contact_search)
        return None

    @rx.event
    async def start_thread(self, form: dict[str, Any]) -> Any:
        user = await self._actor(messages.MESSAGE)
        if user is None:
            return self._refused()
        recipient = str(form.get("recipient", ""))
        if not recipient:
            self.errors = with_form_error({"recipient": _("Choose who to write to.")})
            return None
        try:
            thread_id = await offload(
                messages.start_thread, actor=user, recipient_id=browser_id(recipient), subject=str(form.get("subject", "")), body=str(form.get("body", ""))
            )
        except ValidationFailed as refusal:
            self.errors = with_form_error(refusal.errors)
            return None
        except NotFound as missing:
            self.errors = with_form_error({"recipient": missing.message})
            return None
        self.compose_open, self.errors, self.page = False, {}, 1
        await self._show(user, thread_id)
        await self._fetch(user)
        return rx.toast.success(_("Message sent."))
