"""The years page's public holidays and closure days, through the state as the page drives it:
the year's list, adding a day (with its refusals kept in the dialog), removing one after the
confirmation, and a teacher refused at every step with nothing written."""

from datetime import date

from sqlmodel import select

from models import ClosureDay, Role
from oneclass import db
from oneclass.services import academics
from oneclass.services.academics import TermDates
from state.years import ClosureDaysState
from tests.conftest import SchoolFixture
from tests.test_calendar import _admin
from tests.test_exports_lists import run, school_state


def _closures(school: SchoolFixture) -> dict[date, tuple[str, str]]:
    with db.tenant_session(school.id) as session:
        return {closure.day: (closure.name, closure.kind) for closure in session.exec(select(ClosureDay)).all()}


def test_the_admin_lists_adds_and_removes_closure_days(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, other = two_schools
    terms = [TermDates(date(2031, 1, 13), date(2031, 4, 9)), TermDates(date(2031, 5, 12), date(2031, 8, 6)), TermDates(date(2031, 9, 8), date(2031, 12, 3))]
    academics.create_year(actor=_admin(school), name="2031", starts_on=date(2031, 1, 6), ends_on=date(2031, 12, 11), terms=terms)

    state = school_state(ClosureDaysState, school, Role.school_admin)
    run(state.load_closures())
    run(state.choose_closure_year("2031"))
    assert "2031" in state.year_choices and state.closure_year == "2031"
    assert {row["name"] for row in state.closures} >= {"Heroes' Day", "Christmas Day"}
    assert all(row["kind_label"] == "Public holiday" for row in state.closures)

    run(state.open_new_closure())
    assert state.editor_open and state.errors == {}
    run(state.add_closure({"day": "", "name": "Sports day", "kind": "closure"}))
    assert state.editor_open and state.errors["day"]  # refused in the dialog, which stays open
    run(state.add_closure({"day": "2031-12-25", "name": "Again", "kind": "closure"}))
    assert state.editor_open and "already" in state.errors["form"]
    run(state.add_closure({"day": "2031-06-13", "name": " Sports   day ", "kind": "closure"}))
    assert not state.editor_open
    assert _closures(school)[date(2031, 6, 13)] == ("Sports day", "closure")
    added = next(row for row in state.closures if row["day"] == "2031-06-13")
    assert added["kind_label"] == "School closure"

    run(state.ask_remove_closure(added["id"], added["name"]))
    assert state.confirm_open and state.confirm_name == "Sports day"
    assert date(2031, 6, 13) in _closures(school)  # asking removes nothing
    run(state.remove_closure())
    assert not state.confirm_open and date(2031, 6, 13) not in _closures(school)
    assert "2031-06-13" not in {row["day"] for row in state.closures}

    # Another school's admin, with this school's closure id, removes nothing.
    christmas = next(row for row in state.closures if row["day"] == "2031-12-25")
    intruder = school_state(ClosureDaysState, other, Role.school_admin)
    run(intruder.ask_remove_closure(christmas["id"], "x"))
    run(intruder.remove_closure())
    assert date(2031, 12, 25) in _closures(school)


def test_a_teacher_is_refused_and_writes_nothing(two_schools: tuple[SchoolFixture, SchoolFixture]) -> None:
    school, _ = two_schools
    before = _closures(school)
    state = school_state(ClosureDaysState, school, Role.teacher)
    assert run(state.load_closures()) is not None and state.closures == []
    run(state.open_new_closure())
    assert not state.editor_open
    run(state.add_closure({"day": "2031-06-13", "name": "Mine", "kind": "closure"}))
    assert _closures(school) == before
