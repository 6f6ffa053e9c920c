"""GET /api/v1/students/{id}/fees and POST /api/v1/payments, as the contract says: the shape,
money as decimal strings with two places, statuses, who may (the admin and the bursar take
payments; a parent sees only their children), another school's ids 404, refusals as the
envelope's VALIDATION_ERROR."""

import re
from decimal import Decimal
from uuid import UUID

from fastapi.testclient import TestClient
from sqlmodel import col, select

from models import Duty, Guardian, Student, StudentGuardian, User
from oneclass import db
from tests.conftest import SchoolFixture
from tests.test_api_v1 import as_user, assert_error, assert_success, client, host, schools  # noqa: F401 (fixtures)

MONEY = re.compile(r"^\d+\.\d{2}$")
INVOICE_KEYS = {"id", "term_id", "currency", "total", "paid", "balance", "status"}
PAYMENT_KEYS = {"id", "date", "amount", "currency", "method", "reference"}


def _ids(school: SchoolFixture) -> tuple[list[UUID], list[UUID]]:
    """The demo parent's children, and the other students (by admission number); makes the
    demo staff member a bursar."""
    with db.tenant_session(school.id) as session:
        staff = session.exec(select(User).where(User.role == "staff")).one()
        staff.duties = [Duty.bursar.value]
        session.add(staff)
        parent = session.exec(select(User).where(User.role == "parent")).one()
        children = list(
            session.exec(
                select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == parent.id)
            ).all()
        )
        others = [s for s in session.exec(select(Student.id).order_by(col(Student.admission_number))).all() if s not in children]
        session.commit()
    return children, others


def test_a_students_fees_in_the_contracts_shape(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    children, _others = _ids(school_a)
    headers = as_user(client, school_a, "parent")
    body = client.get(f"/api/v1/students/{children[0]}/fees", headers=headers).json()
    assert_success(body)
    fees = body["data"]
    assert set(fees) == {"invoices", "payments", "balance"}
    assert set(fees["balance"]) == {"USD", "ZWG"} and all(MONEY.match(v) for v in fees["balance"].values())
    assert len(fees["invoices"]) == 2  # tuition and the levy, in USD
    for invoice in fees["invoices"]:
        assert set(invoice) == INVOICE_KEYS
        assert invoice["currency"] == "USD" and invoice["status"] in {"open", "partial", "paid", "void"}
        assert all(MONEY.match(invoice[k]) for k in ("total", "paid", "balance"))
        assert Decimal(invoice["total"]) - Decimal(invoice["paid"]) == Decimal(invoice["balance"])
    # The first demo student is part-paid: 50.00 in cash against the oldest invoice.
    assert [p["amount"] for p in fees["payments"]] == ["50.00"]
    assert set(fees["payments"][0]) == PAYMENT_KEYS and fees["payments"][0]["method"] == "cash"
    assert {i["status"] for i in fees["invoices"]} == {"partial", "open"}
    assert fees["balance"]["USD"] == str(sum(Decimal(i["balance"]) for i in fees["invoices"]))


def test_the_bursar_takes_a_payment_and_the_balance_drops(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    children, _others = _ids(school_a)
    child = children[1]  # the second demo student: paid in full by bank; give them nothing more to pay
    parent = as_user(client, school_a, "parent")
    before = client.get(f"/api/v1/students/{children[0]}/fees", headers=parent).json()["data"]["balance"]["USD"]
    response = client.post(
        "/api/v1/payments", headers=as_user(client, school_a, "staff"),
        json={"student_id": str(children[0]), "amount": "20.5", "currency": "USD", "method": "mobile_money", "reference": "MP261207.1", "exchange_rate": None},
    )
    assert response.status_code == 201, response.text
    payment = response.json()["data"]
    assert payment["amount"] == "20.50" and payment["method"] == "mobile_money" and payment["reference"] == "MP261207.1"
    assert payment["student_id"] == str(children[0]) and payment["exchange_rate"] is None
    assert [(a["currency"], a["amount"]) for a in payment["allocations"]] == [("USD", "20.50")]
    after = client.get(f"/api/v1/students/{children[0]}/fees", headers=parent).json()["data"]
    assert Decimal(after["balance"]["USD"]) == Decimal(before) - Decimal("20.50")
    assert payment["id"] in [p["id"] for p in after["payments"]]
    paid_up = client.get(f"/api/v1/students/{child}/fees", headers=parent).json()["data"]
    assert paid_up["balance"]["USD"] == "0.00" and {i["status"] for i in paid_up["invoices"]} == {"paid"}
    assert_error(
        client.post("/api/v1/payments", headers=as_user(client, school_a, "school_admin"),
                    json={"student_id": str(child), "amount": "1.00", "currency": "USD", "method": "cash", "reference": "", "exchange_rate": None}),
        422, "VALIDATION_ERROR",
    )  # nothing owed


def test_who_may_reach_fees(client: TestClient, schools) -> None:  # noqa: F811
    school_a, school_b = schools
    children, others = _ids(school_a)
    _children_b, others_b = _ids(school_b)
    parent, teacher, admin = (as_user(client, school_a, role) for role in ("parent", "teacher", "school_admin"))
    assert_error(client.get(f"/api/v1/students/{others[0]}/fees", headers=parent), 404, "NOT_FOUND")
    assert_error(client.get(f"/api/v1/students/{others_b[0]}/fees", headers=admin), 404, "NOT_FOUND")
    assert_error(client.get(f"/api/v1/students/{children[0]}/fees", headers=teacher), 403, "FORBIDDEN")
    assert_error(client.get(f"/api/v1/students/{children[0]}/fees", headers=host(school_a)), 401, "UNAUTHORIZED")
    assert_error(client.get("/api/v1/students/not-an-id/fees", headers=admin), 422, "VALIDATION_ERROR")
    good = {"student_id": str(others[0]), "amount": "1.00", "currency": "USD", "method": "cash", "reference": "", "exchange_rate": None}
    for role in ("parent", "teacher", "student"):
        assert_error(client.post("/api/v1/payments", headers=as_user(client, school_a, role), json=good), 403, "FORBIDDEN")
    assert_error(client.post("/api/v1/payments", headers=admin, json={**good, "student_id": str(others_b[0])}), 404, "NOT_FOUND")
    for field, value in (("amount", "1.005"), ("amount", "-1"), ("currency", "EUR"), ("method", "cheque"), ("exchange_rate", "0")):
        body = assert_error(client.post("/api/v1/payments", headers=admin, json={**good, field: value}), 422, "VALIDATION_ERROR")
        assert field in str(body["error"]["details"])
