"""The Paynow client: hashes worked by hand from Paynow's published rule, and the whole protocol
against a fake Paynow server on loopback (real HTTP; nothing reaches the internet)."""

from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlencode

import pytest

from oneclass.paynow import PaynowClient, PaynowError, local_phone, parse_message, paynow_hash, signed, status_report
from tests.fake_paynow import FakePaynow, running_fake_paynow

KEY = "oneclass-demo-paynow-key"
INITIATION = [
    ("id", "1201"), ("reference", "INV-0001"), ("amount", "10.00"), ("additionalinfo", "Term 3 fees"),
    ("returnurl", "https://harare-primary.oneclass.test/fees"), ("resulturl", "https://harare-primary.oneclass.test/api/v1/paynow/result"),
    ("authemail", ""), ("status", "Message"),
]
# `printf '%s' "<the values, then the key>" | sha512sum`, upper-cased.
INITIATION_HASH = (
    "E5445EFC17DD4218F86CA1F023D1C68668D4AF82957BF855407D8D5CF43D6AE4"
    "6A86C2F50C30022D67C062FFD857E3B878D716E3D9F8B2C6FD85E9C3328A23FB"
)
STATUS_UPDATE = [
    ("reference", "INV-0001"), ("amount", "10.00"), ("paynowreference", "123456"), ("status", "Paid"),
    ("pollurl", "https://www.paynow.co.zw/Interface/CheckPayment/?guid=abc"),
]
STATUS_UPDATE_HASH = (
    "D7BCAFC0A7A2F0A4C9853C4797C7A9777A87A406D68F5C4FD6CACCB107699906"
    "7BEA420BD9C78760F6DFD672DF007031D7CC4144AD0D62F39A12B8EA9B28B889"
)


def test_the_hash_is_the_published_rule_worked_by_hand() -> None:
    assert paynow_hash(INITIATION, KEY) == INITIATION_HASH
    assert paynow_hash([*INITIATION, ("hash", "anything")], KEY) == INITIATION_HASH  # the hash field is not hashed
    assert paynow_hash(STATUS_UPDATE, KEY) == STATUS_UPDATE_HASH


@pytest.mark.parametrize(
    ("change", "refused"),
    [
        (lambda fields: fields, False),
        (lambda fields: [(n, v.lower()) if n == "hash" else (n, v) for n, v in fields], False),  # hex in either case
        (lambda fields: [(n, "20.00") if n == "amount" else (n, v) for n, v in fields], True),  # tampered amount
        (lambda fields: [(n, "Cancelled") if n == "status" else (n, v) for n, v in fields], True),  # tampered status
        (lambda fields: [(n, v) for n, v in fields if n != "hash"], True),  # no hash
        (lambda fields: [(n, "") if n == "hash" else (n, v) for n, v in fields], True),  # empty hash
        (lambda fields: [fields[1], fields[0], *fields[2:]], True),  # the order is part of the hash
    ],
)
def test_a_status_update_is_believed_only_with_its_hash(change, refused: bool) -> None:  # type: ignore[no-untyped-def]
    body = urlencode(change(signed(STATUS_UPDATE, KEY)))
    if refused:
        with pytest.raises(PaynowError):
            status_report(parse_message(body), KEY)
    else:
        report = status_report(parse_message(body), KEY)
        assert (report.reference, report.amount, report.paid, report.paynow_reference) == ("INV-0001", Decimal("10.00"), True, "123456")


@pytest.mark.parametrize(
    ("status", "paid"),
    [("Paid", True), ("Awaiting Delivery", True), ("Delivered", True), ("Created", False), ("Sent", False), ("Cancelled", False),
     ("Failed", False), ("Disputed", False), ("Refunded", False)],
)
def test_three_statuses_mean_paid(status: str, paid: bool) -> None:
    fields = [(n, status) if n == "status" else (n, v) for n, v in STATUS_UPDATE]
    assert status_report(signed(fields, KEY), KEY).paid is paid


@pytest.mark.parametrize(
    ("phone", "local"),
    [("0771234567", "0771234567"), ("+263 77 123 4567", "0771234567"), ("263771234567", "0771234567"), ("078-123-4567", "0781234567")],
)
def test_phones_are_sent_in_the_local_form(phone: str, local: str) -> None:
    assert local_phone(phone) == local


@pytest.mark.parametrize("phone", ["", "12345", "+27 82 123 4567", "0771234"])
def test_other_numbers_are_refused(phone: str) -> None:
    with pytest.raises(PaynowError):
        local_phone(phone)


@pytest.fixture
def fake_paynow() -> Iterator[FakePaynow]:
    with running_fake_paynow() as server:
        yield server


def client_of(server: FakePaynow) -> PaynowClient:
    return PaynowClient(f"{server.base}/interface", "1201", KEY)


def test_a_web_payment_is_started_signed_and_polled(fake_paynow: FakePaynow) -> None:
    client = client_of(fake_paynow)
    started = client.initiate(
        reference="INV-0001", amount=Decimal("10"), additional_info="Term 3 fees",
        return_url="https://harare-primary.oneclass.test/fees", result_url="https://harare-primary.oneclass.test/api/v1/paynow/result",
    )
    path, sent = fake_paynow.received[0]
    assert path == "/interface/initiatetransaction"
    assert sent[:-1] == INITIATION and sent[-1] == ("hash", INITIATION_HASH)  # the amount went as 10.00
    assert started.redirect_url and started.redirect_url.startswith(f"{fake_paynow.base}/Payment/ConfirmPayment/")
    fake_paynow.poll_status = "Paid"
    report = client.poll(started.poll_url)
    assert report.paid and report.amount == Decimal("10.00")
    fake_paynow.poll_status = "Cancelled"
    assert not client.poll(started.poll_url).paid


def test_express_checkout_sends_the_phone_and_method(fake_paynow: FakePaynow) -> None:
    started = client_of(fake_paynow).initiate_express(
        reference="INV-0002", amount=Decimal("5.5"), additional_info="Levy", return_url="r", result_url="u",
        auth_email="parent@harare-primary.test", phone="+263 77 123 4567", method="ecocash",
    )
    path, sent = fake_paynow.received[0]
    assert path == "/interface/remotetransaction"
    assert dict(sent)["phone"] == "0771234567" and dict(sent)["method"] == "ecocash" and dict(sent)["amount"] == "5.50"
    assert dict(sent)["authemail"] == "parent@harare-primary.test"
    assert started.redirect_url is None and started.instructions == "Dial *151# and approve"


def test_an_answer_signed_with_another_key_is_not_believed(fake_paynow: FakePaynow) -> None:
    fake_paynow.signing_key = "not-our-key"
    with pytest.raises(PaynowError, match="hash"):
        client_of(fake_paynow).initiate(reference="INV-0003", amount=Decimal("1"), additional_info="", return_url="r", result_url="u")


def test_a_refusal_and_a_foreign_poll_url_are_errors(fake_paynow: FakePaynow) -> None:
    client = PaynowClient(f"{fake_paynow.base}/elsewhere", "1201", KEY)
    with pytest.raises(PaynowError, match="Invalid integration"):
        client.initiate(reference="INV-0004", amount=Decimal("1"), additional_info="", return_url="r", result_url="u")
    with pytest.raises(PaynowError, match="host"):
        client_of(fake_paynow).poll("http://169.254.169.254/latest/meta-data")  # a forged update's poll URL is never fetched
    assert all(path != "/latest/meta-data" for path, _ in fake_paynow.received)
