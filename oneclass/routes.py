"""Route constants and URL builders: the one place a page's address is written."""

from models import Role

HOME = "/"
LOGIN = "/login"
CHANGE_PASSWORD = "/account/password"
ACCOUNT_SECURITY = "/account/security"
RESET_PASSWORD = "/reset-password"
ADMIN_USERS = "/admin/users"
ADMIN_AUDIT = "/admin/audit"
ADMIN_SETTINGS = "/admin/settings"
PLATFORM_SCHOOLS = "/platform/schools"
PLATFORM_AUDIT = "/platform/audit"

DASHBOARDS: dict[str, str] = {
    Role.super_admin.value: "/platform",
    Role.school_admin.value: "/admin",
    Role.teacher.value: "/teacher",
    Role.student.value: "/student",
    Role.parent.value: "/parent",
    Role.staff.value: "/staff",
}


def dashboard_for(role: str) -> str:
    return DASHBOARDS.get(role, HOME)


def login_url(next_path: str = "") -> str:
    """The sign-in page, coming back to `next_path` afterwards (the static build may add a '/')."""
    next_path = next_path.rstrip("/")
    return f"{LOGIN}?next={next_path}" if next_path and next_path != LOGIN else LOGIN


# The navigation: (label, route, icon, permission). A None permission: every signed-in user.
# `platform.*` items show at the root domain only; the others on a school's host only.
NAVIGATION: list[tuple[str, str, str, str | None]] = [
    ("Users", ADMIN_USERS, "users", "users.read"),
    ("Audit log", ADMIN_AUDIT, "scroll-text", "audit.read"),
    ("School settings", ADMIN_SETTINGS, "settings", "school.update"),
    ("Schools", PLATFORM_SCHOOLS, "building-2", "platform.schools"),
    ("Platform audit log", PLATFORM_AUDIT, "scroll-text", "platform.audit"),
    ("Sign-in security", ACCOUNT_SECURITY, "shield-check", None),
    ("Change password", CHANGE_PASSWORD, "key-round", None),
]
