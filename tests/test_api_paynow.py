"""POST /api/v1/invoices/{id}/paynow and POST /api/v1/paynow/result, as the contract says, with
PAYNOW_URL pointed at the fake Paynow on loopback: the invoice's guardian starts a payment (web
or express), anyone else and another school's ids get 404, and the result URL answers 200 with
an empty body whatever it receives, recording a paid, correctly signed, confirmed update once."""

from collections.abc import Iterator
from decimal import Decimal
from urllib.parse import urlencode
from uuid import uuid4

import pytest
from fastapi.testclient import TestClient
from sqlmodel import col, select

from models import Guardian, Invoice, PaynowTransaction, StudentGuardian, User
from oneclass import db
from oneclass.services import fees, online_payments
from oneclass.services.auth import CurrentUser
from oneclass.settings import get_settings
from tests.conftest import SchoolFixture, apply_settings
from tests.fake_paynow import KEY, FakePaynow, running_fake_paynow
from tests.test_api_v1 import as_user, assert_error, assert_success, client, host, schools  # noqa: F401 (fixtures)

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture
def paynow(schools) -> Iterator[FakePaynow]:  # noqa: F811
    """The fake Paynow, and a USD integration for both schools."""
    previous = get_settings().paynow_url
    with running_fake_paynow() as fake:
        apply_settings(PAYNOW_URL=f"{fake.base}/interface")
        try:
            for school in schools:
                online_payments.save_integration(actor=_admin(school), currency="USD", integration_id="1201", key=KEY)
            yield fake
        finally:
            apply_settings(PAYNOW_URL=previous)


def _admin(school: SchoolFixture) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        user = session.exec(select(User).where(User.role == "school_admin")).one()
        return CurrentUser(id=user.id, school_id=school.id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


def _invoices(school: SchoolFixture) -> tuple[list[Invoice], list[Invoice]]:
    """The demo parent's children's family invoices that owe something, and other students'."""
    with db.tenant_session(school.id) as session:
        parent = session.exec(select(User).where(User.role == "parent")).one()
        children = set(
            session.exec(
                select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
            ).all()
        )
        owing = [i for i in session.exec(select(Invoice).where(col(Invoice.sponsor_id).is_(None))).all() if fees.invoice_balance(session, i) > 0]
    return [i for i in owing if i.student_id in children], [i for i in owing if i.student_id not in children]


def _balance(client: TestClient, school: SchoolFixture, invoice: Invoice) -> dict[str, str]:  # noqa: F811
    body = client.get(f"/api/v1/students/{invoice.student_id}/fees", headers=as_user(client, school, "parent")).json()
    return next(i for i in body["data"]["invoices"] if i["id"] == str(invoice.id))


def test_the_guardian_starts_a_web_and_an_express_payment(client: TestClient, schools, paynow: FakePaynow) -> None:  # noqa: F811
    school_a, _ = schools
    mine, _others = _invoices(school_a)
    parent = as_user(client, school_a, "parent")
    response = client.post(f"/api/v1/invoices/{mine[0].id}/paynow", headers=parent)
    assert response.status_code == 200, response.text
    body = response.json()
    assert_success(body)
    started = body["data"]
    assert {"reference", "redirect_url", "poll_url"} <= set(started)
    assert started["redirect_url"].startswith(paynow.base) and started["poll_url"].startswith(paynow.base)
    assert Decimal(paynow.by_reference(started["reference"]).amount) == Decimal(_balance(client, school_a, mine[0])["balance"])
    express = client.post(f"/api/v1/invoices/{mine[-1].id}/paynow", headers=parent, json={"phone": "+263 78 123 4567", "method": "onemoney"})
    assert express.status_code == 200, express.text
    assert express.json()["data"]["redirect_url"] is None
    sent = dict(paynow.received[-1][1])
    assert (sent["phone"], sent["method"], sent["authemail"]) == ("0781234567", "onemoney", f"parent@{school_a.subdomain}.test")
    refused = assert_error(client.post(f"/api/v1/invoices/{mine[-1].id}/paynow", headers=parent, json={"phone": "12", "method": "ecocash"}), 422, "VALIDATION_ERROR")
    assert [d["field"] for d in refused["error"]["details"]] == ["phone"]
    assert_error(client.post(f"/api/v1/invoices/{mine[-1].id}/paynow", headers=parent, json={"method": "mpesa"}), 422, "VALIDATION_ERROR")


def test_anyone_but_the_guardian_and_other_schools_ids_get_404(client: TestClient, schools, paynow: FakePaynow) -> None:  # noqa: F811
    school_a, school_b = schools
    mine, others = _invoices(school_a)
    theirs, _ = _invoices(school_b)
    parent = as_user(client, school_a, "parent")
    for headers, invoice_id in (
        (parent, others[0].id),  # another family's invoice
        (parent, theirs[0].id),  # another school's invoice
        (parent, uuid4()),
        (as_user(client, school_a, "school_admin"), mine[0].id),  # not the guardian
        (as_user(client, school_b, "parent"), mine[0].id),  # another school's parent, on their own host
    ):
        assert_error(client.post(f"/api/v1/invoices/{invoice_id}/paynow", headers=headers), 404, "NOT_FOUND")
    assert_error(client.post(f"/api/v1/invoices/{mine[0].id}/paynow", headers=as_user(client, school_a, "teacher")), 403, "FORBIDDEN")
    assert_error(client.post(f"/api/v1/invoices/{mine[0].id}/paynow", headers=host(school_a)), 401, "UNAUTHORIZED")
    assert paynow.payments == {}


def _result(client: TestClient, school: SchoolFixture, fields: list[tuple[str, str]] | bytes) -> None:  # noqa: F811
    body = fields if isinstance(fields, bytes) else urlencode(fields).encode()
    response = client.post("/api/v1/paynow/result", headers={**host(school), **FORM}, content=body)
    assert response.status_code == 200 and response.content == b""


def test_the_result_url_records_a_confirmed_paid_update_once_and_answers_nothing(client: TestClient, schools, paynow: FakePaynow) -> None:  # noqa: F811
    school_a, school_b = schools
    mine, _ = _invoices(school_a)
    invoice = mine[0]
    started = client.post(f"/api/v1/invoices/{invoice.id}/paynow", headers=as_user(client, school_a, "parent")).json()["data"]
    payment = paynow.by_reference(started["reference"])
    payment.status = "Paid"
    update = paynow.status_fields(payment)
    tampered = [(n, "0.01" if n == "amount" else v) for n, v in update]
    for garbage in (b"", b"\xff\xfe", b"reference=" + started["reference"].encode() + b"&status=Paid", urlencode(tampered).encode()):
        _result(client, school_a, garbage)
    _result(client, school_b, update)  # another school's host: its school has no such payment
    assert _balance(client, school_a, invoice)["status"] != "paid"
    for _ in range(2):
        _result(client, school_a, update)
    after = _balance(client, school_a, invoice)
    assert (after["status"], after["balance"]) == ("paid", "0.00")
    payments = client.get(f"/api/v1/students/{invoice.student_id}/fees", headers=as_user(client, school_a, "parent")).json()["data"]["payments"]
    online = [p for p in payments if p["reference"].startswith("Paynow ")]
    assert len(online) == 1 and online[0]["method"] == "mobile_money" and online[0]["amount"] == payment.amount
    unknown = client.post("/api/v1/paynow/result", headers={"Host": "nowhere.example", **FORM}, content=urlencode(update))
    assert unknown.status_code == 200 and unknown.content == b""


def test_an_underpaid_update_is_flagged_not_recorded(client: TestClient, schools, paynow: FakePaynow) -> None:  # noqa: F811
    school_a, _ = schools
    mine, _ = _invoices(school_a)
    invoice = mine[0]
    before = _balance(client, school_a, invoice)
    started = client.post(f"/api/v1/invoices/{invoice.id}/paynow", headers=as_user(client, school_a, "parent")).json()["data"]
    payment = paynow.by_reference(started["reference"])
    payment.status, paynow.poll_amount = "Paid", "1.00"
    _result(client, school_a, paynow.status_fields(payment))
    assert _balance(client, school_a, invoice) == before
    with db.tenant_session(school_a.id) as session:
        row = session.exec(select(PaynowTransaction).where(PaynowTransaction.reference == started["reference"])).one()
        assert (row.flagged, row.paid_amount, row.payment_id) == ("amount", Decimal("1.00"), None)
