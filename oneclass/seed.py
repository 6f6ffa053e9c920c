"""Demo data: two schools with one user of every role and their records, and the platform's
super admin.

Testers and scripts rely on these logins (see the README). Refused in production.

It is a batch, not a user's action: it calls the services' internal functions (those that take a
session and never commit) inside transactions of its own, and runs again safely: what exists is
kept, and a school whose data is missing (a run stopped half-way) is filled in.
"""

from sqlmodel import col, select

from models import Duty, PlatformUser, Role, School, SchoolLevel, User
from oneclass.db import owner_session, tenant_session
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.services.online_payments import set_integration
from oneclass.services.schools import create_school
from oneclass.services.users import create_platform_user, create_user
from oneclass.settings import get_settings
from oneclass.tenancy import forget_school_route

DEMO_PASSWORD = "oneclass-demo"
DEMO_SCHOOLS = [
    ("harare-primary", "Harare Primary", SchoolLevel.primary),
    ("bulawayo-high", "Bulawayo High", SchoolLevel.secondary),
]
DEMO_ROLES = {
    "admin": (Role.school_admin, "School Admin"),
    "teacher": (Role.teacher, "Teacher"),
    "student": (Role.student, "Student"),
    "parent": (Role.parent, "Parent"),
    "staff": (Role.staff, "Staff Member"),
    "bursar": (Role.staff, "Bursar"),  # a staff member given the bursar duty: takes payments
}
DEMO_DUTIES = {"bursar": [Duty.bursar.value]}
ROOT_EMAIL = "root@oneclass.test"
DEMO_STUDENTS = 300
# Harare Primary takes USD online through Paynow (PAYNOW_URL: a test's fake Paynow, or Paynow's own,
# which answers this made-up integration with an error).
DEMO_PAYNOW = {"harare-primary": ("USD", "1201", "oneclass-demo-paynow-key")}


class SeedRefused(Exception):
    pass


def database_is_empty() -> bool:
    with owner_session() as session:
        return session.exec(select(School.id)).first() is None


def seed_demo() -> list[str]:
    """Create what is missing of the demo schools, their users and records, and the platform's
    super admin. Returns the accounts it created (none: everything was there already)."""
    if get_settings().is_production:
        raise SeedRefused("the demo seed does not run when ENVIRONMENT=production")
    created: list[str] = []
    # The schools and the super admin: rows the app role may not write, so as the owner, in one
    # transaction.
    with owner_session() as session:
        existing = set(session.exec(select(School.subdomain)).all())
        for subdomain, name, level in DEMO_SCHOOLS:
            if subdomain not in existing:
                create_school(session, name=name, subdomain=subdomain, level=level)
        if session.exec(select(PlatformUser).where(PlatformUser.email == ROOT_EMAIL)).first() is None:
            create_platform_user(session, email=ROOT_EMAIL, full_name="Platform Admin", password=DEMO_PASSWORD)
            created.append(ROOT_EMAIL)
        session.commit()
        schools = session.exec(select(School).where(col(School.subdomain).in_([s for s, _, _ in DEMO_SCHOOLS]))).all()
    for school in schools:
        forget_school_route(school)  # committed now: a lookup made before the seed is not kept
        created += seed_school(school)
    return created


def seed_school(school: School, *, students: int = DEMO_STUDENTS) -> list[str]:
    """A demo school's users and records (`students` of them: the benchmarks ask for more), in
    one transaction written the way the app writes a school's data (as the app role, under RLS):
    all of it, or nothing when its admin exists."""
    admin_email = f"admin@{school.subdomain}.test"
    with tenant_session(school.id) as session:
        if session.exec(select(User.id).where(User.email == admin_email)).first() is not None:
            return []
        emails = []
        for local_part, (role, title) in DEMO_ROLES.items():
            email = f"{local_part}@{school.subdomain}.test"
            user = create_user(session, school_id=school.id, email=email, full_name=f"{school.name} {title}", role=role, password=DEMO_PASSWORD)
            user.duties = DEMO_DUTIES.get(local_part, [])
            emails.append(email)
        session.flush()
        seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level=school.level, students=students)
        if school.subdomain in DEMO_PAYNOW:
            currency, integration_id, key = DEMO_PAYNOW[school.subdomain]
            set_integration(session, school_id=school.id, currency=currency, integration_id=integration_id, key=key, updated_by=None)
        session.commit()
    return emails
