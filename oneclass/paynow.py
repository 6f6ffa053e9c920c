"""A small client of Paynow, Zimbabwe's payment gateway, on httpx (the `paynow` package on PyPI
leaves status updates unimplemented and carries money as floats).

The protocol, as Paynow publishes it:
- Every message is form-encoded fields ending in `hash`: SHA-512 of the other fields' values
  concatenated in the order sent, then the integration key, as uppercase hex.
- A web payment is started at `{PAYNOW_URL}/initiatetransaction` and answers with the address
  to send the payer to and a poll URL; an express (mobile) payment at `.../remotetransaction`,
  with the phone and `method` (`ecocash`, `onemoney`), answers with instructions instead.
- Paynow posts each status change to the merchant's result URL; polling the poll URL answers
  the same fields. A status of `Paid`, `Awaiting Delivery` or `Delivered` means paid.

Nothing here trusts a message whose hash does not match (`PaynowError`); amounts are Decimal.
"""

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx

Fields = Sequence[tuple[str, str]]

PAID_STATUSES = frozenset({"paid", "awaiting delivery", "delivered"})
EXPRESS_METHODS = frozenset({"ecocash", "onemoney"})
TIMEOUT_SECONDS = 20.0
CENTS = Decimal("0.01")


class PaynowError(Exception):
    """Paynow refused, or answered something that cannot be trusted (a wrong or missing hash,
    a missing field, a poll URL not on Paynow's host)."""


def paynow_hash(fields: Fields, integration_key: str) -> str:
    """SHA-512 of the values in order (any `hash` field left out), then the key; uppercase hex."""
    joined = "".join(value for name, value in fields if name.lower() != "hash") + integration_key
    return hashlib.sha512(joined.encode("utf-8")).hexdigest().upper()


def signed(fields: Fields, integration_key: str) -> list[tuple[str, str]]:
    """`fields` with their hash appended: a message ready to send."""
    return [*fields, ("hash", paynow_hash(fields, integration_key))]


def verified(fields: Fields, integration_key: str) -> dict[str, str]:
    """The fields of a message whose hash is right, by lower-case name; PaynowError otherwise."""
    sent = next((value for name, value in fields if name.lower() == "hash"), "")
    if not sent or not hmac.compare_digest(sent.upper(), paynow_hash(fields, integration_key)):
        raise PaynowError("the message's hash does not match")
    return {name.lower(): value for name, value in fields}


def parse_message(body: str | bytes) -> list[tuple[str, str]]:
    """A form-encoded message as (name, value) pairs, in the order sent."""
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    return parse_qsl(text, keep_blank_values=True)


def money(amount: Decimal) -> str:
    """Two places, as Paynow reads amounts."""
    return str(amount.quantize(CENTS, rounding=ROUND_HALF_UP))


def local_phone(phone: str) -> str:
    """A Zimbabwean mobile number in Paynow's local `07…` form (from `+263 77…`, `26377…`, `077…`)."""
    digits = re.sub(r"[\s()-]", "", phone)
    digits = digits.removeprefix("+")
    if digits.startswith("263"):
        digits = "0" + digits[3:]
    if not re.fullmatch(r"07\d{8}", digits):
        raise PaynowError("not a Zimbabwean mobile number")
    return digits


@dataclass(frozen=True)
class Initiation:
    """A payment Paynow has started: where to send the payer (web) or what to tell them
    (express), and where to ask how it went."""

    poll_url: str
    redirect_url: str | None
    instructions: str
    paynow_reference: str


@dataclass(frozen=True)
class StatusReport:
    """What Paynow says of one payment (a status update or a poll's answer, hash checked)."""

    reference: str
    paynow_reference: str
    amount: Decimal
    status: str
    poll_url: str

    @property
    def paid(self) -> bool:
        return self.status.strip().lower() in PAID_STATUSES


def status_report(fields: Fields, integration_key: str) -> StatusReport:
    """A status update (posted to the result URL) or a poll's answer, once its hash is checked."""
    values = verified(fields, integration_key)
    try:
        amount = Decimal(values.get("amount", ""))
    except InvalidOperation as error:
        raise PaynowError("the message has no amount") from error
    if "reference" not in values or "status" not in values:
        raise PaynowError("the message has no reference or status")
    return StatusReport(
        reference=values["reference"], paynow_reference=values.get("paynowreference", ""), amount=amount,
        status=values["status"], poll_url=values.get("pollurl", ""),
    )


class PaynowClient:
    """One integration (id and key) at `base_url` (`PAYNOW_URL`, ending in `/interface`)."""

    def __init__(self, base_url: str, integration_id: str, integration_key: str, http: httpx.Client | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.integration_id = integration_id
        self.integration_key = integration_key
        self.http = http or httpx.Client(timeout=TIMEOUT_SECONDS)

    def _post(self, url: str, fields: Fields) -> dict[str, str]:
        try:
            answer = self.http.post(url, content=urlencode(fields), headers={"Content-Type": "application/x-www-form-urlencoded"})
        except httpx.HTTPError as error:
            raise PaynowError(f"Paynow could not be reached: {type(error).__name__}") from error
        pairs = parse_message(answer.text)
        values = {name.lower(): value for name, value in pairs}
        if values.get("status", "").lower() == "error":
            raise PaynowError(values.get("error", "Paynow refused the payment"))  # error answers carry no hash
        return verified(pairs, self.integration_key)

    def _started(self, endpoint: str, fields: Fields) -> Initiation:
        values = self._post(f"{self.base_url}/{endpoint}", signed(fields, self.integration_key))
        if values.get("status", "").lower() != "ok" or not values.get("pollurl"):
            raise PaynowError("Paynow did not start the payment")
        self._check_poll_url(values["pollurl"])
        return Initiation(
            poll_url=values["pollurl"], redirect_url=values.get("browserurl") or None,
            instructions=values.get("instructions", ""), paynow_reference=values.get("paynowreference", ""),
        )

    def _common(self, reference: str, amount: Decimal, additional_info: str, return_url: str, result_url: str, auth_email: str) -> list[tuple[str, str]]:
        return [
            ("id", self.integration_id), ("reference", reference), ("amount", money(amount)), ("additionalinfo", additional_info),
            ("returnurl", return_url), ("resulturl", result_url), ("authemail", auth_email),
        ]

    def initiate(self, *, reference: str, amount: Decimal, additional_info: str, return_url: str, result_url: str, auth_email: str = "") -> Initiation:
        """A web payment: the payer is sent to `redirect_url`."""
        fields = self._common(reference, amount, additional_info, return_url, result_url, auth_email)
        return self._started("initiatetransaction", [*fields, ("status", "Message")])

    def initiate_express(
        self, *, reference: str, amount: Decimal, additional_info: str, return_url: str, result_url: str, auth_email: str, phone: str, method: str
    ) -> Initiation:
        """An express (mobile money) payment: the payer approves it on their phone."""
        if method not in EXPRESS_METHODS:
            raise PaynowError("express checkout is by ecocash or onemoney")
        fields = self._common(reference, amount, additional_info, return_url, result_url, auth_email)
        return self._started("remotetransaction", [*fields, ("phone", local_phone(phone)), ("method", method), ("status", "Message")])

    def poll(self, poll_url: str) -> StatusReport:
        """Ask Paynow how a payment stands (only at Paynow's own host)."""
        self._check_poll_url(poll_url)
        try:
            answer = self.http.post(poll_url)
        except httpx.HTTPError as error:
            raise PaynowError(f"Paynow could not be reached: {type(error).__name__}") from error
        return status_report(parse_message(answer.text), self.integration_key)

    def _check_poll_url(self, poll_url: str) -> None:
        """A poll URL is fetched by the server: it must be Paynow's, whoever sent it."""
        ours, theirs = urlsplit(self.base_url), urlsplit(poll_url)
        if (theirs.scheme, theirs.netloc) != (ours.scheme, ours.netloc):
            raise PaynowError("the poll URL is not on Paynow's host")
