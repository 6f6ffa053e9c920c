"""The bursar's arrears list: every student whose family owes fees, one row per student and
currency, with what is owed split by age, filtered (grade level, class, currency, a minimum owed,
how old the oldest debt is), searched, paged, with totals over everything the filters match;
exported to CSV or Excel, every export audited (children's names and their families' debts are
personal data under the Cyber and Data Protection Act).

Ageing counts days from an invoice's issue date (invoices carry no due date yet) to today at the
school: under 30 days, 30-59, 60-89, 90 or more. What an invoice owes is its total less what
payments not reversed paid of it; void invoices and sponsors' invoices are not the family's debt.
The class and grade are the student's in the year of today's term.

Who: `fees.collect`, the school admin's and the bursar's. Arrears are the collecting side of fees
(who to ask for what, next time they come to the till), and whoever collects already sees every
student's balance on the cashier's screen; `fees.manage` is about what is charged.
"""

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from sqlalchemy import text
from sqlmodel import Session, col, select

from models import GRADE_LEVEL_NAMES, Currency, GradeLevel, SchoolClass
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _
from oneclass.permissions import require
from oneclass.services import audit, calendar
from oneclass.services.academics import Choice, grade_choices, school_level
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from oneclass.services.fees import COLLECT_FEES, money_text, parse_money
from oneclass.services.paging import Page, like_pattern

ARREARS_EXPORTED = "fees.arrears_exported"
AGES = (0, 30, 60, 90)  # the overdue filter: owing something at least this many days old
MAX_PER_PAGE = 100
BAD_MINIMUM = N_("Give the minimum as an amount, such as 50 or 50.00.")

# What payments not reversed paid per invoice, summed once (a correlated subquery per invoice
# ran twice per invoice and could not use the allocations' invoice index under RLS); per invoice
# what it still owes; per student and currency the sum, split by age; then the student's name and
# this year's class. MATERIALIZED: the planner cannot guess how few rows the sums leave. RLS
# keeps every table to the school.
_ARREARS_SQL = """
WITH paid AS (
    SELECT a.invoice_id, sum(a.amount) AS paid
    FROM payment_allocations a JOIN payments p ON p.id = a.payment_id
    WHERE p.reversed_at IS NULL
    GROUP BY a.invoice_id
), per_student AS MATERIALIZED (
    SELECT i.student_id, i.currency, sum(i.total - COALESCE(paid.paid, 0)) AS owed,
           COALESCE(sum(i.total - COALESCE(paid.paid, 0)) FILTER (WHERE :today - i.issued_on < 30), 0) AS under_30,
           COALESCE(sum(i.total - COALESCE(paid.paid, 0)) FILTER (WHERE :today - i.issued_on BETWEEN 30 AND 59), 0) AS days_30,
           COALESCE(sum(i.total - COALESCE(paid.paid, 0)) FILTER (WHERE :today - i.issued_on BETWEEN 60 AND 89), 0) AS days_60,
           COALESCE(sum(i.total - COALESCE(paid.paid, 0)) FILTER (WHERE :today - i.issued_on >= 90), 0) AS days_90,
           min(i.issued_on) AS oldest
    FROM invoices i LEFT JOIN paid ON paid.invoice_id = i.id
    WHERE i.sponsor_id IS NULL AND i.voided_at IS NULL AND i.total > COALESCE(paid.paid, 0)
    GROUP BY i.student_id, i.currency
), placed AS MATERIALIZED (
    SELECT ps.*, s.first_name, s.last_name, s.admission_number, c.id AS class_id, c.name AS class_name, c.grade_level
    FROM per_student ps
    JOIN students s ON s.id = ps.student_id
    LEFT JOIN enrolments e ON e.student_id = s.id AND e.academic_year_id = :year_id
    LEFT JOIN classes c ON c.id = e.class_id
    WHERE {filters}
)
"""


@dataclass(frozen=True)
class ArrearsFilter:
    search: str = ""
    grade_level: str = ""  # "" any
    class_id: UUID | None = None
    currency: str = ""  # "" any
    minimum: str = ""  # an amount typed; "" none
    overdue: int = 0  # one of AGES


@dataclass(frozen=True)
class ArrearsPage(Page):
    totals: list[dict[str, Any]] | None = None  # per currency: students, owed and by age, over every match


@dataclass(frozen=True)
class ArrearsChoices:
    grades: list[Choice]
    classes: dict[str, str]  # id: name, this year's


def _year_id(session: Session, school_id: UUID) -> UUID | None:
    term = calendar.term_for_day(session, calendar.today_for(session, school_id))
    return term.academic_year_id if term else None


def _query(session: Session, actor: CurrentUser, filters: ArrearsFilter) -> tuple[str, dict[str, Any]]:
    """The CTE for `filters` and its parameters; a minimum that is not an amount is refused."""
    assert actor.school_id is not None
    clauses = ["TRUE"]
    params: dict[str, Any] = {"today": calendar.today_for(session, actor.school_id), "year_id": _year_id(session, actor.school_id)}
    if filters.minimum.strip():
        minimum = parse_money(filters.minimum)
        if minimum is None:
            raise ValidationFailed({"minimum": _(BAD_MINIMUM)})
        clauses.append("ps.owed >= :minimum")
        params["minimum"] = minimum
    if filters.currency in Currency.__members__.values():
        clauses.append("ps.currency = :currency")
        params["currency"] = filters.currency
    if filters.grade_level in GradeLevel.__members__.values():
        clauses.append("c.grade_level = :grade_level")
        params["grade_level"] = filters.grade_level
    if filters.class_id is not None:
        clauses.append("c.id = :class_id")
        params["class_id"] = filters.class_id
    if filters.overdue in AGES[1:]:
        clauses.append(":today - ps.oldest >= :overdue")
        params["overdue"] = filters.overdue
    for number, word in enumerate(filters.search.split()[:4]):
        clauses.append(f"(s.first_name ILIKE :w{number} OR s.last_name ILIKE :w{number} OR s.admission_number ILIKE :w{number})")
        params[f"w{number}"] = like_pattern(word)
    return _ARREARS_SQL.format(filters=" AND ".join(clauses)), params


def _row(row: Any, today: Any) -> dict[str, Any]:
    grade = GRADE_LEVEL_NAMES.get(GradeLevel(row.grade_level)) if row.grade_level else ""
    return {
        "student_id": str(row.student_id), "name": f"{row.first_name} {row.last_name}", "admission_number": row.admission_number,
        "class_name": row.class_name or "", "grade": _(grade) if grade else "", "currency": row.currency, "owed": money_text(row.owed),
        "under_30": money_text(row.under_30), "days_30": money_text(row.days_30), "days_60": money_text(row.days_60),
        "days_90": money_text(row.days_90), "oldest": row.oldest.isoformat(), "days": (today - row.oldest).days,
    }


def _rows(session: Session, actor: CurrentUser, filters: ArrearsFilter, page: int, per_page: int) -> ArrearsPage:
    cte, params = _query(session, actor, filters)
    found = session.execute(
        text(cte + "SELECT *, count(*) OVER () AS matched FROM placed ORDER BY oldest, owed DESC, last_name, first_name, currency LIMIT :limit OFFSET :offset"),
        {**params, "limit": per_page, "offset": (page - 1) * per_page},
    ).all()
    totals = session.execute(
        text(cte + "SELECT currency, count(*) AS students, sum(owed) AS owed, sum(under_30) AS under_30, sum(days_30) AS days_30, "
             "sum(days_60) AS days_60, sum(days_90) AS days_90 FROM placed GROUP BY currency ORDER BY currency"),
        params,
    ).all()
    return ArrearsPage(
        rows=[_row(row, params["today"]) for row in found],
        total=found[0].matched if found else 0,
        totals=[
            {"currency": t.currency, "students": t.students, **{key: money_text(getattr(t, key)) for key in ("owed", "under_30", "days_30", "days_60", "days_90")}}
            for t in totals
        ],
    )


def arrears_page(*, actor: CurrentUser, filters: ArrearsFilter, page: int = 1, per_page: int = 25) -> ArrearsPage:
    """One page of the students owing, oldest debts first, and the totals of every match."""
    require(actor, COLLECT_FEES)
    page, per_page = max(page, 1), min(max(per_page, 1), MAX_PER_PAGE)
    with unit_of_work(actor) as session:
        return _rows(session, actor, filters, page, per_page)


def export_arrears(*, actor: CurrentUser, filters: ArrearsFilter, file_format: str, ip: str | None = None) -> list[dict[str, Any]]:
    """Every row the filters match, for a file; the export is audited in the same transaction
    (who, when, which filters, how many rows, which format)."""
    require(actor, COLLECT_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        rows: list[dict[str, Any]] = []
        while True:
            found = _rows(session, actor, filters, len(rows) // MAX_PER_PAGE + 1, MAX_PER_PAGE)
            rows += found.rows
            if len(found.rows) < MAX_PER_PAGE:
                break
        audit.record(
            session, school_id=actor.school_id, action=ARREARS_EXPORTED, actor=actor.actor(ip), target=None,
            detail={
                "format": file_format, "rows": len(rows), "search": filters.search, "grade_level": filters.grade_level,
                "class_id": str(filters.class_id) if filters.class_id else None, "currency": filters.currency,
                "minimum": filters.minimum, "overdue": filters.overdue,
            },
        )
        return rows


def arrears_choices(*, actor: CurrentUser) -> ArrearsChoices:
    """The filters' choices: the school's grade levels and this year's classes."""
    require(actor, COLLECT_FEES)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        year_id = _year_id(session, actor.school_id)
        classes = session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == year_id).order_by(col(SchoolClass.grade_level), col(SchoolClass.name))).all()
        return ArrearsChoices(grade_choices(school_level(session)), {str(c.id): c.name for c in classes})
