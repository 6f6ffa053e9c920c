"""A fake Paynow on loopback, speaking Paynow's protocol over real HTTP: it checks the hash of
what it is sent, starts web and express payments, answers polls signed with its integration key,
and serves a checkout page whose "Pay" button marks the payment paid, posts the signed status
update to the merchant's result URL and sends the browser back to the return URL.

Tests steer it: `poll_status` and `poll_amount` override what polls answer; `signing_key` signs
answers with another key."""

import html
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx

from oneclass.paynow import parse_message, paynow_hash, signed

KEY = "oneclass-demo-paynow-key"


@dataclass
class FakePayment:
    guid: str
    reference: str
    amount: str
    result_url: str
    return_url: str
    status: str = "Created"


class FakePaynow(ThreadingHTTPServer):
    def __init__(self, key: str = KEY) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.key = key  # what the merchant signs with, and what answers are signed with
        self.signing_key = key
        self.received: list[tuple[str, list[tuple[str, str]]]] = []
        self.payments: dict[str, FakePayment] = {}
        self.poll_status: str | None = None
        self.poll_amount: str | None = None
        self.result_host: str | None = None  # the Host header for result posts sent to 127.0.0.1

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def poll_url(self, guid: str) -> str:
        return f"{self.base}/interface/CheckPayment/?guid={guid}"

    def by_reference(self, reference: str) -> FakePayment:
        return next(p for p in self.payments.values() if p.reference == reference)

    def status_fields(self, payment: FakePayment, *, status: str | None = None, amount: str | None = None) -> list[tuple[str, str]]:
        """A signed status update (or poll answer) for `payment`, in Paynow's field order."""
        fields = [
            ("reference", payment.reference), ("amount", amount or self.poll_amount or payment.amount), ("paynowreference", payment.guid[:8]),
            ("pollurl", self.poll_url(payment.guid)), ("status", status or self.poll_status or payment.status),
        ]
        return signed(fields, self.signing_key)

    def pay(self, payment: FakePayment) -> None:
        """The payer pays: Paynow marks it paid and posts the status update to the result URL."""
        payment.status = "Paid"
        target = urlsplit(payment.result_url)
        headers = {"Content-Type": "application/x-www-form-urlencoded", "Host": self.result_host or target.netloc}
        # `*.localhost` names need not resolve outside a browser: post to loopback, naming the host.
        url = f"http://127.0.0.1:{target.port or 80}{target.path}"
        httpx.post(url, content=urlencode(self.status_fields(payment)), headers=headers, timeout=20)


class _Handler(BaseHTTPRequestHandler):
    server: FakePaynow

    def _answer(self, fields: list[tuple[str, str]], *, sign: bool = True) -> None:
        body = urlencode(signed(fields, self.server.signing_key) if sign else fields).encode()
        self._send(200, body, "text/plain")

    def _send(self, status: int, body: bytes, content_type: str, location: str = "") -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        if location:
            self.send_header("Location", location)
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        fields = parse_message(self.rfile.read(int(self.headers.get("Content-Length") or 0)))
        self.server.received.append((self.path, fields))
        path = urlsplit(self.path).path
        if path in ("/interface/initiatetransaction", "/interface/remotetransaction"):
            self._start(path, fields)
        elif path == "/interface/CheckPayment/":
            guid = parse_qs(urlsplit(self.path).query).get("guid", [""])[0]
            payment = self.server.payments.get(guid)
            if payment is None:
                self._answer([("status", "Error"), ("error", "Unknown payment")], sign=False)
            else:
                self._answer(self.server.status_fields(payment)[:-1])
        elif path.startswith("/Payment/ConfirmPayment/"):
            payment = self.server.payments[path.rsplit("/", 1)[-1]]
            self.server.pay(payment)
            self._send(302, b"", "text/plain", location=payment.return_url)
        else:
            self._answer([("status", "Error"), ("error", "Invalid integration")], sign=False)

    def _start(self, path: str, fields: list[tuple[str, str]]) -> None:
        values = dict(fields)
        if values.get("hash") != paynow_hash(fields, self.server.key):
            self._answer([("status", "Error"), ("error", "Invalid Hash")], sign=False)
            return
        guid = uuid.uuid4().hex
        payment = FakePayment(guid, values["reference"], values["amount"], values["resulturl"], values["returnurl"])
        self.server.payments[guid] = payment
        if path.endswith("remotetransaction"):
            payment.status = "Sent"
            self._answer([("status", "Ok"), ("instructions", "Dial *151# and approve"), ("paynowreference", guid[:8]), ("pollurl", self.server.poll_url(guid))])
        else:
            self._answer([("status", "Ok"), ("browserurl", f"{self.server.base}/Payment/ConfirmPayment/{guid}"), ("pollurl", self.server.poll_url(guid))])

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        payment = self.server.payments.get(path.rsplit("/", 1)[-1]) if path.startswith("/Payment/ConfirmPayment/") else None
        if payment is None:
            self._send(404, b"not found", "text/plain")
            return
        page = (
            f"<!doctype html><html lang='en'><head><title>Fake Paynow</title></head><body><main><h1>Fake Paynow</h1>"
            f"<p>Pay {html.escape(payment.amount)} for {html.escape(payment.reference)}</p>"
            f"<form method='post' action='/Payment/ConfirmPayment/{payment.guid}'><button type='submit'>Pay now</button></form></main></body></html>"
        )
        self._send(200, page.encode(), "text/html; charset=utf-8")

    def log_message(self, *_args: object) -> None:
        pass


@contextmanager
def running_fake_paynow(key: str = KEY) -> Iterator[FakePaynow]:
    server = FakePaynow(key)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
