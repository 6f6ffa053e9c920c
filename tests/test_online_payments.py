"""Paying invoices online through Paynow, against the fake Paynow on loopback: who may start a
payment, integrations per currency with a write-only key stored sealed, and status updates that
are tampered, replayed, underpaid or contradicted by the poll (table-driven)."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode
from uuid import UUID, uuid4

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from models import Guardian, Invoice, Payment, PaymentAllocation, PaynowTransaction, Student, StudentGuardian, User
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.permissions import PermissionDenied
from oneclass.services import fees, online_payments
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.settings import get_settings
from tests.conftest import SchoolFixture, apply_settings, delete_school, make_school
from tests.fake_paynow import KEY, FakePaynow, running_fake_paynow


@dataclass
class World:
    school: SchoolFixture
    other: SchoolFixture
    actors: dict[str, CurrentUser]
    other_parent: CurrentUser
    paynow: FakePaynow

    def open_invoice(self) -> Invoice:
        """One of the parent's children's family invoices that owes something and has no online
        payment yet (each test takes a fresh one)."""
        with db.tenant_session(self.school.id) as session:
            started = set(session.exec(select(PaynowTransaction.invoice_id)).all())
            for invoice in session.exec(select(Invoice).where(col(Invoice.sponsor_id).is_(None)).order_by(col(Invoice.created_at), col(Invoice.id))).all():
                if invoice.id not in started and fees.invoice_balance(session, invoice) > 0:
                    return invoice
        raise AssertionError("no open invoice left")

    def payments_of(self, invoice: Invoice) -> list[Payment]:
        with db.tenant_session(self.school.id) as session:
            return list(
                session.exec(
                    select(Payment).join(PaymentAllocation, col(PaymentAllocation.payment_id) == Payment.id)
                    .where(PaymentAllocation.invoice_id == invoice.id, Payment.method == "mobile_money")
                ).all()
            )

    def transaction(self, reference: str) -> PaynowTransaction:
        with db.tenant_session(self.school.id) as session:
            return session.exec(select(PaynowTransaction).where(PaynowTransaction.reference == reference)).one()


def _actor(user: User) -> CurrentUser:
    return CurrentUser(id=user.id, school_id=user.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=user.id)


def _seed(fixture: SchoolFixture) -> dict[str, CurrentUser]:
    """The demo school; its parent is made the guardian of every student (invoices to spare)."""
    with db.tenant_session(fixture.id) as session:
        seed_school_records(session, admin=school_admin_of(session, fixture.id), subdomain=fixture.subdomain, level="primary", students=12)
        parent = session.exec(select(User).where(User.role == "parent")).one()
        guardian = session.exec(select(Guardian).where(Guardian.user_id == parent.id)).one()
        linked = set(session.exec(select(StudentGuardian.student_id).where(StudentGuardian.guardian_id == guardian.id)).all())
        for student_id in session.exec(select(Student.id)).all():
            if student_id not in linked:
                session.add(StudentGuardian(school_id=fixture.id, student_id=student_id, guardian_id=guardian.id, relationship="Guardian"))
        session.commit()
        return {u.email.split("@")[0]: _actor(u) for u in session.exec(select(User).where(~col(User.email).startswith("teacher"))).all()}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    a, b = make_school("paynowa"), make_school("paynowb")
    previous = get_settings().paynow_url
    try:
        with running_fake_paynow() as fake:
            apply_settings(PAYNOW_URL=f"{fake.base}/interface")
            actors = _seed(a)
            other = _seed(b)
            for admins in (actors, other):
                online_payments.save_integration(actor=admins["school_admin"], currency="USD", integration_id="1201", key=KEY)
            yield World(a, b, actors, other["parent"], fake)
    finally:
        apply_settings(PAYNOW_URL=previous)
        delete_school(a)
        delete_school(b)


def _start(world: World, invoice: Invoice, **more: str) -> online_payments.Started:
    return online_payments.start_payment(actor=world.actors["parent"], invoice_id=invoice.id, **more)


def _post(world: World, fields: list[tuple[str, str]]) -> None:
    online_payments.receive_status_update(school_id=world.school.id, body=urlencode(fields).encode())


# --- integrations -------------------------------------------------------------------------------


def test_the_key_is_write_only_and_stored_sealed(world: World) -> None:
    admin = world.actors["school_admin"]
    rows = {row.currency: row for row in online_payments.integrations(actor=admin)}
    assert (rows["USD"].integration_id, rows["USD"].key_set) == ("1201", True)
    assert (rows["ZWG"].integration_id, rows["ZWG"].key_set) == ("", False)
    assert KEY not in repr(rows)
    with db.owner_engine().connect() as connection:
        dump = connection.execute(text("SELECT to_jsonb(t)::text FROM paynow_integrations t WHERE school_id = :s"), {"s": world.school.id}).scalar_one()
    assert KEY not in dump and "1201" in dump
    # A blank key keeps the one saved; a new integration needs one; nonsense is refused.
    online_payments.save_integration(actor=admin, currency="USD", integration_id="1201", key="")
    assert {row.currency: row.key_set for row in online_payments.integrations(actor=admin)}["USD"]
    with pytest.raises(ValidationFailed) as refused:
        online_payments.save_integration(actor=admin, currency="ZWG", integration_id="1202", key="")
    assert set(refused.value.errors) == {"key"}
    with pytest.raises(ValidationFailed) as refused:
        online_payments.save_integration(actor=admin, currency="EUR", integration_id="١٢", key="a key")  # Arabic-Indic digits are not Paynow's
    assert set(refused.value.errors) == {"currency", "integration_id", "key"}
    with pytest.raises(PermissionDenied):
        online_payments.integrations(actor=world.actors["parent"])


def test_a_currency_without_an_integration_is_not_offered(world: World) -> None:
    admin, parent = world.actors["school_admin"], world.actors["parent"]
    assert online_payments.currencies_online(actor=parent) == ["USD"]
    online_payments.remove_integration(actor=admin, currency="USD")
    try:
        assert online_payments.currencies_online(actor=parent) == []
        with pytest.raises(ValidationFailed, match="does not take USD online"):
            _start(world, world.open_invoice())
    finally:
        online_payments.save_integration(actor=admin, currency="USD", integration_id="1201", key=KEY)


# --- who may pay ---------------------------------------------------------------------------------


def test_only_the_invoices_guardian_may_start_a_payment(world: World) -> None:
    invoice = world.open_invoice()
    with db.tenant_session(world.other.id) as session:
        foreign = session.exec(select(Invoice.id)).first()
    assert foreign is not None
    refusals: list[tuple[CurrentUser, UUID]] = [
        (world.actors["school_admin"], invoice.id),  # not the guardian, even with every fees permission
        (world.actors["staff"], invoice.id),
        (world.other_parent, invoice.id),  # another school's parent, this school's invoice
        (world.actors["parent"], foreign),  # another school's invoice
        (world.actors["parent"], uuid4()),
    ]
    for actor, invoice_id in refusals:
        with pytest.raises((NotFound, PermissionDenied)):
            online_payments.start_payment(actor=actor, invoice_id=invoice_id)


# --- starting -----------------------------------------------------------------------------------


def test_a_web_payment_asks_for_the_balance_and_sends_the_payer_to_paynow(world: World) -> None:
    invoice = world.open_invoice()
    with db.tenant_session(world.school.id) as session:
        balance = fees.invoice_balance(session, invoice)
    started = _start(world, invoice)
    assert started.redirect_url and started.redirect_url.startswith(world.paynow.base) and started.poll_url.startswith(world.paynow.base)
    sent = dict(world.paynow.received[-1][1])
    assert sent["id"] == "1201" and sent["reference"] == started.reference and Decimal(sent["amount"]) == balance
    assert sent["resulturl"].endswith("/api/v1/paynow/result") and sent["returnurl"].endswith(f"/parent/fees?paynow={started.reference}")
    row = world.transaction(started.reference)
    assert (row.amount, row.method, row.status, row.payment_id) == (balance, "web", "Sent", None)


@pytest.mark.parametrize(
    ("method", "phone", "refused"),
    [("ecocash", "+263 77 123 4567", ""), ("onemoney", "071 123 4567", ""), ("ecocash", "12345", "phone"), ("ecocash", "", "phone"),
     ("mpesa", "0771234567", "method")],
)
def test_express_checkout_sends_the_phone_in_local_form(world: World, method: str, phone: str, refused: str) -> None:
    invoice = world.open_invoice()
    if refused:
        with pytest.raises(ValidationFailed) as error:
            _start(world, invoice, method=method, phone=phone)
        assert set(error.value.errors) == {refused}
        return
    started = _start(world, invoice, method=method, phone=phone)
    sent = dict(world.paynow.received[-1][1])
    assert world.paynow.received[-1][0] == "/interface/remotetransaction"
    assert sent["phone"].startswith("07") and len(sent["phone"]) == 10 and sent["method"] == method
    assert sent["authemail"] == world.actors["parent"].email
    assert started.redirect_url is None and started.instructions


# --- status updates -----------------------------------------------------------------------------

Change = Callable[[list[tuple[str, str]]], list[tuple[str, str]]]


def _with(name: str, value: str) -> Change:
    return lambda fields: [(n, value if n == name else v) for n, v in fields]


@pytest.mark.parametrize(
    ("label", "change", "poll_status", "poll_amount", "recorded", "flagged"),
    [
        ("paid, hash right, poll agrees", lambda f: f, None, None, True, ""),
        ("hash in lower case", lambda f: [(n, v.lower() if n == "hash" else v) for n, v in f], None, None, True, ""),
        ("tampered amount", _with("amount", "1.00"), None, None, False, ""),
        ("tampered status", _with("status", "Delivered"), "Created", None, False, ""),
        ("no hash", lambda f: [(n, v) for n, v in f if n != "hash"], None, None, False, ""),
        ("empty hash", _with("hash", ""), None, None, False, ""),
        ("paid notice the poll contradicts", lambda f: f, "Cancelled", None, False, ""),
        ("underpaid", lambda f: f, None, "1.00", False, "amount"),
        ("overpaid", lambda f: f, None, "100000.00", False, "amount"),
        ("awaiting delivery means paid", lambda f: f, "Awaiting Delivery", None, True, ""),
    ],
)
def test_status_updates(world: World, label: str, change: Change, poll_status: str | None, poll_amount: str | None, recorded: bool, flagged: str) -> None:
    invoice = world.open_invoice()
    started = _start(world, invoice)
    payment = world.paynow.by_reference(started.reference)
    payment.status = "Paid"
    world.paynow.poll_status, world.paynow.poll_amount = poll_status, poll_amount
    try:
        update = world.paynow.status_fields(payment, status="Paid", amount=poll_amount)
        _post(world, change(update))
    finally:
        world.paynow.poll_status = world.paynow.poll_amount = None
    row = world.transaction(started.reference)
    assert (row.payment_id is not None, row.flagged or "") == (recorded, flagged), label
    assert len(world.payments_of(invoice)) == (1 if recorded else 0), label
    if recorded:
        with db.tenant_session(world.school.id) as session:
            assert fees.invoice_balance(session, session.get(Invoice, invoice.id)) == 0  # type: ignore[arg-type]
        [paid] = world.payments_of(invoice)
        assert paid.reference.startswith("Paynow ") and paid.received_by == world.actors["parent"].id


def test_a_replayed_notification_records_the_payment_once(world: World) -> None:
    invoice = world.open_invoice()
    started = _start(world, invoice)
    payment = world.paynow.by_reference(started.reference)
    payment.status = "Paid"
    update = world.paynow.status_fields(payment)
    for _ in range(3):
        _post(world, update)
    assert len(world.payments_of(invoice)) == 1
    status = online_payments.check_payment(actor=world.actors["parent"], reference=started.reference)
    assert status.recorded and len(world.payments_of(invoice)) == 1


def test_an_update_signed_with_another_key_or_for_another_school_changes_nothing(world: World) -> None:
    invoice = world.open_invoice()
    started = _start(world, invoice)
    payment = world.paynow.by_reference(started.reference)
    payment.status = "Paid"
    world.paynow.signing_key = "not-the-schools-key"
    try:
        _post(world, world.paynow.status_fields(payment))
    finally:
        world.paynow.signing_key = KEY
    online_payments.receive_status_update(school_id=world.other.id, body=urlencode(world.paynow.status_fields(payment)).encode())
    online_payments.receive_status_update(school_id=world.school.id, body=b"\xff\x00 not a form")
    assert world.transaction(started.reference).payment_id is None and world.payments_of(invoice) == []


def test_the_return_page_check_records_a_paid_payment_for_its_starter_only(world: World) -> None:
    invoice = world.open_invoice()
    started = _start(world, invoice)
    for stranger in (world.actors["school_admin"], world.other_parent):
        with pytest.raises((NotFound, PermissionDenied)):
            online_payments.check_payment(actor=stranger, reference=started.reference)
    waiting = online_payments.check_payment(actor=world.actors["parent"], reference=started.reference)
    assert (waiting.recorded, waiting.status) == (False, "Created")  # Paynow's word, polled
    world.paynow.by_reference(started.reference).status = "Paid"
    done = online_payments.check_payment(actor=world.actors["parent"], reference=started.reference)
    assert (done.recorded, done.status, done.invoice_id) == (True, "Paid", str(invoice.id))
    assert len(world.payments_of(invoice)) == 1


def test_a_payment_no_longer_owed_is_flagged_not_recorded(world: World) -> None:
    invoice = world.open_invoice()
    started = _start(world, invoice)
    with db.tenant_session(world.school.id) as session:
        owed = fees.owed(session, invoice.student_id, "USD")
    fees.take_payment(
        actor=world.actors["school_admin"],
        payment=fees.PaymentInput(student_id=invoice.student_id, amount=str(owed), currency="USD", method="cash"),
    )
    world.paynow.by_reference(started.reference).status = "Paid"
    status = online_payments.check_payment(actor=world.actors["parent"], reference=started.reference)
    assert (status.recorded, status.flagged) == (False, "not_owed")
    assert world.payments_of(invoice) == []
