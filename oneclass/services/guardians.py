"""Guardians as the school's admin sees them: how to reach them, how they like to be reached,
and whose guardian they are. `list_guardians` is the public call (an actor, one unit of work)."""

import re
from uuid import UUID

from sqlalchemy import or_
from sqlmodel import Session, col, func, select

from models import Guardian, Student, StudentGuardian
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _
from oneclass.permissions import require
from oneclass.services.auth import CurrentUser
from oneclass.services.paging import Page

# SMS and WhatsApp are names, the same in every language.
CONTACT_LABELS = {"sms": "SMS", "whatsapp": "WhatsApp", "email": N_("Email")}


def phone_digits(search: str) -> str:
    """The national part of a phone number typed in any form ('077 123', '+263 77 123'), to
    find it within the stored +263... numbers; '' when the search is not a number."""
    digits = re.sub(r"\D", "", search)
    if len(digits) < 3 or re.search(r"[^\d\s+()\-]", search):
        return ""
    if digits.startswith("263"):
        return digits[3:]
    return digits.removeprefix("0")


def children_of_guardians(session: Session, guardian_ids: set[UUID]) -> dict[UUID, list[dict[str, str]]]:
    """Each guardian's children (id, name, relationship), by first name."""
    rows = session.exec(
        select(StudentGuardian.guardian_id, StudentGuardian.relationship, Student)
        .join(Student, col(Student.id) == StudentGuardian.student_id)
        .where(col(StudentGuardian.guardian_id).in_(guardian_ids or {UUID(int=0)}))
        .order_by(Student.first_name, Student.last_name)
    ).all()
    children: dict[UUID, list[dict[str, str]]] = {}
    for guardian_id, relationship, student in rows:
        children.setdefault(guardian_id, []).append({"id": str(student.id), "name": student.full_name, "relationship": relationship})
    return children


def list_guardians(*, actor: CurrentUser, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    """A page of the school's guardians with their children, searched by name or phone number."""
    require(actor, "users.read")
    with unit_of_work(actor) as session:
        return query_guardians(session, search=search, page=page, per_page=per_page)


def query_guardians(session: Session, *, search: str = "", page: int = 1, per_page: int = 25) -> Page:
    query = select(Guardian)
    term = search.strip()
    if term:
        matches = [func.lower(Guardian.full_name).contains(term.lower(), autoescape=True)]
        digits = phone_digits(term)
        if digits:
            matches.append(col(Guardian.phone).contains(digits, autoescape=True))
        query = query.where(or_(*matches))
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    per_page = min(max(per_page, 1), 100)
    found = session.exec(
        query.order_by(func.lower(Guardian.full_name), col(Guardian.id)).offset((max(page, 1) - 1) * per_page).limit(per_page)
    ).all()
    children = children_of_guardians(session, {guardian.id for guardian in found})
    return Page(
        [
            {
                "id": str(guardian.id),
                "full_name": guardian.full_name,
                "phone": guardian.phone,
                "email": guardian.email or "",
                "preference": _(CONTACT_LABELS.get(guardian.contact_preference, guardian.contact_preference)),
                "has_login": guardian.user_id is not None,
                "children": children.get(guardian.id, []),
            }
            for guardian in found
        ],
        total,
    )
