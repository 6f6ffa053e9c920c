"""Route constants and URL builders: the one place a page's address is written."""

from urllib.parse import unquote

from models import Role
from oneclass.i18n import N_
from oneclass.settings import get_settings

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
STUDENTS = "/students"
STUDENT_PROFILE = "/students/[student_id]"
ADMIN_YEARS = "/admin/years"
ADMIN_SUBJECTS = "/admin/subjects"
ADMIN_CLASSES = "/admin/classes"
ADMIN_STAFF = "/admin/staff"
ADMIN_GUARDIANS = "/admin/guardians"
ADMIN_IMPORT = "/admin/import"
TEACHER_CLASSES = "/teacher/classes"
MY_PROFILE = "/student/profile"
MY_CHILDREN = "/parent/children"
GRADEBOOK = "/gradebook"
ADMIN_GRADING_SCALES = "/admin/grading-scales"
ADMIN_TIMETABLE = "/admin/timetable"
ADMIN_PERIODS = "/admin/periods"
MY_TIMETABLE = "/timetable"
REGISTERS = "/registers"
ATTENDANCE_SUMMARY = "/attendance/summary"
REPORT_CARDS = "/report-cards"
FEE_STRUCTURES = "/admin/fees"
FEE_INVOICES = "/admin/fees/invoices"
FEE_ADJUSTMENTS = "/admin/fees/adjustments"
CASHIER = "/cashier"
CASH_UP = "/cashier/cash-up"
ARREARS = "/cashier/arrears"
CHILD_FEES = "/parent/fees"
ANNOUNCEMENTS = "/announcements"
MESSAGES = "/messages"
NOTIFICATIONS = "/account/notifications"
OUTGOING_LOG = "/admin/outgoing"
FEE_REMINDERS = "/admin/fees/reminders"

NEXT_MAX_LENGTH = 2000  # a `next=` longer than any page address we have is not one of ours
NEXT_DECODE_LEVELS = 4

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


def school_origin(subdomain: str) -> str:
    """A school's own address, from settings (never from a request, which a sender controls)."""
    settings = get_settings()
    port = settings.public_port or settings.frontend_port
    suffix = "" if port in (80, 443) else f":{port}"
    return f"{settings.public_scheme}://{subdomain}.{settings.base_domain}{suffix}"


def student_url(student_id: str) -> str:
    return STUDENT_PROFILE.replace("[student_id]", student_id)


def safe_next(requested: str) -> str | None:
    r"""`requested` if it is a path on this site to return to after signing in, else None.

    Only a single leading "/" is a path here: "//evil" and "/\evil" are other sites to a browser,
    which also drops tabs and newlines ("/<tab>/evil") and may decode "%2f" and "%5c" on the way,
    so backslashes, control characters and encoded slashes are refused at every level of
    percent-decoding (a "%252f" is a "%2f" once decoded).
    """
    if len(requested) > NEXT_MAX_LENGTH or not requested.startswith("/"):
        return None
    level = requested
    for _ in range(NEXT_DECODE_LEVELS):
        lowered = level.lower()
        if level.startswith("//") or "\\" in level or "%2f" in lowered or "%5c" in lowered:
            return None
        if any(ord(character) < 0x20 or ord(character) == 0x7F for character in level):
            return None
        decoded = unquote(level)
        if decoded == level:
            break
        level = decoded
    else:
        return None  # still encoded after this many levels: nobody writes that by accident
    if requested.split("?", 1)[0].rstrip("/") == LOGIN:
        return None  # back to the sign-in page would be a loop
    return requested


def login_url(next_path: str = "") -> str:
    """The sign-in page, coming back to `next_path` afterwards (the static build may add a '/')."""
    next_path = next_path.rstrip("/")
    return f"{LOGIN}?next={next_path}" if next_path and next_path != LOGIN else LOGIN


# The navigation: (label, route, icon, permission). A None permission: every signed-in user.
# `platform.*` items show at the root domain only; the others on a school's host only.
NAVIGATION: list[tuple[str, str, str, str | None]] = [
    (N_("Announcements"), ANNOUNCEMENTS, "megaphone", "communication.read"),
    (N_("Messages"), MESSAGES, "messages-square", "communication.message"),
    (N_("Students"), STUDENTS, "graduation-cap", "students.read"),
    (N_("My classes"), TEACHER_CLASSES, "book-open", "classes.read"),
    (N_("My profile"), MY_PROFILE, "id-card", "dashboard.student"),
    (N_("My children"), MY_CHILDREN, "baby", "child.read"),
    (N_("Classes"), ADMIN_CLASSES, "school", "classes.manage"),
    (N_("Subjects"), ADMIN_SUBJECTS, "library", "subjects.manage"),
    (N_("Years and terms"), ADMIN_YEARS, "calendar", "school.update"),
    (N_("Staff"), ADMIN_STAFF, "briefcase", "users.read"),
    (N_("Guardians"), ADMIN_GUARDIANS, "users-round", "users.read"),
    (N_("Import"), ADMIN_IMPORT, "upload", "students.create"),
    (N_("Users"), ADMIN_USERS, "users", "users.read"),
    (N_("Audit log"), ADMIN_AUDIT, "scroll-text", "audit.read"),
    (N_("Registers"), REGISTERS, "clipboard-check", "attendance.take"),
    (N_("Attendance summary"), ATTENDANCE_SUMMARY, "chart-line", "attendance.summary"),
    (N_("Fee structures"), FEE_STRUCTURES, "receipt", "fees.manage"),
    (N_("Invoices"), FEE_INVOICES, "files", "fees.manage"),
    (N_("Discounts and bursaries"), FEE_ADJUSTMENTS, "badge-percent", "fees.manage"),
    (N_("Cashier"), CASHIER, "banknote", "fees.collect"),
    (N_("Cash-up"), CASH_UP, "calculator", "fees.collect"),
    (N_("Arrears"), ARREARS, "hourglass", "fees.collect"),
    (N_("Fees"), CHILD_FEES, "wallet", "child.read"),
    (N_("Fee reminders"), FEE_REMINDERS, "bell-ring", "fees.manage"),
    (N_("Outgoing messages"), OUTGOING_LOG, "send", "communication.log"),
    (N_("Notifications"), NOTIFICATIONS, "bell", "communication.read"),
    (N_("School settings"), ADMIN_SETTINGS, "settings", "school.update"),
    (N_("Schools"), PLATFORM_SCHOOLS, "building-2", "platform.schools"),
    (N_("Platform audit log"), PLATFORM_AUDIT, "scroll-text", "platform.audit"),
    (N_("Gradebook"), GRADEBOOK, "notebook-pen", "grades.enter"),
    (N_("Grading scales"), ADMIN_GRADING_SCALES, "ruler", "school.update"),
    (N_("Report cards"), REPORT_CARDS, "file-text", "reports.comment"),
    (N_("Timetable"), ADMIN_TIMETABLE, "calendar-days", "timetable.manage"),
    (N_("Periods of the day"), ADMIN_PERIODS, "clock", "timetable.manage"),
    (N_("Timetable"), MY_TIMETABLE, "calendar-days", "timetable.own"),
    (N_("Sign-in security"), ACCOUNT_SECURITY, "shield-check", None),
    (N_("Change password"), CHANGE_PASSWORD, "key-round", None),
]
