"""The arrears list on a seeded school: who owes what, split by age (invoices back-dated to 45
and 100 days), each filter, search, paging, totals over every match, the audited export, who may
see it and another school's rows."""

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from sqlmodel import col, select

from models import AuditEvent, Invoice
from oneclass import db
from oneclass.permissions import PermissionDenied
from oneclass.services import arrears, calendar, fees
from oneclass.services.arrears import ArrearsFilter
from oneclass.services.errors import ValidationFailed
from tests.conftest import delete_school, make_school
from tests.test_fees import School, _seed, _students

D = Decimal


@pytest.fixture(scope="module")
def schools() -> Iterator[tuple[School, School]]:
    a, b = make_school("arra"), make_school("arrb")
    try:
        yield _seed(a), _seed(b)
    finally:
        delete_school(a)
        delete_school(b)


def _age(school: School, student_id: UUID, account: str, days: int) -> None:
    """Back-date a student's invoice by `days`."""
    with db.tenant_session(school.fixture.id) as session:
        invoice = session.exec(select(Invoice).where(Invoice.student_id == student_id, Invoice.account == account, col(Invoice.sponsor_id).is_(None))).one()
        invoice.issued_on = calendar.today_for(session, school.fixture.id) - timedelta(days=days)
        session.add(invoice)
        session.commit()


def _owing(school: School) -> dict[str, Decimal]:
    admin = school.actors["school_admin"]
    return {
        str(s.id): D(fees.student_fees(actor=admin, student_id=s.id).balance["USD"])
        for s in _students(school)
        if D(fees.student_fees(actor=admin, student_id=s.id).balance["USD"]) > 0
    }


def test_arrears_list_every_student_owing_with_ageing_and_totals(schools) -> None:
    school, other = schools
    bursar = school.actors["staff"]
    owing = _owing(school)
    found = arrears.arrears_page(actor=bursar, filters=ArrearsFilter(), per_page=100)
    assert {row["student_id"]: D(row["owed"]) for row in found.rows} == owing
    assert found.total == len(owing)
    assert found.totals == [{
        "currency": "USD", "students": len(owing), "owed": fees.money_text(sum(owing.values(), D(0))),
        "under_30": fees.money_text(sum(owing.values(), D(0))), "days_30": "0.00", "days_60": "0.00", "days_90": "0.00",
    }]
    assert not {row["student_id"] for row in found.rows} & {str(s.id) for s in _students(other)}

    aged = next(s for s in _students(school) if owing.get(str(s.id)) == D("145.00"))
    _age(school, aged.id, "tuition", 100)
    _age(school, aged.id, "levy", 45)
    row = next(r for r in arrears.arrears_page(actor=bursar, filters=ArrearsFilter(), per_page=100).rows if r["student_id"] == str(aged.id))
    assert (row["under_30"], row["days_30"], row["days_60"], row["days_90"], row["days"]) == ("0.00", "25.00", "0.00", "120.00", 100)
    first = arrears.arrears_page(actor=bursar, filters=ArrearsFilter(), per_page=2)
    assert first.rows[0]["student_id"] == str(aged.id) and len(first.rows) == 2 and first.total == len(owing)  # oldest first, paged
    assert [r["student_id"] for r in arrears.arrears_page(actor=bursar, filters=ArrearsFilter(overdue=90)).rows] == [str(aged.id)]
    assert [r["student_id"] for r in arrears.arrears_page(actor=bursar, filters=ArrearsFilter(overdue=30)).rows] == [str(aged.id)]
    searched = arrears.arrears_page(actor=bursar, filters=ArrearsFilter(search=aged.admission_number))
    assert [r["student_id"] for r in searched.rows] == [str(aged.id)] and searched.totals and searched.totals[0]["owed"] == "145.00"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (ArrearsFilter(currency="ZWG"), 0),
        (ArrearsFilter(minimum="1000"), 0),
        (ArrearsFilter(minimum="0.01"), None),  # None: every student owing
        (ArrearsFilter(search="%"), 0),  # taken literally
    ],
)
def test_arrears_filters(schools, filters: ArrearsFilter, expected: int | None) -> None:
    school, _ = schools
    found = arrears.arrears_page(actor=school.actors["school_admin"], filters=filters)
    assert found.total == (len(_owing(school)) if expected is None else expected)


def test_arrears_by_grade_and_class(schools) -> None:
    school, _ = schools
    admin = school.actors["school_admin"]
    choices = arrears.arrears_choices(actor=admin)
    everyone = arrears.arrears_page(actor=admin, filters=ArrearsFilter(), per_page=100).rows
    class_id, class_name = next(iter(choices.classes.items()))
    in_class = arrears.arrears_page(actor=admin, filters=ArrearsFilter(class_id=UUID(class_id)), per_page=100).rows
    assert [r["student_id"] for r in in_class] == [r["student_id"] for r in everyone if r["class_name"] == class_name]
    levels = {c["value"] for c in choices.grades}
    by_level = sum(arrears.arrears_page(actor=admin, filters=ArrearsFilter(grade_level=level)).total for level in levels)
    assert by_level == len(everyone)
    with pytest.raises(ValidationFailed) as refused:
        arrears.arrears_page(actor=admin, filters=ArrearsFilter(minimum="lots"))
    assert "minimum" in refused.value.errors


def test_an_export_is_audited_and_only_collectors_see_arrears(schools) -> None:
    school, _ = schools
    bursar = school.actors["staff"]
    rows = arrears.export_arrears(actor=bursar, filters=ArrearsFilter(currency="USD"), file_format="xlsx", ip="10.1.2.3")
    assert len(rows) == arrears.arrears_page(actor=bursar, filters=ArrearsFilter()).total
    with db.tenant_session(school.fixture.id) as session:
        event = session.exec(select(AuditEvent).where(AuditEvent.action == arrears.ARREARS_EXPORTED).order_by(col(AuditEvent.created_at).desc())).first()
    assert event is not None and event.actor_id == bursar.id and event.ip == "10.1.2.3"
    assert event.detail["rows"] == len(rows) and event.detail["currency"] == "USD" and event.detail["format"] == "xlsx"
    for who in ("parent", "teacher"):
        with pytest.raises(PermissionDenied):
            arrears.arrears_page(actor=school.actors[who], filters=ArrearsFilter())
        with pytest.raises(PermissionDenied):
            arrears.export_arrears(actor=school.actors[who], filters=ArrearsFilter(), file_format="csv")
