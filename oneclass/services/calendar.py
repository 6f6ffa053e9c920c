"""The school calendar: today in the school's time zone, today's term, and the days on which no
register is taken (weekends, public holidays, the school's own closures).

Zimbabwe's public holidays are written into each school's `closure_days` when a year is added, as
data the school can change (a holiday moved by proclamation, a closure of its own): the rules
below are the Public Holidays and Prohibition of Business Act's as they stand, not a promise.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict
from uuid import UUID
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlmodel import Session, col, select

from models import AcademicYear, ClosureDay, ClosureKind, School, Term
from oneclass.db import unit_of_work
from oneclass.i18n import _, format_message
from oneclass.permissions import require
from oneclass.services import audit
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import Conflict, NotFound, ValidationFailed

DEFAULT_TIMEZONE = "Africa/Harare"
MANAGE_CALENDAR = "school.update"

# (month, day, name): the fixed-date holidays. Names are data (stored, shown as stored).
FIXED_HOLIDAYS = [
    (1, 1, "New Year's Day"),
    (2, 21, "Robert Gabriel Mugabe National Youth Day"),
    (4, 18, "Independence Day"),
    (5, 1, "Workers' Day"),
    (5, 25, "Africa Day"),
    (12, 22, "National Unity Day"),
    (12, 25, "Christmas Day"),
    (12, 26, "Boxing Day"),
]


@dataclass(frozen=True)
class Holiday:
    day: date
    name: str


class TermRow(TypedDict):
    id: str
    year: str
    number: int
    starts_on: str
    ends_on: str
    current: bool


class ClosureRow(TypedDict):
    id: str
    day: str
    name: str
    kind: str


def easter_sunday(year: int) -> date:
    """Western Easter (the anonymous Gregorian computus)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month = (h + leap - 7 * m + 114) // 31
    day = (h + leap - 7 * m + 114) % 31 + 1
    return date(year, month, day)


def _second_monday_of_august(year: int) -> date:
    first = date(year, 8, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7 + 7)


def zimbabwe_public_holidays(year: int) -> list[Holiday]:
    """The year's public holidays; one that falls on a Sunday gives the next free day off."""
    easter = easter_sunday(year)
    heroes = _second_monday_of_august(year)
    holidays = [Holiday(date(year, month, day), name) for month, day, name in FIXED_HOLIDAYS]
    holidays += [
        Holiday(easter - timedelta(days=2), "Good Friday"),
        Holiday(easter - timedelta(days=1), "Holy Saturday"),
        Holiday(easter + timedelta(days=1), "Easter Monday"),
        Holiday(heroes, "Heroes' Day"),
        Holiday(heroes + timedelta(days=1), "Defence Forces Day"),
    ]
    # Two on one day (Easter Monday on 18 April) are one day off with both names.
    by_day: dict[date, str] = {}
    for holiday in holidays:
        by_day[holiday.day] = f"{by_day[holiday.day]} / {holiday.name}" if holiday.day in by_day else holiday.name
    holidays = [Holiday(day, name) for day, name in by_day.items()]
    taken = set(by_day)
    for holiday in sorted(holidays, key=lambda h: h.day):
        if holiday.day.weekday() == 6:
            observed = holiday.day + timedelta(days=1)
            while observed in taken:
                observed += timedelta(days=1)
            taken.add(observed)
            holidays.append(Holiday(observed, f"{holiday.name} (observed)"))
    return sorted(holidays, key=lambda h: h.day)


def school_zone(timezone: str) -> ZoneInfo:
    """The school's time zone; Harare's when it names none (or one this machine does not know)."""
    try:
        return ZoneInfo(timezone or DEFAULT_TIMEZONE)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(DEFAULT_TIMEZONE)


def school_today(timezone: str, now: datetime | None = None) -> date:
    """Today where the school is: a register taken at 00:30 in Harare belongs to Harare's day."""
    zone = school_zone(timezone)
    return (now or datetime.now(tz=zone)).astimezone(zone).date()


def today_for(session: Session, school_id: UUID) -> date:
    return now_for(session, school_id).date()


def now_for(session: Session, school_id: UUID) -> datetime:
    """The time now on the school's clock (its time zone)."""
    school = session.get(School, school_id)
    return datetime.now(tz=school_zone(school.timezone if school else DEFAULT_TIMEZONE))


def term_for_day(session: Session, day: date) -> Term | None:
    """The term whose dates contain `day`; in a holiday, the most recent term that has started."""
    return session.exec(
        select(Term).where(col(Term.starts_on) <= day).order_by(col(Term.starts_on).desc(), col(Term.ends_on).desc())
    ).first()


def term_label(session: Session, term: Term) -> str:
    """ "2026 Term 3": a term as the pages name it."""
    year = session.get(AcademicYear, term.academic_year_id)
    return format_message("{year} Term {number}", year=year.name if year else "", number=term.number)


def is_school_day(session: Session, day: date) -> bool:
    """A register is taken on `day`: a weekday inside a term that is no holiday or closure."""
    if day.weekday() >= 5:
        return False
    term = term_for_day(session, day)
    if term is None or day > term.ends_on:
        return False
    return session.exec(select(ClosureDay.id).where(ClosureDay.day == day)).first() is None


def school_days(session: Session, first: date, last: date) -> list[date]:
    """Every day from `first` to `last` on which a register is taken (`is_school_day`'s rule),
    in two queries however long the span: its terms and its closure days."""
    terms = session.exec(select(col(Term.starts_on), col(Term.ends_on)).where(col(Term.starts_on) <= last, col(Term.ends_on) >= first)).all()
    closed = set(session.exec(select(col(ClosureDay.day)).where(col(ClosureDay.day) >= first, col(ClosureDay.day) <= last)).all())
    days: list[date] = []
    for offset in range((last - first).days + 1):
        day = first + timedelta(days=offset)
        if day.weekday() < 5 and day not in closed and any(starts <= day <= ends for starts, ends in terms):
            days.append(day)
    return days


def add_public_holidays(session: Session, school_id: UUID, first_year: int, last_year: int) -> int:
    """Write the public holidays of these years that the school does not have yet (a day it has
    already marked keeps its own name); returns how many were added."""
    marked = session.exec(
        select(ClosureDay).where(col(ClosureDay.day) >= date(first_year, 1, 1), col(ClosureDay.day) <= date(last_year, 12, 31))
    ).all()
    known = {closure.day for closure in marked}
    added = 0
    for year in range(first_year, last_year + 1):
        for holiday in zimbabwe_public_holidays(year):
            if holiday.day not in known:
                session.add(ClosureDay(school_id=school_id, day=holiday.day, name=holiday.name, kind=ClosureKind.public_holiday))
                known.add(holiday.day)
                added += 1
    session.flush()
    return added


def _term_rows(session: Session, today: date) -> list[TermRow]:
    current = term_for_day(session, today)
    years = {year.id: year.name for year in session.exec(select(AcademicYear)).all()}
    terms = session.exec(select(Term).order_by(col(Term.starts_on))).all()
    return [
        {
            "id": str(term.id),
            "year": years.get(term.academic_year_id, ""),
            "number": term.number,
            "starts_on": term.starts_on.isoformat(),
            "ends_on": term.ends_on.isoformat(),
            "current": current is not None and term.id == current.id,
        }
        for term in terms
    ]


def list_terms(*, actor: CurrentUser) -> list[TermRow]:
    """The school's terms, oldest first, today's marked `current`. Dates are no secret: anyone
    of the school may read them."""
    if actor.school_id is None:
        raise NotFound(_("No such school."))
    with unit_of_work(actor) as session:
        return _term_rows(session, today_for(session, actor.school_id))


def list_closure_days(*, actor: CurrentUser, year: int) -> list[ClosureRow]:
    require(actor, MANAGE_CALENDAR)
    with unit_of_work(actor) as session:
        days = session.exec(
            select(ClosureDay)
            .where(col(ClosureDay.day) >= date(year, 1, 1), col(ClosureDay.day) <= date(year, 12, 31))
            .order_by(col(ClosureDay.day))
        ).all()
        return [{"id": str(day.id), "day": day.day.isoformat(), "name": day.name, "kind": day.kind} for day in days]


def _audit_closure(session: Session, actor: CurrentUser, ip: str, change: str, closure: ClosureDay) -> None:
    assert actor.school_id is not None
    audit.record(
        session,
        school_id=actor.school_id,
        action=audit.SCHOOL_SETTINGS_CHANGED,
        actor=actor.actor(ip),
        target=closure.day.isoformat(),
        detail={"closure_day": {"change": change, "day": closure.day.isoformat(), "name": closure.name, "kind": closure.kind}},
    )


def add_closure_day(*, actor: CurrentUser, day: date, name: str, ip: str, kind: str = ClosureKind.closure) -> ClosureRow:
    """The school is closed on `day` (a sports day, an exam centre day, a holiday proclaimed this
    year): no register then."""
    require(actor, MANAGE_CALENDAR)
    if kind not in set(ClosureKind):
        raise ValidationFailed({"kind": _("Choose whether it is a public holiday or a closure of the school.")})
    cleaned = " ".join(name.split())
    if not cleaned or len(cleaned) > 100:
        raise ValidationFailed({"name": _("Say why the school is closed (at most 100 characters).")})
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        if session.exec(select(ClosureDay).where(ClosureDay.day == day)).first() is not None:
            raise Conflict(format_message("{day} is already a day the school is closed.", day=day.isoformat()))
        closure = ClosureDay(school_id=actor.school_id, day=day, name=cleaned, kind=ClosureKind(kind))
        session.add(closure)
        session.flush()
        _audit_closure(session, actor, ip, "added", closure)
        return {"id": str(closure.id), "day": day.isoformat(), "name": cleaned, "kind": closure.kind}


def remove_closure_day(*, actor: CurrentUser, closure_id: UUID, ip: str) -> None:
    """The school sits on that day after all (a public holiday too: the school's own list)."""
    require(actor, MANAGE_CALENDAR)
    with unit_of_work(actor) as session:
        closure = session.get(ClosureDay, closure_id)
        if closure is None:
            raise NotFound(_("No such closure day."))
        _audit_closure(session, actor, ip, "removed", closure)
        session.delete(closure)
