"""Demo data: two schools with one user of every role and their records, and the platform's
super admin.

Testers and scripts rely on these logins (see the README). Refused in production.
"""

from sqlmodel import select

from models import PlatformUser, Role, School, SchoolLevel
from oneclass.db import owner_session, tenant_session
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.services.schools import create_school
from oneclass.services.users import create_platform_user, create_user
from oneclass.settings import get_settings

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
}
ROOT_EMAIL = "root@oneclass.test"


class SeedRefused(Exception):
    pass


def database_is_empty() -> bool:
    with owner_session() as session:
        return session.exec(select(School.id)).first() is None


def seed_demo() -> list[str]:
    """Create the demo schools and users; skip any that exist. Returns what was created."""
    if get_settings().is_production:
        raise SeedRefused("the demo seed does not run when ENVIRONMENT=production")
    created: list[str] = []
    with owner_session() as session:
        existing = set(session.exec(select(School.subdomain)).all())
        new_schools = [
            create_school(session, name=name, subdomain=subdomain, level=level)
            for subdomain, name, level in DEMO_SCHOOLS
            if subdomain not in existing
        ]
        if session.exec(select(PlatformUser).where(PlatformUser.email == ROOT_EMAIL)).first() is None:
            create_platform_user(
                session, email=ROOT_EMAIL, full_name="Platform Admin", password=DEMO_PASSWORD
            )
            created.append(ROOT_EMAIL)
        session.commit()
    for school in new_schools:
        # School data is written the way the app writes it: as the app role, under RLS.
        with tenant_session(school.id) as session:
            for local_part, (role, title) in DEMO_ROLES.items():
                email = f"{local_part}@{school.subdomain}.test"
                create_user(
                    session,
                    school_id=school.id,
                    email=email,
                    full_name=f"{school.name} {title}",
                    role=role,
                    password=DEMO_PASSWORD,
                )
                created.append(email)
            session.flush()
            seed_school_records(
                session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level=school.level
            )
            session.commit()
    return created
