"""The school calendar: Zimbabwe's public holidays, today in the school's time zone, today's term,
the days registers are not taken, closures kept per school, the demo's year around any date, and
`GET /api/v1/terms`."""

from datetime import UTC, date, datetime, timedelta
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select

from models import ClosureDay, Term
from oneclass import db
from oneclass.demo_records import demo_years, school_admin_of
from oneclass.permissions import PermissionDenied
from oneclass.services import academics, calendar
from oneclass.services.academics import TermDates
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed
from tests.conftest import SchoolFixture
from tests.test_api_v1 import as_user, assert_error, assert_success, client, host, schools  # noqa: F401 (fixtures)


@pytest.mark.parametrize(
    ("year", "day", "name"),
    [
        (2026, date(2026, 4, 3), "Good Friday"),  # Easter Sunday 2026 is 5 April
        (2026, date(2026, 4, 4), "Holy Saturday"),
        (2026, date(2026, 4, 6), "Easter Monday"),
        (2026, date(2026, 8, 10), "Heroes' Day"),  # the second Monday of August
        (2026, date(2026, 8, 11), "Defence Forces Day"),
        (2027, date(2027, 3, 26), "Good Friday"),  # Easter Sunday 2027 is 28 March
        (2027, date(2027, 4, 19), "Independence Day (observed)"),  # 18 April 2027 is a Sunday
        (2027, date(2027, 8, 9), "Heroes' Day"),
        (2022, date(2022, 12, 27), "Christmas Day (observed)"),  # Christmas on a Sunday, Boxing Day on Monday
        (2024, date(2024, 3, 29), "Good Friday"),
        (2022, date(2022, 4, 18), "Independence Day / Easter Monday"),  # one day off, both names
    ],
)
def test_zimbabwe_public_holidays(year: int, day: date, name: str) -> None:
    holidays = {holiday.day: holiday.name for holiday in calendar.zimbabwe_public_holidays(year)}
    assert holidays[day] == name
    assert "Independence Day" in holidays[date(year, 4, 18)]
    assert len(holidays) == len(calendar.zimbabwe_public_holidays(year))  # no day twice


def test_today_is_the_schools_day_not_the_servers() -> None:
    late_evening_utc = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
    assert calendar.school_today("Africa/Harare", late_evening_utc) == date(2026, 12, 2)
    assert calendar.school_today("UTC", late_evening_utc) == date(2026, 12, 1)
    assert calendar.school_today("Not/AZone", late_evening_utc) == date(2026, 12, 2)  # falls back to Harare


def _every_day(year: int) -> list[date]:
    return [date(year, 1, 1) + timedelta(days=offset) for offset in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)]


@pytest.mark.parametrize("year", [2026, 2027, 2028])
def test_the_demo_year_puts_every_day_inside_a_term_after_a_finished_one(year: int) -> None:
    for today in _every_day(year):
        last_year, this_year = demo_years(today)
        for demo in (last_year, this_year):
            assert academics.validate_year(demo.name, demo.starts_on, demo.ends_on, demo.terms) == {}, today
        terms = [*last_year.terms, *this_year.terms]
        current = [term for term in terms if term.starts_on <= today <= term.ends_on]
        assert len(current) == 1, today
        before = terms[terms.index(current[0]) - 1]
        assert before.ends_on < today, today


def _admin(school: SchoolFixture) -> CurrentUser:
    with db.tenant_session(school.id) as session:
        return school_admin_of(session, school.id)


def _add_year(admin: CurrentUser, year: int) -> None:
    terms = [
        TermDates(date(year, 1, 13), date(year, 4, 9)),
        TermDates(date(year, 5, 12), date(year, 8, 6)),
        TermDates(date(year, 9, 8), date(year, 12, 3)),
    ]
    academics.create_year(actor=admin, name=str(year), starts_on=date(year, 1, 6), ends_on=date(year, 12, 11), terms=terms, current=True)


def test_terms_holidays_and_school_days(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, other = two_schools
    admin = _admin(school)
    _add_year(admin, 2026)
    with db.tenant_session(school.id) as session:
        # Adding a year writes its public holidays as the school's own data.
        names = {closure.day: closure.name for closure in session.exec(select(ClosureDay)).all()}
        assert names[date(2026, 8, 10)] == "Heroes' Day"
        terms = {term.number: term for term in session.exec(select(Term)).all()}
        assert calendar.term_for_day(session, date(2026, 6, 1)) == terms[2]
        assert calendar.term_for_day(session, date(2026, 8, 20)) == terms[2]  # in the holiday: the last term started
        assert calendar.term_for_day(session, date(2026, 1, 2)) is None
        assert calendar.is_school_day(session, date(2026, 6, 1))  # a Monday in term 2
        assert not calendar.is_school_day(session, date(2026, 6, 6))  # a Saturday
        assert not calendar.is_school_day(session, date(2026, 5, 25))  # Africa Day
        assert not calendar.is_school_day(session, date(2026, 8, 20))  # the holiday between terms
    with db.tenant_session(other.id) as session:
        assert session.exec(select(ClosureDay)).all() == []  # nothing of the first school's

    closure = calendar.add_closure_day(actor=admin, day=date(2026, 6, 5), name="  Sports   day ", ip="x")
    assert closure["name"] == "Sports day" and closure["kind"] == "closure"
    with db.tenant_session(school.id) as session:
        assert not calendar.is_school_day(session, date(2026, 6, 5))
    with pytest.raises(Conflict):
        calendar.add_closure_day(actor=admin, day=date(2026, 5, 25), name="Again", ip="x")
    with pytest.raises(ValidationFailed):
        calendar.add_closure_day(actor=admin, day=date(2026, 6, 8), name="   ", ip="x")
    days = calendar.list_closure_days(actor=admin, year=2026)
    assert [row["day"] for row in days] == sorted(row["day"] for row in days)

    teacher = CurrentUser(id=admin.id, school_id=school.id, email="t@x", full_name="", role="teacher", family_id=admin.id)
    with pytest.raises(PermissionDenied):
        calendar.add_closure_day(actor=teacher, day=date(2026, 6, 9), name="Mine", ip="x")
    # Another school's admin, acting with this school's closure id, finds nothing to remove.
    with pytest.raises(NotFound):
        calendar.remove_closure_day(actor=_admin(other), closure_id=UUID(closure["id"]), ip="x")
    calendar.remove_closure_day(actor=admin, closure_id=UUID(closure["id"]), ip="x")
    with db.tenant_session(school.id) as session:
        assert calendar.is_school_day(session, date(2026, 6, 5))


def test_api_lists_terms_with_todays_marked(client: TestClient, schools) -> None:  # noqa: F811
    school_a, _ = schools
    body = client.get("/api/v1/terms", headers=as_user(client, school_a, "parent")).json()
    assert_success(body, listing=True)
    terms = body["data"]
    today = calendar.school_today("Africa/Harare")
    current = [term for term in terms if term["current"]]
    assert len(current) == 1
    assert current[0]["starts_on"] <= today.isoformat() <= current[0]["ends_on"]  # the demo's year is built around today
    assert len(terms) == 6  # last year's and this year's
    assert_error(client.get("/api/v1/terms", headers=host(school_a)), 401, "UNAUTHORIZED")
