"""A browser for tests, in process: tabs that send events to the app's handlers through the path a
websocket event takes (Reflex's `EventNamespace.on_event`, the app's event processor with its
middleware, the state manager, chained events), and uploads through the path the upload endpoint
takes after parsing the form. What comes back (state deltas, frontend events such as toasts and
redirects, exceptions) is kept per tab.

Only the socket itself is left out: a connection is registered the way `on_connect` registers it
(its token, and the router data Reflex builds once per connection from the request's headers),
and what the app emits is recorded instead of sent.
"""

import asyncio
import contextvars
import io
import json
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from reflex.app import App
from reflex.istate.manager.memory import StateManagerMemory
from reflex.state import BaseState, State, StateUpdate
from reflex_base.event import Event
from reflex_base.event.processor import BaseStateEventProcessor
from reflex_components_core.core._upload import UploadFile
from starlette.datastructures import Headers


def every_state(root: type[BaseState] = State) -> Iterator[type[BaseState]]:
    """`root` and every state under it, depth first, in a stable order."""
    yield root
    for substate in sorted(root.get_substates(), key=lambda cls: cls.get_full_name()):
        yield from every_state(substate)


def event_name(state: type[BaseState], handler: str) -> str:
    """The name a browser gives an event: the state's full path, then the handler."""
    return f"{state.get_full_name()}.{handler}"


@dataclass
class Tab:
    """One browser tab: its token and connection, and everything the app sent it."""

    browser: "Browser"
    token: str
    sid: str
    updates: list[StateUpdate] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)

    def send(self, name: str, payload: Mapping[str, Any] | None = None, *, page: str | None = None) -> None:
        """Send one event as the frontend does and wait until it and every event it chained ran."""
        self.browser.run(self._send(name, dict(payload or {}), page))

    def upload(self, name: str, files: list[tuple[str, bytes, str]], param: str = "files") -> None:
        """Call an upload handler as the upload endpoint does: (filename, content, content type)."""
        uploads = [
            UploadFile(file=io.BytesIO(content), path=Path(filename), size=len(content), headers=Headers({"content-type": content_type}))
            for filename, content, content_type in files
        ]
        self.browser.run(self._upload(Event(name=name, payload={param: uploads})))

    async def _send(self, name: str, payload: dict[str, Any], page: str | None) -> None:
        path = page or self.browser.pages[self.token]
        self.browser.pages[self.token] = path
        data = {"name": name, "payload": payload, "router_data": {"pathname": path.split("?")[0], "asPath": path, "query": {}}}
        await self.browser.app.event_namespace.on_event(self.sid, data)
        await self.browser.settle()

    async def _upload(self, event: Event) -> None:
        async for delta in self.browser.processor.enqueue_stream_delta(self.token, event):
            self.updates.append(StateUpdate(delta=delta))
        await self.browser.settle()

    # --- what came back ---------------------------------------------------------------------

    def deltas(self) -> list[Mapping[str, Any]]:
        return [update.delta for update in self.updates if update.delta]

    def frontend_events(self) -> list[Event]:
        return [event for update in self.updates for event in update.events]

    def text(self, updates: list[StateUpdate] | None = None) -> str:
        """Everything the tab received (or those `updates`), as one string to search."""
        chosen = self.updates if updates is None else updates
        return json.dumps([{"delta": u.delta, "events": [(e.name, e.payload) for e in u.events]} for u in chosen], default=str)

    def value(self, state: type[BaseState], var: str) -> Any:
        """The last value of `var` of `state` the tab was sent (None: never sent)."""
        key, found = state.get_full_name(), None
        for delta in self.deltas():
            for name, value in delta.get(key, {}).items():
                if name.split("_rx_state_")[0] == var:
                    found = value
        return found

    def clear(self) -> None:
        self.updates.clear()
        self.errors.clear()


class Browser:
    """The app's event processor on an in-memory state manager, and the tabs connected to it."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        # Every step runs in this one context: the processor keeps its root context in it.
        self.context = contextvars.copy_context()
        self.context.run(app._set_contexts_internal)
        self.tabs: dict[str, Tab] = {}
        self.pages: dict[str, str] = {}
        self.processor = BaseStateEventProcessor(middleware=app, backend_exception_handler=self._exception)
        self.state_manager = StateManagerMemory()
        self.processor.configure(state_manager=self.state_manager, event_namespace=self)  # type: ignore[arg-type]
        self._previous_processor = app._event_processor
        app._event_processor = self.processor
        self.run(self.processor.start())

    def close(self) -> None:
        self.run(self.processor.stop())
        self.run(self.state_manager.close())
        self.app._event_processor = self._previous_processor
        self.loop.close()

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(self.loop.create_task(coroutine, context=self.context))

    def connect(self, *, origin: str, ip: str, page: str = "/", cookies: Mapping[str, str] | None = None, token: str | None = None) -> Tab:
        """A tab opened at `origin` + `page` from address `ip`: the connection registered as
        `on_connect` registers it, then the hydrate event the frontend sends first, carrying the
        browser's cookies (`{var name: value}` of AuthState-style cookie vars). `token`: reconnect
        an existing tab (same state) over a new connection, as a browser does after a drop."""
        token = token or str(uuid.uuid4())
        sid = uuid.uuid4().hex
        namespace = self.app.event_namespace
        assert namespace is not None
        environ = {"asgi.scope": {"headers": [(b"origin", origin.encode()), (b"host", origin.split("://")[-1].encode())], "client": (ip, 50000)}}
        namespace.sid_to_token[sid] = token
        namespace._static_router_data[sid] = namespace._build_static_router_data(sid, environ)
        tab = Tab(self, token, sid)
        self.tabs[token] = tab
        self.pages[token] = page
        tab.send(event_name(State, "hydrate_and_load"), {"vars": dict(cookies or {})}, page=page)
        return tab

    async def settle(self) -> None:
        """Wait until the queue is empty and no handler (background ones too) is running."""
        while True:
            await self.processor.join()
            tasks = [task for task in self.processor._tasks.values() if not task.done()]
            if not tasks and not self.processor._token_queues:
                await asyncio.sleep(0)
                if not self.processor._tasks and not self.processor._token_queues:
                    return
                continue
            if tasks:
                await asyncio.wait(tasks)
            else:
                await asyncio.sleep(0)

    # --- what the processor emits (in place of EventNamespace.emit_update) -------------------

    async def emit_update(self, update: StateUpdate, token: str) -> None:
        if (tab := self.tabs.get(token)) is not None:
            tab.updates.append(update)

    def _exception(self, exception: Exception) -> Any:
        from reflex_base.event.context import EventContext

        try:
            token = EventContext.get().token
        except LookupError:
            token = ""
        if (tab := self.tabs.get(token)) is not None:
            tab.errors.append(exception)
        return self.app.backend_exception_handler(exception)


def cookie_vars(state: type[BaseState], values: Mapping[str, str]) -> dict[str, str]:
    """The hydrate event's `vars` for cookie vars of `state`: `{full var name: value}`."""
    return {f"{state.get_full_name()}.{name}": value for name, value in values.items()}
