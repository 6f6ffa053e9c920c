"""The guard in front of Reflex's upload endpoint (`POST /_upload`).

Reflex parses an upload's whole multipart body (spooling files to disk) before the event handler
that asks for the user runs, and it accepts any caller that names a handler. So the size limit and
the sign-in are checked here, before the body is read: a declared Content-Length over the limit is
refused at once, a body without one (chunked) is cut off as soon as it passes the limit, and only
a caller whose access-token cookie, valid for this host's school, carries a permission some
upload handler needs gets in. The handlers still check their own permission on their event.
"""

import json

from reflex.config import get_config
from reflex.constants import Endpoint
from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from oneclass.offload import offload
from oneclass.permissions import can
from oneclass.security import ACCESS_COOKIE
from oneclass.services import announcements, auth, imports, students
from oneclass.services.auth import AuthError, CurrentUser
from oneclass.tenancy import HostKind, resolve_host

# What the upload handlers ask for: importing students, staff or users, a student's photo, the
# school's logo, an announcement's attachment.
UPLOAD_PERMISSIONS = ("students.create", "users.create", "students.update", "school.update", "communication.announce")
# The largest file any handler takes, and room for the multipart framing and the event's fields.
MULTIPART_ALLOWANCE = 64 * 1024
MAX_UPLOAD_BYTES = max(imports.MAX_BYTES, students.MAX_PHOTO_BYTES, announcements.MAX_ATTACHMENT_BYTES) + MULTIPART_ALLOWANCE

TOO_LARGE = f"The file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB."
NOT_SIGNED_IN = "Please sign in again, then upload the file."
NO_PERMISSION = "You do not have permission to upload files."


def _uploader(host: str, access_token: str) -> CurrentUser | None:
    """The user signed in on `host` with `access_token` if they may upload anything, else None."""
    if not access_token:
        return None
    resolution = resolve_host(host)
    if resolution.kind is not HostKind.school:
        return None
    try:
        user = auth.authenticate(token=access_token, school=resolution.school)
    except AuthError:
        return None
    if user.must_enrol_totp or not any(can(user, permission) for permission in UPLOAD_PERMISSIONS):
        return None
    return user


async def _refuse(send: Send, status: int, message: str) -> None:
    body = json.dumps({"detail": message}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class UploadGuard:
    """ASGI middleware: every request but an upload passes straight through."""

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_UPLOAD_BYTES) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.path = get_config().prepend_backend_path(str(Endpoint.UPLOAD))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"].rstrip("/") != self.path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.max_bytes):
            await _refuse(send, 413, TOO_LARGE)
            return
        access_token = cookie_parser(headers.get("cookie", "")).get(ACCESS_COOKIE, "")
        if not access_token:
            await _refuse(send, 401, NOT_SIGNED_IN)
            return
        if await offload(_uploader, headers.get("host", ""), access_token) is None:
            await _refuse(send, 403, NO_PERMISSION)
            return
        await self._capped(scope, receive, send)

    async def _capped(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the upload on, but cut its body off past the limit (a chunked body declares no
        length). The app is told the client went away; its answer, or its error, becomes a 413."""
        received = 0
        too_large = False
        answered = False

        async def capped_receive() -> Message:
            nonlocal received, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal answered
            if too_large and not answered:
                return  # the app's answer to a body it never got whole
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, guarded_send)
        except Exception:
            if not too_large:
                raise
            # What the app made of a body cut short (ClientDisconnect, a parse error) is ours to answer.
        if too_large and not answered:
            await _refuse(send, 413, TOO_LARGE)
