"""The upload endpoint reads no body it will not keep: too large is refused before reading (or cut
off mid-stream when no length is declared), and only a signed-in user of this host's school whose
role may upload gets through. Driven at the ASGI level, with a stand-in for Reflex's upload route
that parses the multipart body the way Reflex does."""

import asyncio
from collections.abc import Iterator

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from starlette.types import Message

from oneclass.security import ACCESS_COOKIE
from oneclass.services import auth
from oneclass.tenancy import find_school_route
from oneclass.uploads import MAX_UPLOAD_BYTES, UploadGuard
from tests.conftest import TEST_PASSWORD, SchoolFixture

LIMIT = 64 * 1024
CHUNK = 16 * 1024
BOUNDARY = "guard-test-boundary"


class Recorder:
    """Reflex's upload route, reduced: parse the whole form (files spooled), say what came."""

    def __init__(self) -> None:
        self.calls = 0

    async def upload(self, request: Request) -> JSONResponse:
        self.calls += 1
        form = await request.form()
        sizes = [len(await file.read()) for file in form.getlist("files")]  # type: ignore[union-attr]
        return JSONResponse({"sizes": sizes})

    def app(self) -> Starlette:
        return Starlette(routes=[Route("/_upload", self.upload, methods=["POST"]), Route("/ping", lambda _r: JSONResponse({}))])


def _multipart(size: int) -> bytes:
    head = f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="files"; filename="a.csv"\r\nContent-Type: text/csv\r\n\r\n'
    return head.encode() + b"x" * size + f"\r\n--{BOUNDARY}--\r\n".encode()


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), CHUNK):
        yield body[start : start + CHUNK]


def _endless() -> Iterator[bytes]:
    yield _multipart(0)[: -len(f"\r\n--{BOUNDARY}--\r\n")]
    while True:
        yield b"x" * CHUNK


def _call(
    guard: UploadGuard, *, host: str, token: str | None = None, body: Iterator[bytes] | None = None, length: int | None = None, path: str = "/_upload"
) -> tuple[int, bytes, int]:
    """One request through the guard: its status, body, and how many body chunks were read."""
    headers = [(b"host", host.encode()), (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode())]
    if token is not None:
        headers.append((b"cookie", f"theme=dark; {ACCESS_COOKIE}={token}".encode()))
    if length is not None:
        headers.append((b"content-length", str(length).encode()))
    scope = {"type": "http", "method": "POST", "path": path, "raw_path": path.encode(), "query_string": b"", "headers": headers,
             "client": ("127.0.0.1", 1), "server": ("test", 80), "scheme": "http", "http_version": "1.1", "root_path": ""}
    read = 0
    sent: list[Message] = []
    pending = body or iter(())

    async def receive() -> Message:
        nonlocal read
        chunk = next(pending, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        read += 1
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(guard(scope, receive, send), timeout=30))
    status = next(m["status"] for m in sent if m["type"] == "http.response.start")
    return status, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body"), read


def _token(school: SchoolFixture, role: str) -> str:
    route = find_school_route(subdomain=school.subdomain)
    email = f"{role}@{school.subdomain}.test"
    return auth.sign_in(school=route, email=email, password=TEST_PASSWORD, totp_code=None, ip="192.0.2.1").access_token


def _host(school: SchoolFixture) -> str:
    return f"{school.subdomain}.localhost:3000"


@pytest.fixture
def recorder() -> Recorder:
    return Recorder()


@pytest.mark.parametrize("role", ["school_admin", "teacher"])  # a teacher: an announcement's attachment
def test_a_role_that_may_upload_uploads_within_the_limit(two_schools, recorder: Recorder, role: str) -> None:
    school_a, _ = two_schools
    body = _multipart(1000)
    status, answer, _ = _call(UploadGuard(recorder.app(), max_bytes=LIMIT), host=_host(school_a), token=_token(school_a, role),
                              body=_chunks(body), length=len(body))
    assert (status, answer) == (200, b'{"sizes":[1000]}')


def test_a_declared_length_over_the_limit_is_refused_before_reading(two_schools, recorder: Recorder) -> None:
    school_a, _ = two_schools
    token = _token(school_a, "school_admin")
    status, answer, read = _call(UploadGuard(recorder.app()), host=_host(school_a), token=token, body=_endless(), length=MAX_UPLOAD_BYTES + 1)
    assert (status, read, recorder.calls) == (413, 0, 0)
    assert b"larger than" in answer
    assert _call(UploadGuard(recorder.app()), host=_host(school_a), token=token, length=-5)[0] == 413  # not a length


def test_a_chunked_body_is_cut_off_past_the_limit(two_schools, recorder: Recorder) -> None:
    school_a, _ = two_schools
    guard = UploadGuard(recorder.app(), max_bytes=LIMIT)
    status, answer, read = _call(guard, host=_host(school_a), token=_token(school_a, "school_admin"), body=_endless())
    assert status == 413 and b"larger than" in answer
    assert read <= LIMIT // CHUNK + 2  # stopped reading at the limit, not at the end of an endless body


@pytest.mark.parametrize("role", ["student", "parent", "staff"])
def test_a_role_that_may_not_upload_is_refused_before_reading(two_schools, recorder: Recorder, role: str) -> None:
    school_a, _ = two_schools
    status, _, read = _call(UploadGuard(recorder.app()), host=_host(school_a), token=_token(school_a, role), body=_endless(), length=100)
    assert (status, read, recorder.calls) == (403, 0, 0)


def test_no_sign_in_or_another_schools_sign_in_is_refused(two_schools, recorder: Recorder) -> None:
    school_a, school_b = two_schools
    guard = UploadGuard(recorder.app())
    assert _call(guard, host=_host(school_a), body=_endless(), length=100)[0] == 401
    assert _call(guard, host=_host(school_a), token="not-a-token", body=_endless(), length=100)[0] == 403
    admin_of_b = _token(school_b, "school_admin")
    assert _call(guard, host=_host(school_a), token=admin_of_b, body=_endless(), length=100)[0] == 403
    assert _call(guard, host="localhost:3000", token=admin_of_b, body=_endless(), length=100)[0] == 403  # the platform's host
    assert recorder.calls == 0


def test_other_requests_pass_untouched(recorder: Recorder) -> None:
    status, _, _ = _call(UploadGuard(recorder.app()), host="anything", path="/ping", length=MAX_UPLOAD_BYTES * 10)
    assert status == 405  # reached the app (GET-only route), not refused by the guard


def test_the_app_mounts_the_guard_around_everything() -> None:
    from oneclass.oneclass import app

    assert isinstance(app.api_transformer, list) and app.api_transformer[-1] is UploadGuard
