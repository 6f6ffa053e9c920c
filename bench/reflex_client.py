"""A tab without a browser: Reflex's websocket event protocol spoken as the frontend speaks it, for
the load generator (bench/load.py) and its tests.

What a browser tab does, and so what this does:
- opens one socket.io connection (Engine.IO 4 over a websocket) at `/_event/` with its token in
  the query and the school's origin, and joins the `/_event` namespace;
- on connect sends `hydrate_and_load` with the page's route and the browser storage it holds
  (our cookies: the sign-in tokens), which answers with the state and runs the page's on-load
  events;
- on a client-side navigation sends `update_vars_internal` (the storage again) and
  `on_load_internal` with the new route;
- sends events by their handler's full name and reads the state deltas that come back.

There is no end-of-event marker on the wire (an event that changes nothing sends nothing back),
so a caller waits for the delta that answers it: `until(state, var)`.

Loopback only: a bench must not become a tool for loading someone else's server.
"""

import asyncio
import ipaddress
import json
import socket
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from reflex.state import OnLoadInternalState, State, UpdateVarsInternalState
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Message, Ping, RejectConnection, Request, TextMessage

NAMESPACE = "/_event"
VAR_SUFFIX = "_rx_state_"  # how a var's name travels in a delta


class ProtocolError(Exception):
    """The server answered something a browser would not have accepted."""


def is_loopback(host: str) -> bool:
    """`host` is this machine: a `*.localhost` name (Chromium's rule) or a loopback address."""
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(host, None))
    except (socket.gaierror, ValueError):
        return False


def handler_name(state: type[Any], handler: str) -> str:
    """The name a browser gives an event: the state's full path, then the handler."""
    return f"{state.get_full_name()}.{handler}"


@dataclass
class Update:
    received_at: float
    delta: dict[str, dict[str, Any]]
    events: list[dict[str, Any]]


@dataclass
class Tab:
    """One tab at `origin` (`http://<school>.localhost:<port>`)."""

    origin: str
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    cookies: dict[str, str] = field(default_factory=dict)  # `{state.var: value}` as the browser keeps them
    path: str = "/"
    bytes_received: int = 0
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _ws: WSConnection | None = None
    _updates: list[Update] = field(default_factory=list)
    _packets: list[str] = field(default_factory=list)  # socket.io packets other than events
    _arrived: asyncio.Event = field(default_factory=asyncio.Event)
    _listener: asyncio.Task[None] | None = None
    _closed: BaseException | None = None

    # --- connecting ----------------------------------------------------------------------------

    async def connect(self, path: str, timeout: float = 30) -> None:
        """Open the socket and hydrate at `path`, as a page load does."""
        parts = urlsplit(self.origin)
        host, port = parts.hostname or "", parts.port or 80
        if not is_loopback(host):
            raise ValueError(f"{host} is not this machine: the load generator talks to loopback only")
        self._reader, self._writer = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), timeout)
        self._ws = WSConnection(ConnectionType.CLIENT)
        target = f"{NAMESPACE}/?EIO=4&transport=websocket&token={self.token}"
        self._send_bytes(self._ws.send(Request(host=parts.netloc, target=target, extra_headers=[(b"origin", self.origin.encode())])))
        await asyncio.wait_for(self._handshake(), timeout)
        self._listener = asyncio.create_task(self._listen())
        self._send_text(f"40{NAMESPACE},")
        await self.until_packet(lambda text: text.startswith(f"40{NAMESPACE}"), timeout)
        self.path = path
        since = self.mark()
        await self.send(handler_name(State, "hydrate_and_load"), {"vars": dict(self.cookies)})
        await self.until_update(since, timeout)  # the state snapshot

    async def until_update(self, since: int, timeout: float = 60) -> Update:
        deadline = time.perf_counter() + timeout
        while len(self._updates) <= since:
            await self._wait(deadline)
        return self._updates[since]

    async def _handshake(self) -> None:
        assert self._ws is not None and self._reader is not None
        while True:
            data = await self._reader.read(65536)
            if not data:
                raise ProtocolError("the server closed the connection during the websocket handshake")
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, AcceptConnection):
                    return
                if isinstance(event, RejectConnection):
                    raise ProtocolError(f"websocket refused: HTTP {event.status_code}")

    async def navigate(self, path: str) -> None:
        """A client-side navigation: the storage, then the new page's on-load events."""
        self.path = path
        if self.cookies:
            await self.send(handler_name(UpdateVarsInternalState, "update_vars_internal"), {"vars": dict(self.cookies)})
        await self.send(handler_name(OnLoadInternalState, "on_load_internal"), {})

    async def close(self) -> None:
        if self._ws is not None and self._writer is not None and not self._writer.is_closing():
            try:
                self._send_bytes(self._ws.send(CloseConnection(code=1000)))
                self._writer.close()
            except (ConnectionError, RuntimeError):
                pass
        if self._listener is not None:
            self._listener.cancel()

    # --- sending ------------------------------------------------------------------------------

    async def send(self, name: str, payload: Mapping[str, Any] | None = None) -> None:
        pathname, _, query = self.path.partition("?")
        event = {"name": name, "payload": dict(payload or {}), "router_data": {"pathname": pathname, "asPath": self.path, "query": _query(query)}}
        self._send_text(f"42{NAMESPACE}," + json.dumps(["event", event]))
        assert self._writer is not None
        await self._writer.drain()

    def _send_text(self, text: str) -> None:
        assert self._ws is not None
        self._send_bytes(self._ws.send(Message(data=text)))

    def _send_bytes(self, data: bytes) -> None:
        assert self._writer is not None
        self._writer.write(data)

    # --- receiving ----------------------------------------------------------------------------

    async def _listen(self) -> None:
        assert self._ws is not None and self._reader is not None
        pending = ""
        try:
            while True:
                data = await self._reader.read(65536)
                if not data:
                    raise ProtocolError("the server closed the connection")
                self.bytes_received += len(data)
                self._ws.receive_data(data)
                for event in self._ws.events():
                    if isinstance(event, TextMessage):
                        pending += event.data
                        if event.message_finished:
                            self._on_packet(pending)
                            pending = ""
                    elif isinstance(event, Ping):
                        self._send_bytes(self._ws.send(event.response()))
                    elif isinstance(event, CloseConnection):
                        raise ProtocolError(f"the server closed the websocket ({event.code})")
        except (ProtocolError, ConnectionError) as error:
            self._closed = error
            self._arrived.set()

    def _on_packet(self, text: str) -> None:
        if text == "2":  # Engine.IO ping: answer, or the server drops us
            self._send_text("3")
            return
        prefix = f"42{NAMESPACE},"
        if text.startswith(prefix):
            name, *args = json.loads(text[len(prefix):])
            if name == "event" and args:
                body = json.loads(args[0]) if isinstance(args[0], str) else args[0]
                update = Update(time.perf_counter(), body.get("delta") or {}, body.get("events") or [])
                self._remember_cookies(update.delta)
                self._updates.append(update)
        else:
            self._packets.append(text)
        self._arrived.set()

    def _remember_cookies(self, delta: Mapping[str, Mapping[str, Any]]) -> None:
        """A cookie var the server sets is kept, as the browser keeps the cookie."""
        for state_name, values in delta.items():
            for name, value in values.items():
                key = f"{state_name}.{name.removesuffix(VAR_SUFFIX)}"
                if key in self.cookies or name.removesuffix(VAR_SUFFIX) in ("access_token", "refresh_token"):
                    self.cookies[key] = value

    async def _wait(self, deadline: float) -> None:
        self._arrived.clear()
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            raise TimeoutError
        await asyncio.wait_for(self._arrived.wait(), remaining)
        if self._closed is not None:
            raise self._closed

    async def until_packet(self, matches: Any, timeout: float) -> str:
        deadline = time.perf_counter() + timeout
        while True:
            for index, text in enumerate(self._packets):
                if matches(text):
                    del self._packets[: index + 1]
                    return text
            await self._wait(deadline)

    def mark(self) -> int:
        """Where the updates stand now: `until(..., since=mark)` looks only at later ones."""
        return len(self._updates)

    async def until(self, state: type[Any], var: str, since: int, timeout: float = 60, accept: Callable[[Any], bool] | None = None) -> Any:
        """The value of `state.var` in the first delta after `since` that carries it (and that
        `accept(value)` accepts, if given)."""
        return (await self.until_one_of(state, {var: accept or (lambda _value: True)}, since, timeout))[1]

    async def until_one_of(self, state: type[Any], accepts: Mapping[str, Callable[[Any], bool]], since: int, timeout: float = 60) -> tuple[str, Any]:
        """(var, value) of the first of `state`'s vars in `accepts` that a delta after `since`
        carries with a value its test accepts."""
        deadline, key = time.perf_counter() + timeout, state.get_full_name()
        seen = since
        while True:
            for update in self._updates[seen:]:
                for name, value in update.delta.get(key, {}).items():
                    var = name.removesuffix(VAR_SUFFIX)
                    if var in accepts and accepts[var](value):
                        return var, value
            seen = len(self._updates)
            await self._wait(deadline)

    def value(self, state: type[Any], var: str) -> Any:
        """The last value of `state.var` the tab was sent (None: never sent)."""
        key, found = state.get_full_name(), None
        for update in self._updates:
            for name, value in update.delta.get(key, {}).items():
                if name.removesuffix(VAR_SUFFIX) == var:
                    found = value
        return found

    def forget_updates(self) -> None:
        """Drop what was received so far (a long-running session would otherwise keep it all)."""
        self._updates.clear()


def _query(query: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    return dict(parse_qsl(query))
