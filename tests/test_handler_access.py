"""Every event handler of the app, called as every kind of caller, through the path a websocket
event takes (issue 8 §3); and the host deciding on every event (§4).

Any browser can call any handler of any state by name, with any arguments, whatever page it is
on. So this test does what such a browser would: it walks the app's whole state tree, finds every
handler (Reflex's own and the setters included), and sends each one, on a fresh tab of school A's
host, as nobody, as each of school A's roles, as school B's admin and as the platform's super admin
(their tokens, A's host), and as the super admin at the root domain; with the arguments a page
sends and hostile ones (B's ids, a child not the parent's, a class the teacher does not teach).

`ADMITS` is the one table of who may call what. A handler it does not name fails the test, so a
new handler is covered the day it is written. For each call:
- everybody: no exception, and none of the data the caller may never see (B's people, students
  outside their classes or children, medical notes they may not read) comes back;
- a refused caller: no row of any table changed, nothing of anybody else came back, and a
  signed-in one is told so (a refusal toast);
- an admitted caller, with the page's own arguments: not refused;
- a hostile call (someone else's ids): no row changed, whoever the caller is.
"""

import base64
import inspect
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any

import pytest
from reflex.state import BaseState, State
from sqlalchemy import text
from sqlmodel import col, select

from models import (
    AcademicYear,
    Announcement,
    Assessment,
    AssessmentKind,
    Channel,
    ClosureDay,
    ClosureKind,
    EmergencyContact,
    Enrolment,
    Guardian,
    MessageThread,
    Notification,
    NotificationKind,
    NotificationStatus,
    Payment,
    School,
    SchoolClass,
    SchoolStatus,
    Sponsor,
    Student,
    StudentGuardian,
    Subject,
    SubjectLevel,
    TeachingAssignment,
    User,
)
from oneclass import db
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.services import imports, schools
from oneclass.services.auth import CurrentUser
from oneclass.services.grading import DEFAULT_SCALES
from oneclass.services.users import create_platform_user
from tests.conftest import TEST_PASSWORD, SchoolFixture, delete_school, make_school
from tests.events import Browser, Tab, cookie_vars, event_name, every_state

# --- the app and its handlers ----------------------------------------------------------------


@cache
def app_and_handlers() -> tuple[Any, dict[str, tuple[type[BaseState], str]]]:
    """The app (importing it registers every page and state) and every handler of its state tree,
    keyed "StateClass.handler"."""
    import oneclass.oneclass as module

    app = module.app
    if not app._unevaluated_pages:
        app._apply_decorated_pages()  # what compiling does first: the routes and their on_load events
    handlers: dict[str, tuple[type[BaseState], str]] = {}
    names: dict[str, type[BaseState]] = {}
    for state in every_state(State):
        assert names.setdefault(state.__name__, state) is state, f"two states are named {state.__name__}: the table needs unique names"
        for handler in state.event_handlers:
            handlers[f"{state.__name__}.{handler}"] = (state, handler)
    return app, handlers


def discovered() -> list[str]:
    return sorted(app_and_handlers()[1])


def state_named(name: str) -> type[BaseState]:
    return next(state for state, _ in app_and_handlers()[1].values() if state.__name__ == name)


# --- callers -----------------------------------------------------------------------------------

SCHOOL_ROLES = ("student", "parent", "teacher", "staff", "school_admin")
CALLERS = ("anonymous", *SCHOOL_ROLES, "other_admin", "super_admin", "super_admin_at_platform")
ON_PLATFORM = {"super_admin_at_platform"}  # connected at the root domain; every other caller on school A's host
VALID_HERE = {*SCHOOL_ROLES, "super_admin_at_platform"}  # whose tokens are good on the host they use

EVERYONE = frozenset(CALLERS)
ADMIN = frozenset({"school_admin"})
STUDENTS_READERS = frozenset({"school_admin", "teacher"})  # students.read; a teacher sees their classes only
SIGNED_IN = frozenset(VALID_HERE)  # a user's own account: password, second factor
PLATFORM = frozenset({"super_admin_at_platform"})
GRADE_ENTERERS = frozenset({"school_admin", "teacher"})  # grades.enter; a teacher, the subjects they teach
OWN_TIMETABLE = frozenset({"teacher", "student", "parent"})  # timetable.own: a teacher's week, a student's or child's class
ANNOUNCERS = frozenset({"teacher", "school_admin"})  # communication.announce; a teacher, the classes they teach
MESSAGERS = frozenset({"parent", "teacher", "school_admin"})  # communication.message
NOBODY: frozenset[str] = frozenset()  # a list's export the page does not offer: refused to all
SCHOOL_MEMBERS = frozenset(SCHOOL_ROLES)  # communication.read: one's own notifications

# Reflex's own states and handlers: hydrating, on_load, client storage, frontend errors, the
# generic setter. Public by design; still called as every caller below.
FRAMEWORK = {
    "State.hydrate", "State.hydrate_and_load", "State.set_is_hydrated", "State.setvar",
    "FrontendEventExceptionState.handle_frontend_exception", "FrontendEventExceptionState.setvar",
    "OnLoadInternalState.on_load_internal", "OnLoadInternalState.set_is_hydrated", "OnLoadInternalState.setvar",
    "SharedStateBaseInternal.setvar",
    "UpdateVarsInternalState.update_vars_internal", "UpdateVarsInternalState.setvar",
}

# Who each handler admits. EVERYONE on a handler that touches no data (a dialog's open flag, a
# rejected-file toast) or is public by nature (signing in, the page guard, a reset link).
# `setvar` reaches any `set_*` handler of its state: each such call is held to that handler's row.
ADMITS: dict[str, frozenset[str]] = {
    **dict.fromkeys(FRAMEWORK, EVERYONE),
    "AppState.apply_language_query": EVERYONE,
    "AppState.choose_language": EVERYONE,  # anyone may switch; only the signed-in user's own account keeps it
    "AppState.resolve_school": EVERYONE,
    "AppState.setvar": EVERYONE,
    "AuthState.check_session": EVERYONE,
    "AuthState.guard": EVERYONE,
    "AuthState.open_login": EVERYONE,
    "AuthState.sign_in": EVERYONE,
    "AuthState.sign_out": EVERYONE,
    "AuthState.setvar": EVERYONE,
    # a user's own account
    "AccountState.change_password": SIGNED_IN,
    "AccountState.confirm_totp": SIGNED_IN,
    "AccountState.load_security": SIGNED_IN,
    "AccountState.start_totp": SIGNED_IN,
    "AccountState.turn_off_totp": SIGNED_IN,
    "AccountState.open_reset": EVERYONE,
    "AccountState.reset_password": EVERYONE,
    "AccountState.setvar": EVERYONE,
    # the school's audit log
    "AuditLogState.apply_filters": ADMIN,
    "AuditLogState.export_csv": ADMIN,
    "AuditLogState.export_xlsx": ADMIN,
    "AuditLogState.load_events": ADMIN,
    "AuditLogState.next_page": ADMIN,
    "AuditLogState.previous_page": ADMIN,
    "AuditLogState.set_action_filter": ADMIN,
    "AuditLogState.setvar": EVERYONE,
    # classes: school administration (issue 8 §2: not a teacher's)
    "ClassesState.assign_teacher": ADMIN,
    "ClassesState.choose_target": ADMIN,
    "ClassesState.create_class": ADMIN,
    "ClassesState.load_classes": ADMIN,
    "ClassesState.open_assign": ADMIN,
    "ClassesState.open_new_class": EVERYONE,
    "ClassesState.open_promotion": ADMIN,
    "ClassesState.promote": ADMIN,
    "ClassesState.set_assign_open": EVERYONE,
    "ClassesState.set_editor_open": EVERYONE,
    "ClassesState.set_promote_open": EVERYONE,
    "ClassesState.set_year": ADMIN,
    "ClassesState.setvar": EVERYONE,
    # guardians
    "GuardiansState.export_csv": ADMIN,
    "GuardiansState.export_xlsx": ADMIN,
    "GuardiansState.load_guardians": ADMIN,
    "GuardiansState.next_page": ADMIN,
    "GuardiansState.previous_page": ADMIN,
    "GuardiansState.set_search": ADMIN,
    "GuardiansState.setvar": EVERYONE,
    # imports
    "ImportState.check_file": ADMIN,
    "ImportState.clear": ADMIN,
    "ImportState.download_problems": ADMIN,
    "ImportState.download_template": ADMIN,
    "ImportState.file_rejected": EVERYONE,
    "ImportState.load": ADMIN,
    "ImportState.set_kind": ADMIN,
    "ImportState.start_import": ADMIN,
    "ImportState.setvar": EVERYONE,
    # the role pages
    "MyChildrenState.load_children": frozenset({"parent"}),
    "MyChildrenState.show_child": frozenset({"parent"}),
    "MyChildrenState.setvar": EVERYONE,
    "MyProfileState.load_profile": frozenset({"student"}),
    "MyProfileState.setvar": EVERYONE,
    "TeacherClassesState.load_classes": STUDENTS_READERS,  # classes.read: a teacher, their classes; an admin, every class
    "TeacherClassesState.show_class": STUDENTS_READERS,  # a teacher, their classes; an admin, every class
    "TeacherClassesState.setvar": EVERYONE,
    # the platform (root domain only)
    "PlatformAuditState.apply_filters": PLATFORM,
    "PlatformAuditState.clear_filters": PLATFORM,
    "PlatformAuditState.export_csv": PLATFORM,
    "PlatformAuditState.export_xlsx": PLATFORM,
    "PlatformAuditState.load_events": PLATFORM,
    "PlatformAuditState.next_page": PLATFORM,
    "PlatformAuditState.previous_page": PLATFORM,
    "PlatformAuditState.setvar": EVERYONE,
    "PlatformSchoolsState.ask_status_change": PLATFORM,
    "PlatformSchoolsState.confirm_status_change": PLATFORM,
    "PlatformSchoolsState.create_school": PLATFORM,
    "PlatformSchoolsState.export_csv": PLATFORM,
    "PlatformSchoolsState.export_xlsx": PLATFORM,
    "PlatformSchoolsState.filter_status": PLATFORM,
    "PlatformSchoolsState.load_schools": PLATFORM,
    "PlatformSchoolsState.next_page": PLATFORM,
    "PlatformSchoolsState.previous_page": PLATFORM,
    "PlatformSchoolsState.set_confirm_open": EVERYONE,
    "PlatformSchoolsState.set_create_open": EVERYONE,
    "PlatformSchoolsState.set_search": PLATFORM,
    "PlatformSchoolsState.setvar": EVERYONE,
    # school settings
    "SchoolSettingsState.load_settings": ADMIN,
    "SchoolSettingsState.set_require_admin_mfa": ADMIN,
    "SchoolSettingsState.set_school_language": ADMIN,
    "SchoolSettingsState.setvar": EVERYONE,
    # staff
    "StaffState.export_csv": ADMIN,
    "StaffState.export_xlsx": ADMIN,
    "StaffState.load_staff": ADMIN,
    "StaffState.next_page": ADMIN,
    "StaffState.open_edit": EVERYONE,  # picks a row already loaded: no data of its own
    "StaffState.previous_page": ADMIN,
    "StaffState.save_profile": ADMIN,
    "StaffState.set_editor_open": EVERYONE,
    "StaffState.set_search": ADMIN,
    "StaffState.setvar": EVERYONE,
    # students
    "StudentListState.add_student": ADMIN,
    "StudentListState.export_csv": ADMIN,
    "StudentListState.export_xlsx": ADMIN,
    "StudentListState.load": STUDENTS_READERS,
    "StudentListState.next_page": STUDENTS_READERS,
    "StudentListState.open_new_student": ADMIN,
    "StudentListState.previous_page": STUDENTS_READERS,
    "StudentListState.set_class_filter": STUDENTS_READERS,
    "StudentListState.set_editor_open": EVERYONE,
    "StudentListState.set_links_open": EVERYONE,
    "StudentListState.set_search": STUDENTS_READERS,
    "StudentListState.set_sort": STUDENTS_READERS,
    "StudentListState.set_status_filter": STUDENTS_READERS,
    "StudentListState.setvar": EVERYONE,
    "StudentProfileState.change_status": ADMIN,
    "StudentProfileState.load": STUDENTS_READERS,
    "StudentProfileState.open_edit": ADMIN,
    "StudentProfileState.photo_rejected": EVERYONE,
    "StudentProfileState.save_details": ADMIN,
    "StudentProfileState.set_editor_open": EVERYONE,
    "StudentProfileState.set_status_open": EVERYONE,
    "StudentProfileState.upload_photo": ADMIN,
    "StudentProfileState.setvar": EVERYONE,
    # subjects: school administration (issue 8 §2: not a teacher's)
    "SubjectsState.add_subject": ADMIN,
    "SubjectsState.adopt_zimsec": ADMIN,
    "SubjectsState.export_csv": ADMIN,
    "SubjectsState.export_xlsx": ADMIN,
    "SubjectsState.load_subjects": ADMIN,
    "SubjectsState.next_page": ADMIN,
    "SubjectsState.open_new_subject": EVERYONE,
    "SubjectsState.previous_page": ADMIN,
    "SubjectsState.set_editor_open": EVERYONE,
    "SubjectsState.set_search": ADMIN,
    "SubjectsState.setvar": EVERYONE,
    # users
    "UserAdminState.ask_active_change": EVERYONE,  # only fills the confirmation; confirming is checked
    "UserAdminState.confirm_active_change": ADMIN,
    "UserAdminState.export_csv": ADMIN,
    "UserAdminState.export_xlsx": ADMIN,
    "UserAdminState.issue_reset_link": ADMIN,
    "UserAdminState.load_users": ADMIN,
    "UserAdminState.next_page": ADMIN,
    "UserAdminState.open_edit": EVERYONE,
    "UserAdminState.open_new_user": EVERYONE,
    "UserAdminState.previous_page": ADMIN,
    "UserAdminState.reset_two_step": ADMIN,
    "UserAdminState.save_user": ADMIN,
    "UserAdminState.set_confirm_open": EVERYONE,
    "UserAdminState.set_editor_open": EVERYONE,
    "UserAdminState.set_reset_open": EVERYONE,
    "UserAdminState.set_role_filter": ADMIN,
    "UserAdminState.set_search": ADMIN,
    "UserAdminState.set_sort": ADMIN,
    "UserAdminState.set_status_filter": ADMIN,
    "UserAdminState.setvar": EVERYONE,
    # years
    "YearsState.ask_make_current": EVERYONE,  # only fills the confirmation; confirming is checked
    "YearsState.create_year": ADMIN,
    "YearsState.load_years": ADMIN,
    "YearsState.make_current": ADMIN,
    "YearsState.open_new_year": EVERYONE,
    "YearsState.set_confirm_open": EVERYONE,
    "YearsState.set_editor_open": EVERYONE,
    "YearsState.setvar": EVERYONE,
    # closure days (the years page)
    "ClosureDaysState.add_closure": ADMIN,
    "ClosureDaysState.ask_remove_closure": ADMIN,
    "ClosureDaysState.load_closures": ADMIN,
    "ClosureDaysState.open_new_closure": ADMIN,
    "ClosureDaysState.remove_closure": ADMIN,
    "ClosureDaysState.choose_closure_year": ADMIN,
    "ClosureDaysState.set_confirm_open": EVERYONE,
    "ClosureDaysState.set_editor_open": EVERYONE,
    "ClosureDaysState.setvar": EVERYONE,
    # the gradebook: grades.enter; the service keeps a teacher to the subjects they teach
    **dict.fromkeys(
        [f"GradebookState.{name}" for name in (
            "ask_delete", "choose_class", "choose_subject", "choose_term", "confirm_delete", "load_gradebook", "open_edit_assessment",
            "open_grid", "open_new_assessment", "save_assessment", "save_marks",
        )],
        GRADE_ENTERERS,
    ),
    "GradebookState.set_confirm_open": EVERYONE,
    "GradebookState.set_editor_open": EVERYONE,
    "GradebookState.setvar": EVERYONE,
    # the timetable: the admin sets it; a teacher, student or parent reads their own week
    "MyTimetableState.choose_class": OWN_TIMETABLE,
    "MyTimetableState.load_timetable": OWN_TIMETABLE,
    "MyTimetableState.setvar": EVERYONE,
    "PeriodsState.add_period": EVERYONE,  # a row of the unsaved editor: no data of its own
    "PeriodsState.load_periods": ADMIN,
    "PeriodsState.remove_period": EVERYONE,  # likewise; saving is checked
    "PeriodsState.save_periods": ADMIN,
    "PeriodsState.setvar": EVERYONE,
    "TimetableEditorState.ask_clear": EVERYONE,  # only shows the question; clearing is checked
    "TimetableEditorState.choose_class": ADMIN,
    "TimetableEditorState.clear_slot": ADMIN,
    "TimetableEditorState.load_editor": ADMIN,
    "TimetableEditorState.open_slot": ADMIN,
    "TimetableEditorState.save_slot": ADMIN,
    "TimetableEditorState.set_editor_open": EVERYONE,
    "TimetableEditorState.setvar": EVERYONE,
    "TodayLessonsState.load_today": OWN_TIMETABLE,
    "TodayLessonsState.setvar": EVERYONE,
    # grading scales: read by anyone of the school, this page the admin's (school.update)
    "GradingScalesState.load_scales": ADMIN,
    "GradingScalesState.open_scale": ADMIN,
    "GradingScalesState.save_scale": ADMIN,
    "GradingScalesState.set_editor_open": EVERYONE,
    "GradingScalesState.setvar": EVERYONE,
    # attendance: registers (a teacher, their classes; an admin, every class), histories, summaries
    "RegisterState.choose_class": STUDENTS_READERS,
    "RegisterState.choose_day": STUDENTS_READERS,
    "RegisterState.choose_lesson": STUDENTS_READERS,
    "RegisterState.load_desk": STUDENTS_READERS,
    "RegisterState.mark": EVERYONE,  # changes only the marks on screen; saving is checked
    "RegisterState.note_reason": EVERYONE,
    "RegisterState.save": STUDENTS_READERS,
    "RegisterState.set_change_reason": EVERYONE,
    "RegisterState.setvar": EVERYONE,
    "DueRegistersState.load_due": STUDENTS_READERS,
    "DueRegistersState.setvar": EVERYONE,
    "AttendanceHistoryState.load_own_history": frozenset({"student"}),
    "AttendanceHistoryState.show_history": frozenset({"student", "parent", "teacher", "school_admin"}),  # the service: whom each may see
    "AttendanceHistoryState.setvar": EVERYONE,
    "AttendanceSummaryState.choose_summary_class": STUDENTS_READERS,
    "AttendanceSummaryState.load_summary": STUDENTS_READERS,
    "AttendanceSummaryState.setvar": EVERYONE,
    # the dashboards' cards: each role's own (the services check the role and the school)
    "AdminDashboardState.load_admin_dashboard": ADMIN,
    "AdminDashboardState.setvar": EVERYONE,
    "MarksToEnterState.load_marks_to_enter": frozenset({"teacher"}),
    "MarksToEnterState.setvar": EVERYONE,
    "FamilyDashboardState.load_family_dashboard": frozenset({"student", "parent"}),
    "FamilyDashboardState.setvar": EVERYONE,
    # report cards: comments by class teachers (their class) and admins; publishing, the admins'
    **dict.fromkeys(
        [f"ReportCardsState.{name}" for name in (
            "load_report_cards", "choose_term", "choose_class", "open_comment", "save_comment", "download_card", "set_search",
            "previous_page", "next_page", "export_csv", "export_xlsx",
        )],
        GRADE_ENTERERS,
    ),
    **dict.fromkeys(
        [f"ReportCardsState.{name}" for name in ("choose_scope", "ask_publish", "publish", "follow_publishing", "download_zip")], ADMIN
    ),
    "ReportCardsState.set_confirm_open": EVERYONE,
    "ReportCardsState.set_editor_open": EVERYONE,
    "ReportCardsState.setvar": EVERYONE,
    "MyReportCardsState.load_own_cards": frozenset({"student"}),
    "MyReportCardsState.show_cards": frozenset({"student", "parent", "teacher", "school_admin"}),  # the service: whom each may see
    "MyReportCardsState.download": frozenset({"student", "parent", "teacher", "school_admin"}),
    "MyReportCardsState.setvar": EVERYONE,
    "SchoolSettingsState.set_show_report_positions": ADMIN,
    "SchoolSettingsState.set_registers_per_lesson": ADMIN,
    "SchoolSettingsState.upload_logo": ADMIN,
    "SchoolSettingsState.logo_rejected": EVERYONE,  # a toast, no data
    # fees: set-up and the cashier are fees.manage / fees.collect (the admin; a staff member only
    # with the bursar duty, which this world's staff has not); reversals the admin's alone
    "FeeStructuresState.load_structures": ADMIN,
    "FeeStructuresState.save_structure": ADMIN,
    "FeeStructuresState.setvar": EVERYONE,
    "InvoiceRunState.load_preview": ADMIN,
    "AdjustmentsState.load_adjustments": ADMIN,
    "AdjustmentsState.add_adjustment": ADMIN,
    "AdjustmentsState.add_sponsor": ADMIN,
    "AdjustmentsState.setvar": EVERYONE,
    "InvoiceRunState.ask_issue": ADMIN,
    "InvoiceRunState.issue": ADMIN,
    "InvoiceRunState.set_confirm_open": EVERYONE,
    "InvoiceRunState.setvar": EVERYONE,
    "CashierState.load_cashier": ADMIN,
    "CashierState.search": ADMIN,
    "CashierState.choose_student": ADMIN,
    "CashierState.take_payment": ADMIN,
    "CashierState.ask_reverse": ADMIN,
    "CashierState.print_receipt": ADMIN,
    "CashierState.print_statement": ADMIN,
    "CashierState.print_sponsor_statement": ADMIN,
    "CashierState.reverse": ADMIN,
    "CashierState.set_reversal_open": EVERYONE,
    "CashierState.setvar": EVERYONE,
    "CashUpState.load_cash_up": ADMIN,
    "ArrearsState.load_arrears": ADMIN,
    "ArrearsState.set_search": ADMIN,
    "ArrearsState.set_grade_filter": ADMIN,
    "ArrearsState.set_class_filter": ADMIN,
    "ArrearsState.set_currency_filter": ADMIN,
    "ArrearsState.set_overdue_filter": ADMIN,
    "ArrearsState.set_minimum": ADMIN,
    "ArrearsState.previous_page": ADMIN,
    "ArrearsState.next_page": ADMIN,
    "ArrearsState.export_csv": ADMIN,
    "ArrearsState.export_xlsx": ADMIN,
    "ArrearsState.setvar": EVERYONE,
    "CashUpState.choose_day": ADMIN,
    "CashUpState.setvar": EVERYONE,
    "ChildFeesState.load_child_fees": frozenset({"parent"}),
    "ChildFeesState.choose_child": frozenset({"parent"}),
    "ChildFeesState.ask_pay_online": frozenset({"parent"}),
    "ChildFeesState.set_pay_open": EVERYONE,  # a dialog's flag, no data
    "ChildFeesState.pay_online": frozenset({"parent"}),
    "ChildFeesState.check_online_payment": frozenset({"parent"}),
    "ChildFeesState.follow_online_payment": frozenset({"parent"}),
    "ChildFeesState.print_receipt": frozenset({"parent"}),
    "ChildFeesState.print_statement": frozenset({"parent"}),
    "FeesOwedState.load_fees_owed": frozenset({"parent"}),
    "FeesOwedState.setvar": EVERYONE,
    "ChildFeesState.setvar": EVERYONE,
    "SchoolSettingsState.save_paynow": ADMIN,
    "SchoolSettingsState.ask_remove_paynow": ADMIN,
    "SchoolSettingsState.remove_paynow": ADMIN,
    "SchoolSettingsState.set_confirm_open": EVERYONE,
    # announcements: read by every school role (the service: their audiences), posted by teachers
    # (their classes) and admins; messages: parents, teachers and admins, within the service's rules
    **dict.fromkeys(
        [f"AnnouncementsState.{name}" for name in ("load_announcements", "previous_page", "next_page", "download")], frozenset(SCHOOL_ROLES)
    ),
    **dict.fromkeys([f"AnnouncementsState.{name}" for name in ("post", "ask_withdraw", "withdraw")], ANNOUNCERS),
    **dict.fromkeys(
        [f"AnnouncementsState.{name}" for name in ("set_audience", "set_target", "set_title", "set_body", "set_withdraw_open", "attachment_rejected", "setvar")],
        EVERYONE,  # the form's own fields and a toast: no data
    ),
    **dict.fromkeys([f"{state}.{name}" for state in ("AnnouncementsState", "MessagesState") for name in ("export_csv", "export_xlsx")], NOBODY),
    "LatestAnnouncementsState.load_latest_announcements": frozenset(SCHOOL_ROLES),
    "LatestAnnouncementsState.setvar": EVERYONE,
    **dict.fromkeys(
        [f"MessagesState.{name}" for name in (
            "load_messages", "previous_page", "next_page", "open_thread", "send_reply", "open_compose", "search_contacts", "start_thread",
        )],
        MESSAGERS,
    ),
    "MessagesState.set_compose_open": EVERYONE,
    "MessagesState.setvar": EVERYONE,
    # every page asks for the unread count: a caller without messages gets 0, quietly
    "UnreadState.refresh_unread": EVERYONE,
    "UnreadState.poll_unread": EVERYONE,
    "UnreadState.setvar": EVERYONE,
    # notifications: one's own list and channel (communication.read: every role of the school);
    # the outgoing log the admins' (communication.log); fee reminders fees.manage
    **dict.fromkeys(
        [f"NotificationsState.{name}" for name in (
            "load_notifications", "mark_read", "mark_all_read", "save_channel", "previous_page", "next_page", "export_csv", "export_xlsx",
        )],
        SCHOOL_MEMBERS,
    ),
    "NotificationsState.setvar": EVERYONE,
    **dict.fromkeys([f"OutgoingLogState.{name}" for name in ("load_outgoing", "previous_page", "next_page", "export_csv", "export_xlsx")], ADMIN),
    "OutgoingLogState.setvar": EVERYONE,
    **dict.fromkeys(
        [f"FeeRemindersState.{name}" for name in ("load_reminders", "ask_send", "send", "previous_page", "next_page", "export_csv", "export_xlsx")], ADMIN
    ),
    "FeeRemindersState.set_confirm_open": EVERYONE,
    "FeeRemindersState.setvar": EVERYONE,
}

# --- arguments -------------------------------------------------------------------------------
# A payload's strings are formatted with the world's ids (`{a_child}`) and the call's own
# (`{uniq}`, `{me}`: the caller's user id, `{password}`: theirs). A handler with no row here gets
# its arguments from its signature (see `variants`); a form or an id needs a row.

PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==")


@dataclass(frozen=True)
class Send:
    """One event sent before the call under test, on the same tab, as the same caller."""

    handler: str
    payload: Mapping[str, Any] = field(default_factory=dict)
    upload: tuple[tuple[str, bytes, str], ...] | None = None


@dataclass(frozen=True)
class Variant:
    label: str = "page"
    payload: Mapping[str, Any] = field(default_factory=dict)
    # What a refused caller sends instead: the arguments that would do the most if admitted.
    refused_payload: Mapping[str, Any] | None = None
    before: tuple[Send, ...] = ()
    refused_before: tuple[Send, ...] | None = None
    page: str = "/"  # the landing page: its on_load (public) resolves the host and notices the sign-in, as any tab does
    upload: tuple[tuple[str, bytes, str], ...] | None = None
    hostile: bool = False  # aimed at rows that are not the caller's: nothing may change, admitted or not
    fresh_sign_in: bool = False  # the call ends the caller's sign-in: sign in anew for it
    admits: frozenset[str] | None = None  # setvar: the row of the setter it reaches
    raises: bool = False  # setvar naming no setter: Reflex raises (AttributeError), nothing else happens
    check: Callable[["Call"], None] | None = None


STUDENT_FORM = {
    "admission_number": "H{uniq}", "first_name": "Added", "last_name": "Pupil{uniq}", "date_of_birth": "2016-05-04",
    "gender": "female", "guardian0_full_name": "Added Guardian", "guardian0_phone": "+263771234567",
    "guardian0_relationship": "Mother", "guardian0_contact_preference": "sms", "class": "none",
}
YEAR_FORM = {
    "name": "Y{uniq}", "starts_on": "2041-01-06", "ends_on": "2041-12-11",
    "term1_starts": "2041-01-13", "term1_ends": "2041-04-09", "term2_starts": "2041-05-12", "term2_ends": "2041-08-06",
    "term3_starts": "2041-09-08", "term3_ends": "2041-12-03",
}
NEW_PASSWORD = "Another-long-password-2026"
# The demo's eight periods as the periods editor sends them (its rows' keys after loading).
DEMO_PERIODS_FORM = {
    f"{edge}-p{number}": clock
    for number, (starts, ends) in enumerate(
        [("07:30", "08:05"), ("08:05", "08:40"), ("08:40", "09:15"), ("09:15", "09:50"),
         ("10:20", "10:55"), ("10:55", "11:30"), ("11:30", "12:05"), ("12:45", "13:20")], start=1)
    for edge, clock in (("starts", starts), ("ends", ends))
}


EDIT_A_LESSON = (
    Send("TimetableEditorState.load_editor"),
    Send("TimetableEditorState.choose_class", {"class_id": "{a_class3}"}),
    Send("TimetableEditorState.open_slot", {"day": 1, "period": 1}),
)


def _no_role_taken(call: "Call") -> None:
    """Client storage is the only thing `update_vars_internal` may set: not the role, not the school."""
    auth = state_named("AuthState")
    assert call.tab.value(auth, "user_role") in (None, "", *([call.world.roles[call.caller]] if call.caller in call.world.roles else []))
    assert call.world.b_name not in call.tab.text()


def _no_tokens_for_another_school(call: "Call") -> None:
    assert call.tab.value(state_named("AuthState"), "user_email") != call.world.people["other_admin"][2], "school B's admin signed in on school A's host"


def _profile(student: str, **more: Any) -> Variant:
    return Variant(page=f"/students/{{{student}}}", **more)


# The gradebook chosen as its page does: the class, subject and term of an assessment the teacher set.
REPORTS_OPEN = (Send("ReportCardsState.load_report_cards"),)
REPORTS_OF_LED_CLASS = (*REPORTS_OPEN, Send("ReportCardsState.choose_class", {"value": "{a_taught_class}"}))
GRADEBOOK_OPEN = (
    Send("GradebookState.load_gradebook"), Send("GradebookState.choose_class", {"value": "{a_mark_class}"}),
    Send("GradebookState.choose_subject", {"value": "{a_mark_subject}"}), Send("GradebookState.choose_term", {"value": "{a_mark_term}"}),
)
GRADEBOOK_ARGS: dict[str, list[Variant]] = {
    "GradebookState.choose_class": [
        Variant(payload={"value": "{a_mark_class}"}, before=GRADEBOOK_OPEN[:1]),
        Variant("other school's class", hostile=True, payload={"value": "{b_class}"}, before=GRADEBOOK_OPEN[:1]),
    ],
    "GradebookState.choose_subject": [
        Variant(payload={"value": "{a_mark_subject}"}, before=GRADEBOOK_OPEN[:2]),
        Variant("other school's subject", hostile=True, payload={"value": "{b_subject}"}, before=GRADEBOOK_OPEN[:2]),
    ],
    "GradebookState.choose_term": [
        Variant(payload={"value": "{a_mark_term}"}, before=GRADEBOOK_OPEN[:3]),
        Variant("other school's term", hostile=True, payload={"value": "{b_mark_term}"}, before=GRADEBOOK_OPEN[:3]),
    ],
    "GradebookState.open_edit_assessment": [
        Variant(payload={"assessment_id": "{a_assessment}"}, before=GRADEBOOK_OPEN),
        Variant("other school's assessment", hostile=True, payload={"assessment_id": "{b_assessment}"}, before=GRADEBOOK_OPEN),
    ],
    "GradebookState.save_assessment": [
        Variant(payload={"form": {"name": "Made {uniq}", "kind": "test", "max_mark": "20", "weight": "1"}}, before=(*GRADEBOOK_OPEN, Send("GradebookState.open_new_assessment"))),
        Variant("other school's class", hostile=True, payload={"form": {"name": "Made {uniq}", "kind": "test", "max_mark": "20", "weight": "1"}},
                before=(Send("GradebookState.load_gradebook"), Send("GradebookState.choose_class", {"value": "{b_class}"}), Send("GradebookState.open_new_assessment"))),
    ],
    "GradebookState.ask_delete": [
        Variant(payload={"assessment_id": "{a_doomed}"}, before=GRADEBOOK_OPEN),
        Variant("other school's assessment", hostile=True, payload={"assessment_id": "{b_assessment}"}, before=GRADEBOOK_OPEN),
    ],
    "GradebookState.confirm_delete": [
        Variant(before=(*GRADEBOOK_OPEN, Send("GradebookState.ask_delete", {"assessment_id": "{a_doomed}"}))),
        Variant("other school's assessment", hostile=True, before=(*GRADEBOOK_OPEN, Send("GradebookState.ask_delete", {"assessment_id": "{b_assessment}"}))),
    ],
    "GradebookState.open_grid": [
        Variant(payload={"assessment_id": "{a_assessment}"}),
        Variant("a class not taught", hostile=True, payload={"assessment_id": "{a_untaught_assessment}"}),
        Variant("other school's assessment", hostile=True, payload={"assessment_id": "{b_assessment}"}),
    ],
    "GradebookState.save_marks": [
        Variant(payload={"form": {"mark_{a_mark_student}": "7"}}, before=(Send("GradebookState.open_grid", {"assessment_id": "{a_assessment}"}),)),
        Variant("other school's assessment", hostile=True, payload={"form": {"mark_{b_mark_student}": "7"}},
                before=(Send("GradebookState.open_grid", {"assessment_id": "{b_assessment}"}),)),
        Variant("other school's student", hostile=True, payload={"form": {"mark_{b_mark_student}": "7"}},
                before=(Send("GradebookState.open_grid", {"assessment_id": "{a_assessment}"}),)),
    ],
}

# The O-level scale as its editor sends it: the default bands, and two empty rows.
O_LEVEL_FORM = {
    **{f"{key}_{index}": str(value) for index, band in enumerate(DEFAULT_SCALES[SubjectLevel.o_level])
       for key, value in (("grade", band.grade), ("lower", band.lower), ("upper", band.upper), ("points", band.points), ("outcome", band.outcome.value))},
    **{f"{key}_{index}": "" for index in (6, 7) for key in ("grade", "lower", "upper", "points", "outcome")},
}
GRADEBOOK_ARGS["GradingScalesState.open_scale"] = [Variant(payload={"level": "o_level"}, before=(Send("GradingScalesState.load_scales"),))]
GRADEBOOK_ARGS["GradingScalesState.save_scale"] = [
    Variant(
        payload={"form": O_LEVEL_FORM}, before=(Send("GradingScalesState.load_scales"), Send("GradingScalesState.open_scale", {"level": "o_level"})),
        # A refused caller tries to make everybody pass.
        refused_payload={"form": {"grade_0": "A", "lower_0": "0", "upper_0": "100", "points_0": "0", "outcome_0": "pass"}},
    )
]

ARGS: dict[str, list[Variant]] = {
    "State.hydrate_and_load": [Variant(payload={"vars": {}})],
    "State.set_is_hydrated": [Variant(payload={"value": True})],
    "OnLoadInternalState.set_is_hydrated": [Variant(payload={"value": True})],
    "FrontendEventExceptionState.handle_frontend_exception": [Variant(payload={"info": "Error: from the test", "component_stack": ""})],
    "UpdateVarsInternalState.update_vars_internal": [
        Variant(payload={"vars": {}}),
        Variant("not storage", payload={"vars": {"{auth_state}.user_role": "school_admin", "{app_state}.school_name": "{b_name}", "{app_state}._school_id": "{b_school}"}}, check=_no_role_taken),
    ],
    "AppState.choose_language": [Variant(payload={"language": "sn"}), Variant("not a language", payload={"language": "xx'; --"})],
    "AuthState.guard": [Variant(payload={"permission": "students.read"}), Variant("platform", payload={"permission": "platform.schools"})],
    "AuthState.sign_in": [Variant("other school's account", payload={"form": {"email": "school_admin@{b_sub}.test", "password": TEST_PASSWORD}}, check=_no_tokens_for_another_school)],
    "AuthState.sign_out": [Variant(fresh_sign_in=True)],
    "AccountState.change_password": [
        Variant(
            payload={"form": {"current_password": "not-the-password", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}},
            refused_payload={"form": {"current_password": "{password}", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}},
        )
    ],
    "AccountState.confirm_totp": [Variant(payload={"form": {"code": "000000"}}, before=(Send("AccountState.start_totp"),))],
    "AccountState.turn_off_totp": [Variant(payload={"form": {"code": "000000"}})],
    "AccountState.reset_password": [Variant(page="/reset-password?token=not-a-token", payload={"form": {"new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}})],
    "AuditLogState.apply_filters": [Variant(payload={"form": {"actor": "", "since": "2026-01-01", "until": ""}})],
    "ClassesState.assign_teacher": [
        Variant(
            payload={"form": {"subject": "{a_subject}", "teacher": "{a_teacher1}"}},
            before=(Send("ClassesState.load_classes"), Send("ClassesState.open_assign", {"class_id": "{a_class3}", "class_name": "3"})),
            # A refused teacher tries to give themselves a class they do not teach.
            refused_payload={"form": {"subject": "{a_subject}", "teacher": "{a_teacher}"}},
        ),
        Variant("other school's class", hostile=True, payload={"form": {"subject": "{b_subject}", "teacher": "{b_teacher}"}},
                before=(Send("ClassesState.load_classes"), Send("ClassesState.open_assign", {"class_id": "{b_class}", "class_name": "B"}))),
    ],
    "ClassesState.choose_target": [
        Variant(payload={"target_id": "{a_class3}"}, before=(Send("ClassesState.open_promotion", {"class_id": "{a_class2}", "class_name": "2"}),)),
        Variant("other school's class", hostile=True, payload={"target_id": "{b_class}"}, before=(Send("ClassesState.open_promotion", {"class_id": "{a_class2}", "class_name": "2"}),)),
    ],
    "ClassesState.create_class": [
        # The year as the page's year picker sets it (its reload is refused to all but the admin).
        Variant(payload={"form": {"grade_level": "G1", "name": "Made {uniq}", "capacity": "30", "class_teacher": "none"}}, before=(Send("ClassesState.set_year", {"year_id": "{a_year}"}),)),
        Variant("other school's teacher", hostile=True, payload={"form": {"grade_level": "G1", "name": "Made {uniq}", "capacity": "30", "class_teacher": "{b_teacher}"}}, before=(Send("ClassesState.load_classes"),)),
    ],
    "ClassesState.open_assign": [
        Variant(payload={"class_id": "{a_class3}", "class_name": "3"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}", "class_name": "B"}),
    ],
    "ClassesState.open_promotion": [
        Variant(payload={"class_id": "{a_class2}", "class_name": "2"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}", "class_name": "B"}),
    ],
    "ClassesState.promote": [
        Variant(
            before=(Send("ClassesState.open_promotion", {"class_id": "{a_empty_class}", "class_name": "empty"}),),
            refused_before=(Send("ClassesState.open_promotion", {"class_id": "{a_class2}", "class_name": "2"}), Send("ClassesState.choose_target", {"target_id": "{a_class3}"})),
        ),
        Variant("other school's class", hostile=True, before=(Send("ClassesState.open_promotion", {"class_id": "{b_class}", "class_name": "B"}),)),
    ],
    "ClassesState.set_year": [Variant(payload={"year_id": "{a_year}"}), Variant("other school's year", hostile=True, payload={"year_id": "{b_year}"})],
    "ImportState.check_file": [Variant(upload=(("students.csv", imports.import_template(imports.STUDENTS), "text/csv"),))],
    "ImportState.download_problems": [Variant(before=(Send("ImportState.check_file", upload=(("students.csv", b"admission_number\n1\n", "text/csv"),)),))],
    "ImportState.set_kind": [Variant(payload={"kind": "staff"})],
    "ImportState.start_import": [Variant(before=(Send("ImportState.check_file", upload=(("students.csv", imports.import_template(imports.STUDENTS).replace(b"\r\n", b"\n"), "text/csv"),)),))],
    "MyChildrenState.show_child": [
        Variant(payload={"student_id": "{a_child}"}),
        Variant("not their child", hostile=True, payload={"student_id": "{a_other}"}),
        Variant("other school's student", hostile=True, payload={"student_id": "{b_student}"}),
    ],
    "PlatformAuditState.apply_filters": [Variant(payload={"form": {"date_from": "2026-01-01", "date_to": "", "action": "", "actor": ""}})],
    "PlatformSchoolsState.ask_status_change": [Variant(payload={"school_id": "{c_school}"}, before=(Send("PlatformSchoolsState.set_search", {"value": "{c_sub}"}),))],
    "PlatformSchoolsState.confirm_status_change": [
        Variant(before=(Send("PlatformSchoolsState.set_search", {"value": "{c_sub}"}), Send("PlatformSchoolsState.ask_status_change", {"school_id": "{c_school}"})))
    ],
    "PlatformSchoolsState.create_school": [
        Variant(payload={"form": {
            "name": "Made {uniq}", "subdomain": "made-{uniq}", "level": "primary", "currency": "USD",
            "admin_email": "head@made-{uniq}.test", "admin_name": "Made Head", "admin_password": NEW_PASSWORD,
        }})
    ],
    "PlatformSchoolsState.filter_status": [Variant(payload={"status": "active"})],
    "SchoolSettingsState.set_require_admin_mfa": [Variant(payload={"enabled": False}, refused_payload={"enabled": True})],
    "SchoolSettingsState.set_school_language": [Variant(payload={"language": "en"}, refused_payload={"language": "sn"})],
    "StaffState.open_edit": [
        Variant(payload={"user_id": "{a_teacher1}"}, before=(Send("StaffState.set_search", {"value": "{a_teacher1_email}"}),)),
        Variant("other school's user", hostile=True, payload={"user_id": "{b_teacher}"}, before=(Send("StaffState.load_staff"),)),
    ],
    "StaffState.save_profile": [
        Variant(
            payload={"form": {"department": "none", "job_title": "Teacher {uniq}", "employee_number": "E{uniq}", "phone": ""}},
            before=(Send("StaffState.set_search", {"value": "{a_teacher1_email}"}), Send("StaffState.open_edit", {"user_id": "{a_teacher1}"})),
        )
    ],
    "StudentListState.add_student": [
        Variant(payload={"form": STUDENT_FORM}),
        Variant("other school's class", hostile=True, payload={"form": {**STUDENT_FORM, "class": "{b_class}"}}),
    ],
    "StudentListState.set_class_filter": [
        Variant(payload={"value": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"value": "{b_class}"}),
    ],
    "StudentListState.set_sort": [Variant(payload={"value": "admission"})],
    "StudentListState.set_status_filter": [Variant(payload={"value": "enrolled"})],
    "StudentProfileState.load": [
        _profile("a_child"),
        _profile("a_other", label="a student outside the caller's reach", hostile=True),
        _profile("b_student", label="other school's student", hostile=True),
    ],
    "StudentProfileState.open_edit": [_profile("a_spare", before=(Send("StudentProfileState.load"),))],
    "StudentProfileState.save_details": [
        _profile("a_spare", before=(Send("StudentProfileState.load"),), payload={"form": {
            "admission_number": "{a_spare_admission}", "first_name": "{a_spare_first}", "last_name": "{a_spare_last}",
            "date_of_birth": "2015-02-03", "gender": "male", "medical_notes": "{a_spare_medical}",
        }}),
        _profile("b_student", label="other school's student", hostile=True, before=(Send("StudentProfileState.load"),), payload={"form": {
            "admission_number": "X{uniq}", "first_name": "Taken", "last_name": "Over", "date_of_birth": "2015-02-03", "gender": "male",
        }}),
    ],
    "StudentProfileState.change_status": [
        _profile("a_spare", before=(Send("StudentProfileState.load"),), payload={"form": {"status": "enrolled", "reason": "checked"}},
                 refused_payload={"form": {"status": "left", "reason": "taken off the roll"}}),
        _profile("b_student", label="other school's student", hostile=True, before=(Send("StudentProfileState.load"),), payload={"form": {"status": "left", "reason": "x"}}),
    ],
    "StudentProfileState.upload_photo": [
        _profile("a_spare", before=(Send("StudentProfileState.load"),), upload=(("photo.png", PNG, "image/png"),)),
        _profile("b_student", label="other school's student", hostile=True, before=(Send("StudentProfileState.load"),), upload=(("photo.png", PNG, "image/png"),)),
    ],
    "SubjectsState.add_subject": [Variant(payload={"form": {"code": "T{uniq}", "name": "Subject {uniq}", "level": "primary"}})],
    "TeacherClassesState.show_class": [
        Variant(payload={"class_id": "{a_taught_class}"}),
        Variant("a class not taught", hostile=True, payload={"class_id": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}"}),
    ],
    "UserAdminState.ask_active_change": [Variant(payload={"user_id": "{a_teacher1}", "name": "Teacher", "activate": False})],
    "UserAdminState.confirm_active_change": [
        Variant(
            before=(Send("UserAdminState.ask_active_change", {"user_id": "{a_teacher1}", "name": "Teacher", "activate": True}),),
            refused_before=(Send("UserAdminState.ask_active_change", {"user_id": "{a_teacher1}", "name": "Teacher", "activate": False}),),
        ),
        Variant("other school's user", hostile=True, before=(Send("UserAdminState.ask_active_change", {"user_id": "{b_teacher}", "name": "B", "activate": False}),)),
    ],
    "UserAdminState.reset_two_step": [
        Variant(payload={"user_id": "{a_teacher1}"}),
        Variant("other school's user", hostile=True, payload={"user_id": "{b_teacher}"}),
    ],
    "UserAdminState.issue_reset_link": [
        Variant(payload={"user_id": "{a_teacher1}", "name": "Teacher"}),
        Variant("other school's user", hostile=True, payload={"user_id": "{b_teacher}", "name": "B"}),
    ],
    "UserAdminState.open_edit": [Variant(payload={"user_id": "{a_teacher1}"}, before=(Send("UserAdminState.set_search", {"value": "{a_teacher1_email}"}),))],
    "UserAdminState.save_user": [
        Variant(payload={"form": {"email": "new-{uniq}@{a_sub}.test", "full_name": "New {uniq}", "role": "teacher", "password": ""}}),
        Variant(
            "edit",
            payload={"form": {"email": "{a_teacher1_email}", "full_name": "{a_teacher1_name}", "role": "teacher"}},
            refused_payload={"form": {"email": "{a_teacher1_email}", "full_name": "{a_teacher1_name}", "role": "school_admin"}},
            before=(Send("UserAdminState.set_search", {"value": "{a_teacher1_email}"}), Send("UserAdminState.open_edit", {"user_id": "{a_teacher1}"})),
        ),
    ],
    "UserAdminState.set_role_filter": [Variant(payload={"value": "teacher"})],
    "UserAdminState.set_sort": [Variant(payload={"value": "newest"})],
    "UserAdminState.set_status_filter": [Variant(payload={"value": "active"})],
    **GRADEBOOK_ARGS,
    "YearsState.ask_make_current": [Variant(payload={"year_id": "{a_year}", "name": "2026"})],
    "YearsState.create_year": [Variant(payload={"form": YEAR_FORM})],
    "YearsState.make_current": [
        Variant(
            before=(Send("YearsState.ask_make_current", {"year_id": "{a_year}", "name": "2026"}),),
            refused_before=(Send("YearsState.ask_make_current", {"year_id": "{a_old_year}", "name": "old"}),),
        ),
        Variant("other school's year", hostile=True, before=(Send("YearsState.ask_make_current", {"year_id": "{b_year}", "name": "B"}),)),
    ],
    "ClosureDaysState.add_closure": [Variant(payload={"form": {"day": "2041-03-05", "name": "Closed {uniq}", "kind": "closure"}})],
    "ClosureDaysState.ask_remove_closure": [Variant(payload={"closure_id": "{a_closure}", "name": "Closed"})],
    "ClosureDaysState.remove_closure": [
        Variant(before=(Send("ClosureDaysState.ask_remove_closure", {"closure_id": "{a_closure}", "name": "Closed"}),)),
        Variant("other school's day", hostile=True, before=(Send("ClosureDaysState.ask_remove_closure", {"closure_id": "{b_closure}", "name": "B"}),)),
    ],
    "ClosureDaysState.choose_closure_year": [Variant(payload={"value": "2041"})],
    "MyTimetableState.choose_class": [
        Variant(payload={"class_id": "{a_taught_class}"}),
        Variant("a class not theirs", hostile=True, payload={"class_id": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}"}),
    ],
    "PeriodsState.remove_period": [Variant(payload={"key": "p1"}, before=(Send("PeriodsState.load_periods"),))],
    "PeriodsState.save_periods": [
        Variant(
            payload={"form": DEMO_PERIODS_FORM},
            before=(Send("PeriodsState.load_periods"),),
            # A refused caller has no rows loaded: saving them would remove every period.
            refused_payload={"form": {}},
            refused_before=(),
        )
    ],
    "TimetableEditorState.choose_class": [
        Variant(payload={"class_id": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}"}),
    ],
    "TimetableEditorState.open_slot": [Variant(payload={"day": 1, "period": 1}, before=(Send("TimetableEditorState.load_editor"),))],
    "TimetableEditorState.save_slot": [
        Variant(payload={"form": {"subject": "{a_subject}", "teacher": "none", "room": ""}}, before=EDIT_A_LESSON),
        Variant("other school's subject", hostile=True, payload={"form": {"subject": "{b_subject}", "teacher": "none", "room": ""}},
                before=(*EDIT_A_LESSON[:1], Send("TimetableEditorState.choose_class", {"class_id": "{b_class}"}), EDIT_A_LESSON[-1])),
        Variant("other school's teacher", hostile=True, payload={"form": {"subject": "{a_subject}", "teacher": "{b_teacher}", "room": ""}},
                before=EDIT_A_LESSON),
    ],
    "TimetableEditorState.clear_slot": [
        Variant(before=(*EDIT_A_LESSON, Send("TimetableEditorState.ask_clear"))),
    ],
    "RegisterState.choose_class": [
        Variant(payload={"class_id": "{a_taught_class}"}),
        Variant("a class the teacher does not teach", hostile=True, payload={"class_id": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}"}),
    ],
    "RegisterState.choose_day": [Variant(payload={"value": "2026-03-02"}), Variant("not a date", payload={"value": "'; --"})],
    "RegisterState.choose_lesson": [
        Variant(payload={"period": "1"}, before=(Send("RegisterState.load_desk"),)),
        Variant("not a period", payload={"period": "'; --"}, before=(Send("RegisterState.load_desk"),)),
        Variant("other school's class", hostile=True, payload={"period": "1"},
                before=(Send("RegisterState.choose_class", {"class_id": "{b_class}"}),)),
    ],
    "RegisterState.mark": [Variant(payload={"student_id": "{a_child}", "status": "absent"})],
    "RegisterState.note_reason": [Variant(payload={"student_id": "{a_child}", "reason": "Clinic"})],
    "RegisterState.save": [
        Variant(before=(Send("RegisterState.load_desk"),)),
        Variant("other school's class", hostile=True, before=(Send("RegisterState.choose_class", {"class_id": "{b_class}"}),)),
    ],
    "AttendanceHistoryState.show_history": [
        Variant(payload={"student_id": "{a_child}"}),
        Variant("not their child", hostile=True, payload={"student_id": "{a_other}"}),
        Variant("other school's student", hostile=True, payload={"student_id": "{b_student}"}),
    ],
    "ReportCardsState.choose_term": [
        Variant(payload={"value": "{a_mark_term}"}, before=REPORTS_OPEN),
        Variant("other school's term", hostile=True, payload={"value": "{b_mark_term}"}, before=REPORTS_OPEN),
    ],
    "ReportCardsState.choose_class": [
        Variant(payload={"value": "{a_taught_class}"}, before=REPORTS_OPEN),
        Variant("a class the teacher does not lead", hostile=True, payload={"value": "{a_class3}"}, before=REPORTS_OPEN),
        Variant("other school's class", hostile=True, payload={"value": "{b_class}"}, before=REPORTS_OPEN),
    ],
    "ReportCardsState.choose_scope": [
        Variant(payload={"value": "class:{a_taught_class}"}, before=REPORTS_OPEN, refused_before=()),
        Variant("other school's class", hostile=True, payload={"value": "class:{b_class}"}, before=REPORTS_OPEN, refused_before=()),
    ],
    "ReportCardsState.open_comment": [Variant(payload={"student_id": "{a_led_student}"}, before=REPORTS_OF_LED_CLASS)],
    "ReportCardsState.save_comment": [
        Variant(
            payload={"form": {"teacher_comment": "Good {uniq}", "head_comment": "Fine {uniq}"}},
            before=(*REPORTS_OF_LED_CLASS, Send("ReportCardsState.open_comment", {"student_id": "{a_led_student}"})),
        ),
        Variant("other school's class", hostile=True, payload={"form": {"teacher_comment": "Leak"}},
                before=(*REPORTS_OPEN, Send("ReportCardsState.choose_class", {"value": "{b_class}"}), Send("ReportCardsState.open_comment", {"student_id": "{b_student}"}))),
    ],
    "ReportCardsState.download_card": [
        Variant(payload={"student_id": "{a_led_student}"}, before=REPORTS_OPEN),
        Variant("other school's student", hostile=True, payload={"student_id": "{b_student}"}, before=REPORTS_OPEN),
    ],
    "ReportCardsState.publish": [
        # The scope is always one of the page's choices (`choose_scope` keeps to them): no other school's class can be named.
        Variant(before=(*REPORTS_OPEN, Send("ReportCardsState.choose_scope", {"value": "class:{a_taught_class}"})), refused_before=()),
    ],
    "MyReportCardsState.show_cards": [
        Variant(payload={"student_id": "{a_child}"}),
        Variant("not their child", hostile=True, payload={"student_id": "{a_other}"}),
        Variant("other school's student", hostile=True, payload={"student_id": "{b_student}"}),
    ],
    "FeeStructuresState.save_structure": [
        Variant(payload={"form": {"grade_level": "G2", "currency": "ZWG", "item1_name": "Tuition", "item1_account": "tuition", "item1_amount": "3000"}},
                before=(Send("FeeStructuresState.load_structures"),)),
    ],
    "CashierState.search": [Variant(payload={"query": "a"}), Variant("a pattern", payload={"query": "%_\\"})],
    "CashierState.choose_student": [
        Variant(payload={"student_id": "{a_child}"}),
        Variant("other school's student", hostile=True, payload={"student_id": "{b_student}"}),
    ],
    "CashierState.take_payment": [
        Variant(payload={"form": {"amount": "1.00", "currency": "USD", "method": "cash", "reference": "", "exchange_rate": ""}},
                before=(Send("CashierState.choose_student", {"student_id": "{a_child}"}),)),
        Variant("other school's student", hostile=True, payload={"form": {"amount": "1.00", "currency": "USD", "method": "cash"}},
                before=(Send("CashierState.choose_student", {"student_id": "{b_student}"}),)),
    ],
    "CashierState.print_receipt": [
        Variant(payload={"payment_id": "{a_other_payment}"}),
        Variant("other school's payment", hostile=True, payload={"payment_id": "{b_payment}"}),
    ],
    "CashierState.print_statement": [
        Variant(payload={"family": True}, before=(Send("CashierState.choose_student", {"student_id": "{a_child}"}),)),
        Variant("other school's student", hostile=True, payload={"family": True}, before=(Send("CashierState.choose_student", {"student_id": "{b_student}"}),)),
    ],
    "CashierState.print_sponsor_statement": [
        Variant(payload={"form": {"sponsor": "{a_sponsor}"}}),
        Variant("other school's sponsor", hostile=True, payload={"form": {"sponsor": "{b_sponsor}"}}),
    ],
    "ChildFeesState.print_statement": [
        Variant(payload={"family": True}, before=(Send("ChildFeesState.choose_child", {"student_id": "{a_child}"}),)),
        Variant("not their child", hostile=True, payload={"family": False}, before=(Send("ChildFeesState.choose_child", {"student_id": "{a_other}"}),)),
    ],
    "ChildFeesState.print_receipt": [
        Variant(payload={"payment_id": "{a_child_payment}"}),
        Variant("not their child's", hostile=True, payload={"payment_id": "{a_other_payment}"}),
        Variant("other school's payment", hostile=True, payload={"payment_id": "{b_payment}"}),
    ],
    "CashierState.ask_reverse": [Variant(payload={"payment_id": "{uniq}"}, before=(Send("CashierState.choose_student", {"student_id": "{a_child}"}),))],
    "CashierState.reverse": [
        Variant(payload={"form": {"reason": "Typed twice"}}, before=(Send("CashierState.choose_student", {"student_id": "{a_child}"}),)),
    ],
    "AdjustmentsState.add_adjustment": [
        Variant(payload={"form": {"admission_number": "{a_spare_admission}", "kind": "discount", "percent": "10", "amount": "", "currency": "USD",
                                  "reason": "Test {uniq}", "sponsor": "none"}}),
        Variant("other school's sponsor", hostile=True, payload={"form": {"admission_number": "{a_spare_admission}", "kind": "sponsorship", "percent": "10",
                                                                          "amount": "", "currency": "USD", "reason": "Test {uniq}", "sponsor": "{b_sponsor}"}}),
    ],
    "AdjustmentsState.add_sponsor": [Variant(payload={"form": {"name": "Sponsor {uniq}", "kind": "church"}})],
    "ArrearsState.set_class_filter": [
        Variant(payload={"value": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"value": "{b_class}"}),
    ],
    "ArrearsState.set_minimum": [Variant(payload={"value": "10"}), Variant("not an amount", payload={"value": "'; --"})],
    "NotificationsState.mark_read": [
        Variant(payload={"notification_id": "{uniq}"}),
        Variant("another's notification", hostile=True, payload={"notification_id": "{a_notification}"}),
    ],
    "NotificationsState.save_channel": [
        Variant(payload={"form": {"channel": "email"}}),
        Variant("SMS refused", payload={"form": {"channel": "sms", "sms_opt_out": "on"}}),
    ],
    "CashUpState.choose_day": [Variant(payload={"day": "2026-03-02"}), Variant("not a date", payload={"day": "'; --"})],
    "AnnouncementsState.post": [
        Variant(
            upload=(("trip.pdf", b"%PDF-1.4 trip {uniq}", "application/pdf"),),
            before=(Send("AnnouncementsState.set_audience", {"value": "class"}), Send("AnnouncementsState.set_target", {"value": "{a_taught_class}"}),
                    Send("AnnouncementsState.set_title", {"value": "Trip {uniq}"}), Send("AnnouncementsState.set_body", {"value": "Bring a hat."})),
        ),
        Variant(
            "other school's class", hostile=True, upload=(("trip.pdf", b"%PDF-1.4 trip {uniq}", "application/pdf"),),
            before=(Send("AnnouncementsState.set_audience", {"value": "class"}), Send("AnnouncementsState.set_target", {"value": "{b_class}"}),
                    Send("AnnouncementsState.set_title", {"value": "Trip {uniq}"}), Send("AnnouncementsState.set_body", {"value": "Bring a hat."})),
        ),
    ],
    # (a refused caller skips the loading: what a student may read is not what this call may answer)
    "AnnouncementsState.ask_withdraw": [
        Variant(payload={"announcement_id": "{a_notice}"}, before=(Send("AnnouncementsState.load_announcements"),), refused_before=()),
    ],
    "AnnouncementsState.withdraw": [
        Variant(before=(Send("AnnouncementsState.load_announcements"), Send("AnnouncementsState.ask_withdraw", {"announcement_id": "{a_school_notice}"})),
                refused_before=()),
        Variant("other school's announcement", hostile=True, before=(Send("AnnouncementsState.ask_withdraw", {"announcement_id": "{b_notice}"}),)),
    ],
    "AnnouncementsState.download": [
        Variant(payload={"announcement_id": "{a_notice}"}),
        Variant("other school's announcement", hostile=True, payload={"announcement_id": "{b_notice}"}),
    ],
    "MessagesState.open_thread": [
        Variant(payload={"thread_id": "{a_thread}"}),
        Variant("other school's thread", hostile=True, payload={"thread_id": "{b_thread}"}),
    ],
    "MessagesState.send_reply": [
        Variant(payload={"form": {"body": "Thank you {uniq}"}}, before=(Send("MessagesState.open_thread", {"thread_id": "{a_thread}"}),)),
        Variant("other school's thread", hostile=True, payload={"form": {"body": "Let me in"}},
                before=(Send("MessagesState.open_thread", {"thread_id": "{b_thread}"}),)),
    ],
    "MessagesState.start_thread": [
        Variant(payload={"form": {"recipient": "{a_parent}", "subject": "Hello {uniq}", "body": "A word, please."}}),
        Variant("other school's parent", hostile=True, payload={"form": {"recipient": "{b_parent}", "subject": "Hello", "body": "Hi"}}),
    ],
    "ChildFeesState.choose_child": [
        Variant(payload={"student_id": "{a_child}"}),
        Variant("not their child", hostile=True, payload={"student_id": "{a_other}"}),
        Variant("other school's student", hostile=True, payload={"student_id": "{b_student}"}),
    ],
    "MyReportCardsState.download": [
        Variant(payload={"term_id": "{a_mark_term}"}, before=(Send("MyReportCardsState.show_cards", {"student_id": "{a_child}"}),)),
        Variant("other school's term", hostile=True, payload={"term_id": "{b_mark_term}"},
                before=(Send("MyReportCardsState.show_cards", {"student_id": "{a_child}"}),)),
    ],
    "SchoolSettingsState.set_show_report_positions": [Variant(payload={"shown": True}, refused_payload={"shown": False})],
    "SchoolSettingsState.set_registers_per_lesson": [Variant(payload={"per_lesson": False}, refused_payload={"per_lesson": True})],
    "SchoolSettingsState.save_paynow": [Variant(payload={"form": {"currency": "ZWG", "integration_id": "1202", "key": "handler-test-key"}})],
    "SchoolSettingsState.ask_remove_paynow": [Variant(payload={"currency": "ZWG"})],
    "SchoolSettingsState.remove_paynow": [Variant(payload={})],
    "ChildFeesState.ask_pay_online": [
        Variant(payload={"invoice_id": "{uniq}"}, before=(Send("ChildFeesState.choose_child", {"student_id": "{a_child}"}),)),
    ],
    "ChildFeesState.pay_online": [
        Variant(payload={"form": {"method": "ecocash", "phone": "0771234567"}}, before=(Send("ChildFeesState.choose_child", {"student_id": "{a_child}"}),)),
    ],
    "SchoolSettingsState.upload_logo": [Variant(upload=(("logo.png", PNG, "image/png"),))],
    "AttendanceSummaryState.choose_summary_class": [
        Variant(payload={"class_id": "{a_taught_class}"}),
        Variant("a class the teacher does not teach", hostile=True, payload={"class_id": "{a_class3}"}),
        Variant("other school's class", hostile=True, payload={"class_id": "{b_class}"}),
    ],
}

# Arguments a signature alone says enough about.
BY_PARAMETER: dict[str, Any] = {"is_open": True, "value": "a", "_rejected": [], "permission": "", "vars": {}}
# `setvar` names that are no setter: Reflex refuses them (AttributeError); nothing may change.
NOT_SETTERS = ("user_role", "_school_id", "access_token")


def setters_of(state: type[BaseState]) -> list[str]:
    """Every handler `setvar(name, value)` reaches on `state`: its `set_<name>` handlers."""
    return sorted(name for name in state.event_handlers if name.startswith("set_"))


def variants(key: str) -> list[Variant]:
    state, name = app_and_handlers()[1][key]
    if name == "setvar":
        found = []
        for setter in setters_of(state):
            reached = f"{state.__name__}.{setter}"
            inner = variants(reached)[0]
            value = next(iter(inner.payload.values()), True) if inner.payload else True
            refused_value = next(iter(inner.refused_payload.values()), value) if inner.refused_payload else value
            found.append(Variant(
                f"setvar {setter[4:]}", payload={"var_name": setter[4:], "value": value}, before=inner.before,
                refused_payload={"var_name": setter[4:], "value": refused_value}, refused_before=inner.refused_before,
                admits=ADMITS.get(reached, frozenset()),
            ))
        found += [Variant(f"setvar {var}", payload={"var_name": var, "value": "x"}, raises=True, admits=EVERYONE) for var in NOT_SETTERS]
        return found
    if key in ARGS:
        return ARGS[key]
    parameters = [p for p in inspect.signature(state.event_handlers[name].fn).parameters.values() if p.name != "self"]
    missing = [p.name for p in parameters if p.name not in BY_PARAMETER and p.default is inspect.Parameter.empty]
    assert not missing, f"{key} takes {missing}: give it the arguments a page sends (and hostile ones) in ARGS"
    return [Variant(payload={p.name: BY_PARAMETER[p.name] for p in parameters if p.name in BY_PARAMETER})]


# --- the world the calls run in --------------------------------------------------------------


@dataclass
class World:
    a: SchoolFixture
    b: SchoolFixture
    c: SchoolFixture
    browser: Browser
    ids: dict[str, str]
    b_name: str
    roles: dict[str, str]  # caller: role
    people: dict[str, tuple[str, str, str]]  # caller: (user id, name, email)
    cookies: dict[str, dict[str, str]]
    passwords: dict[str, str]
    student_markers: dict[str, set[str]]  # student id: the markers of their record (name, guardians)
    medical_markers: dict[str, set[str]]  # student id: their medical notes and emergency contacts
    b_markers: set[str]  # everything of school B: people, students, its name
    user_markers: set[str]  # every user's name and email, both schools
    origin_a: str
    origin_platform: str = "http://localhost:3000"
    snapshot_sql: str = ""
    counts: dict[str, int] = field(default_factory=lambda: {"calls": 0, "refusals": 0, "hostile": 0})

    def origin(self, caller: str) -> str:
        return self.origin_platform if caller in ON_PLATFORM else self.origin_a


def _marker(kind: str) -> str:
    return f"{kind}{uuid.uuid4().hex[:10]}"


def _plant_markers(school: SchoolFixture) -> tuple[dict[str, set[str]], dict[str, set[str]], set[str]]:
    """Give every student, guardian, contact, medical note and user of `school` a name found
    nowhere else, so a leak can be searched for in what a tab received."""
    students: dict[str, set[str]] = {}
    medical: dict[str, set[str]] = {}
    users: set[str] = set()
    with db.owner_session() as session:
        for student in session.exec(select(Student).where(Student.school_id == school.id)).all():
            student.first_name, student.last_name, student.medical_notes = _marker("Stu"), _marker("Mk"), _marker("Med")
            students[str(student.id)] = {student.first_name, student.last_name}
            medical[str(student.id)] = {student.medical_notes}
            session.add(student)
        links = session.exec(select(StudentGuardian).where(StudentGuardian.school_id == school.id)).all()
        guardians = {g.id: g for g in session.exec(select(Guardian).where(Guardian.school_id == school.id)).all()}
        for guardian in guardians.values():
            guardian.full_name = f"Gd {_marker('Gd')}"
            session.add(guardian)
        for link in links:
            students[str(link.student_id)].add(guardians[link.guardian_id].full_name.split()[-1])
        for contact in session.exec(select(EmergencyContact).where(EmergencyContact.school_id == school.id)).all():
            contact.name = f"Ec {_marker('Ec')}"
            medical[str(contact.student_id)].add(contact.name.split()[-1])
            session.add(contact)
        for user in session.exec(select(User).where(User.school_id == school.id)).all():
            user.full_name = f"Us {_marker('Us')}"
            users |= {user.full_name.split()[-1], user.email}
            session.add(user)
        session.commit()
    return students, medical, users


def _sign_in(browser: Browser, origin: str, email: str, password: str, ip: str) -> dict[str, str]:
    """Sign in through the event path, as the sign-in page does; the cookies the browser keeps."""
    auth = state_named("AuthState")
    tab = browser.connect(origin=origin, ip=ip, page="/login")
    tab.send(event_name(auth, "sign_in"), {"form": {"email": email, "password": password}})
    assert not tab.errors, tab.errors
    access, refresh = tab.value(auth, "access_token"), tab.value(auth, "refresh_token")
    assert access and refresh, f"{email} could not sign in: {tab.value(auth, 'login_error')}"
    return cookie_vars(auth, {"access_token_rx_state_": access, "refresh_token_rx_state_": refresh})


def _snapshot_sql() -> str:
    with db.owner_session() as session:
        tables = session.execute(text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' "
            "AND table_name <> 'alembic_version' ORDER BY table_name"
        )).scalars().all()
    assert len(tables) > 10
    return " UNION ALL ".join(
        f"SELECT '{t}', count(*), coalesce(sum(hashtextextended(r::text, 0)), 0) FROM \"{t}\" r" for t in tables
    )


def snapshot(world: World) -> dict[str, tuple[int, int]]:
    """Every table's row count and a hash of its rows, read as the owner (no RLS): any insert,
    update or delete anywhere changes it."""
    with db.owner_session() as session:
        return {name: (count, int(digest)) for name, count, digest in session.execute(text(world.snapshot_sql)).all()}


def _communication_ids(session: Any, a: SchoolFixture, b: SchoolFixture) -> dict[str, str]:
    """The demo's announcements and conversation (oneclass/demo_messages.py) of both schools, and
    each school's parent: what the announcements and messages handlers are called with."""
    found: dict[str, str] = {}
    for prefix, school in (("a", a), ("b", b)):
        notices = {n.audience: n for n in session.exec(select(Announcement).where(Announcement.school_id == school.id)).all()}
        found[f"{prefix}_notice"] = str(notices["class"].id)
        found[f"{prefix}_school_notice"] = str(notices["school"].id)
        found[f"{prefix}_thread"] = str(session.exec(select(MessageThread.id).where(MessageThread.school_id == school.id)).first())
        found[f"{prefix}_parent"] = str(session.exec(select(User.id).where(User.school_id == school.id, User.role == "parent")).first())
    return found


def _gradebook_ids(session: Any, a: SchoolFixture, b: SchoolFixture, teacher_id: uuid.UUID) -> dict[str, str]:
    """An assessment (the demo's) in a class and subject the teacher teaches, with a student of
    that class; one to delete; one in a class they do not teach; one of school B."""
    def marked(school: SchoolFixture, mine: bool) -> tuple[Assessment, uuid.UUID]:
        rows = session.exec(
            select(Assessment, TeachingAssignment.teacher_id, SchoolClass.class_teacher_id)
            .join(TeachingAssignment, (col(TeachingAssignment.class_id) == Assessment.class_id) & (col(TeachingAssignment.subject_id) == Assessment.subject_id))
            .join(SchoolClass, col(SchoolClass.id) == Assessment.class_id)
            .where(Assessment.school_id == school.id)
            .order_by(Assessment.name)
        ).all()
        for assessment, teacher, leader in rows:
            if (teacher == teacher_id) == mine and (mine or leader != teacher_id):
                student = session.exec(select(Enrolment.student_id).where(Enrolment.class_id == assessment.class_id)).first()
                if student is not None:
                    return assessment, student
        raise AssertionError("the demo gives every taught subject assessments")

    mine, a_student = marked(a, True)
    untaught, _student = marked(a, False)
    b_assessment, b_student = marked(b, False)
    doomed = Assessment(
        school_id=a.id, class_id=mine.class_id, subject_id=mine.subject_id, term_id=mine.term_id, name="To delete", kind=AssessmentKind.test, max_mark=Decimal(10), weight=Decimal(1),
    )
    session.add(doomed)
    session.commit()
    return {
        "a_assessment": str(mine.id), "a_mark_class": str(mine.class_id), "a_mark_subject": str(mine.subject_id), "a_mark_term": str(mine.term_id),
        "a_mark_student": str(a_student), "a_doomed": str(doomed.id), "a_untaught_assessment": str(untaught.id),
        "b_assessment": str(b_assessment.id), "b_mark_student": str(b_student), "b_mark_term": str(b_assessment.term_id),
    }


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    app, _ = app_and_handlers()
    a, b, c = make_school("handlers-a"), make_school("handlers-b"), make_school("handlers-c")
    for school in (a, b):
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=8)
            session.commit()
    students_a, medical_a, users_a = _plant_markers(a)
    students_b, medical_b, users_b = _plant_markers(b)
    root_email, root_password = f"root-{uuid.uuid4().hex[:8]}@oneclass.test", "platform-root-2026"
    with db.owner_session() as session:
        root = create_platform_user(session, email=root_email, full_name=f"Us {_marker('Us')}", password=root_password)
        session.commit()
        root_person = (str(root.id), root.full_name.split()[-1], root_email)

    ids: dict[str, str] = {"a_sub": a.subdomain, "b_sub": b.subdomain, "c_sub": c.subdomain, "b_school": str(b.id), "c_school": str(c.id)}
    with db.owner_session() as session:
        def users_of(school: SchoolFixture) -> dict[str, User]:
            return {u.email.split("@")[0]: u for u in session.exec(select(User).where(User.school_id == school.id)).all()}

        a_users, b_users = users_of(a), users_of(b)
        classes_a = session.exec(select(SchoolClass).where(SchoolClass.school_id == a.id).order_by(SchoolClass.grade_level)).all()
        classes_b = session.exec(select(SchoolClass).where(SchoolClass.school_id == b.id).order_by(SchoolClass.grade_level)).all()
        teacher = a_users["teacher"]
        taught = set(session.exec(select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == teacher.id)).all())
        taught |= {k.id for k in classes_a if k.class_teacher_id == teacher.id}
        enrolled = {e.class_id: e.student_id for e in session.exec(select(Enrolment).where(Enrolment.school_id == a.id)).all()}
        parent_children = set(session.exec(
            select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == a_users["parent"].id)
        ).all())
        untaught = [k for k in classes_a if k.id not in taught]
        # A student no caller but the admin may see: in a class the teacher does not teach.
        spare = next(session.get(Student, enrolled[k.id]) for k in untaught[1:] if k.id in enrolled and enrolled[k.id] not in parent_children)
        assert spare is not None
        a_years = session.exec(text("SELECT id FROM academic_years WHERE school_id = :s"), params={"s": a.id}).scalars().all()
        ids.update(
            a_child=str(next(iter(parent_children))),
            a_other=str(enrolled[untaught[0].id]),  # not the parent's, not the student's, not the teacher's
            a_taught_class=str(next(k.id for k in classes_a if k.class_teacher_id == teacher.id)),
            a_led_student=str(next(e.student_id for e in session.exec(select(Enrolment).where(Enrolment.school_id == a.id)).all()
                                   if e.class_id == next(k.id for k in classes_a if k.class_teacher_id == teacher.id))),
            a_class2=str(untaught[1].id), a_class3=str(untaught[2].id),
            a_empty_class=str(next(k.id for k in classes_a if k.id not in enrolled)),
            a_spare=str(spare.id), a_spare_admission=spare.admission_number, a_spare_first=spare.first_name,
            a_spare_last=spare.last_name, a_spare_medical=spare.medical_notes or "",
            a_teacher=str(teacher.id), a_teacher1=str(a_users["teacher1"].id), a_teacher1_email=a_users["teacher1"].email,
            a_teacher1_name=a_users["teacher1"].full_name,
            a_subject=str(session.exec(select(Subject.id).where(Subject.school_id == a.id)).first()),
            a_year=str(a_years[0]),
            b_student=str(session.exec(select(Student.id).where(Student.school_id == b.id)).first()),
            b_class=str(classes_b[0].id), b_teacher=str(b_users["teacher1"].id),
            b_subject=str(session.exec(select(Subject.id).where(Subject.school_id == b.id)).first()),
            b_year=str(session.exec(text("SELECT id FROM academic_years WHERE school_id = :s"), params={"s": b.id}).scalars().first()),
        )
        assert parent_children and ids["a_other"] not in parent_children
        payments = session.exec(select(Payment.id, Payment.student_id, Payment.school_id).where(col(Payment.school_id).in_([a.id, b.id]))).all()
        ids.update(  # the demo's payments: one of the parent's child, one of another student, one of school B
            a_child_payment=str(next(p for p, student, school in payments if school == a.id and student in parent_children)),
            a_other_payment=str(next(p for p, student, school in payments if school == a.id and student not in parent_children)),
            b_payment=str(next(p for p, _student, school in payments if school == b.id)),
            a_sponsor=str(session.exec(select(Sponsor.id).where(Sponsor.school_id == a.id)).first()),
            b_sponsor=str(session.exec(select(Sponsor.id).where(Sponsor.school_id == b.id)).first()),
        )
        b_name = session.get(School, b.id).name  # type: ignore[union-attr]
        people = {role: (str(a_users[role].id), a_users[role].full_name.split()[-1], a_users[role].email) for role in SCHOOL_ROLES}
        people["other_admin"] = (str(b_users["school_admin"].id), b_users["school_admin"].full_name.split()[-1], b_users["school_admin"].email)
        people["super_admin"] = people["super_admin_at_platform"] = root_person
    # A second, older year: what a refused caller tries to make current.
    with db.owner_session() as session:
        old = AcademicYear(school_id=a.id, name="2019", starts_on=date(2019, 1, 7), ends_on=date(2019, 12, 6))
        session.add(old)
        closures = {name: ClosureDay(school_id=school.id, day=date(2041, 6, 4), name="Closed", kind=ClosureKind.closure) for name, school in (("a", a), ("b", b))}
        session.add_all(closures.values())
        session.commit()
        ids["a_old_year"] = str(old.id)
        ids.update(a_closure=str(closures["a"].id), b_closure=str(closures["b"].id))
        # A notice in the list of a user who is none of the callers: marking it read is nobody's.
        notice = Notification(
            school_id=a.id, user_id=uuid.UUID(ids["a_teacher1"]), kind=NotificationKind.announcement, subject="Notice", body="For teacher1 only.",
            channel=Channel.in_app, status=NotificationStatus.sent,
        )
        session.add(notice)
        session.commit()
        ids["a_notification"] = str(notice.id)

    with db.owner_session() as session:
        ids.update(_gradebook_ids(session, a, b, teacher.id))
        ids.update(_communication_ids(session, a, b))

    browser = Browser(app)
    origin_a = f"http://{a.subdomain}.localhost:3000"
    ids.update(auth_state=state_named("AuthState").get_full_name(), app_state=state_named("AppState").get_full_name(), b_name=b_name)
    world = World(
        a=a, b=b, c=c, browser=browser, ids=ids, b_name=b_name,
        roles={**{role: role for role in SCHOOL_ROLES}, "super_admin_at_platform": "super_admin"},
        people=people, cookies={}, passwords={},
        student_markers={**students_a, **students_b}, medical_markers={**medical_a, **medical_b},
        b_markers={m for ms in [*students_b.values(), *medical_b.values()] for m in ms} | users_b | {b_name},
        user_markers=users_a | users_b | {root_person[1], root_email},
        origin_a=origin_a, snapshot_sql=_snapshot_sql(),
    )
    for number, caller in enumerate(CALLERS):
        world.passwords[caller] = root_password if caller.startswith("super_admin") else TEST_PASSWORD
        world.cookies[caller] = sign_in_as(world, caller, ip=f"10.8.{number}.1")
    yield world
    browser.close()
    for school in (a, b, c):
        delete_school(school)


def sign_in_as(world: World, caller: str, ip: str) -> dict[str, str]:
    if caller == "anonymous":
        return {}
    email = world.people[caller][2]
    origin = {"other_admin": f"http://{world.b.subdomain}.localhost:3000", "super_admin": world.origin_platform}.get(caller, world.origin(caller))
    return _sign_in(world.browser, origin, email, world.passwords[caller], ip)


# --- one call ----------------------------------------------------------------------------------

REFUSAL = re.compile(r"You do not have (permission|access)")


def _filled(value: Any, values: Mapping[str, str]) -> Any:
    if isinstance(value, str):
        return value.format(**values) if "{" in value else value
    if isinstance(value, bytes):
        return value.replace(b"{uniq}", values["uniq"].encode())
    if isinstance(value, Mapping):
        return {_filled(k, values): _filled(v, values) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_filled(v, values) for v in value)
    return value


@dataclass
class Call:
    world: World
    key: str
    caller: str
    variant: Variant
    admitted: bool
    tab: Tab = field(init=False)


def visible(world: World, caller: str) -> tuple[set[str], set[str]]:
    """The students whose record, and whose medical notes, `caller` may see (school A), read
    from the rows as they are now: a teacher's classes and the class they lead, a parent's
    children, a student's own record, all for the admin."""
    if caller == "school_admin":
        return set(world.student_markers), set(world.medical_markers)
    if caller not in SCHOOL_ROLES or caller == "staff":
        return set(), set()
    user_id = uuid.UUID(world.people[caller][0])
    with db.owner_session() as session:
        if caller == "teacher":
            taught = set(session.exec(select(TeachingAssignment.class_id).where(TeachingAssignment.teacher_id == user_id)).all())
            led = set(session.exec(select(SchoolClass.id).where(SchoolClass.class_teacher_id == user_id)).all())
            enrolments = session.exec(select(Enrolment).where(col(Enrolment.class_id).in_(taught | led or {uuid.UUID(int=0)}))).all()
            return {str(e.student_id) for e in enrolments}, {str(e.student_id) for e in enrolments if e.class_id in led}
        if caller == "parent":
            children = session.exec(
                select(StudentGuardian.student_id).join(Guardian, col(Guardian.id) == StudentGuardian.guardian_id).where(Guardian.user_id == user_id)
            ).all()
            return {str(s) for s in children}, set()
        own = session.exec(select(Student.id).where(Student.user_id == user_id)).all()
        return {str(s) for s in own}, set()


def forbidden(world: World, caller: str, admitted: bool) -> set[str]:
    """What `caller` must never receive from this call. Refused: anything of anybody but
    themselves. Admitted: school B's data, and the students (and medical notes) outside
    what their role may see; at the root domain, no student record at all."""
    own = {world.people[caller][1], world.people[caller][2]} if caller in world.people else set()
    everything = world.b_markers | world.user_markers | {m for ms in [*world.student_markers.values(), *world.medical_markers.values()] for m in ms}
    if not admitted:
        return everything - own
    if caller in ON_PLATFORM:
        return {m for ms in [*world.student_markers.values(), *world.medical_markers.values()] for m in ms}
    records, medical = visible(world, caller)
    hidden = {m for sid, ms in world.student_markers.items() if sid not in records for m in ms}
    hidden |= {m for sid, ms in world.medical_markers.items() if sid not in medical for m in ms}
    # A guardian of two children is seen with the one the caller may see.
    shown = {m for sid, ms in world.student_markers.items() if sid in records for m in ms}
    return (world.b_markers | hidden) - shown - own


def run_call(world: World, key: str, caller: str, variant: Variant) -> Call:
    state, name = app_and_handlers()[1][key]
    assert key in ADMITS, f"{key} is not in ADMITS: add it, with the callers it admits"
    admits = variant.admits if variant.admits is not None else ADMITS[key]
    admitted = caller in admits
    call = Call(world, key, caller, variant, admitted)
    values = {**world.ids, "uniq": uuid.uuid4().hex[:8], "me": world.people.get(caller, ("",))[0], "password": world.passwords.get(caller, "")}
    cookies = world.cookies[caller]
    ip = f"10.9.{CALLERS.index(caller)}.{uuid.uuid4().int % 250 + 1}"
    if variant.fresh_sign_in and caller != "anonymous":
        cookies = sign_in_as(world, caller, ip)
    payload = variant.payload if admitted or variant.refused_payload is None else variant.refused_payload
    before = variant.before if admitted or variant.refused_before is None else variant.refused_before
    page = _filled(variant.page, values)

    checks_writes = not admitted or variant.hostile
    snapshot_before = snapshot(world) if checks_writes else None
    tab = call.tab = world.browser.connect(origin=world.origin(caller), ip=ip, page=page, cookies=cookies)
    # Opening the page ran its own on_load handlers (tested as handlers themselves): what they
    # showed is held to what the caller may see at all; what follows, to this call's row.
    opened = len(tab.updates)
    for step in before:
        step_state, step_name = app_and_handlers()[1][step.handler]
        if step.upload is not None:
            tab.upload(event_name(step_state, step_name), list(_filled(step.upload, values)))
        else:
            tab.send(event_name(step_state, step_name), _filled(step.payload, values))
    asked = len(tab.updates)
    if variant.upload is not None:
        tab.upload(event_name(state, name), list(_filled(variant.upload, values)))
    else:
        tab.send(event_name(state, name), _filled(payload, values))
    world.counts["calls"] += 1

    where = f"{key} [{variant.label}] as {caller}"
    if variant.raises:
        assert all(isinstance(e, AttributeError) for e in tab.errors), f"{where}: {tab.errors!r}"
    else:
        assert not tab.errors, f"{where} raised: {tab.errors!r}"
    # What the caller sent they knew already (a search for an email shows the email).
    sent = repr(_filled([page, payload, *[(step.payload, step.upload) for step in before]], values))
    on_open = tab.text(tab.updates[:opened])
    leaked = sorted(m for m in forbidden(world, caller, True) if m in on_open and m not in sent)
    assert not leaked, f"{where}: opening {page} showed data the caller may not see: {leaked}"
    answered = tab.text(tab.updates[opened:])
    leaked = sorted(m for m in forbidden(world, caller, admitted) if m in answered and m not in sent)
    assert not leaked, f"{where}: received data the caller may not see: {leaked}"
    refused_toast = bool(REFUSAL.search(tab.text(tab.updates[asked:])))  # the handler's own answer
    if checks_writes:
        changed = sorted(t for t, v in snapshot(world).items() if snapshot_before and snapshot_before.get(t) != v)
        assert not changed, f"{where}: {'a hostile call' if admitted else 'a refused caller'} changed {changed}"
        world.counts["hostile" if admitted else "refusals"] += 1
    # (`setvar` drops what the setter it reaches returns: no toast comes back through it.)
    if not admitted and caller in VALID_HERE and name != "setvar":
        assert refused_toast, f"{where}: the table refuses this caller, but the handler let them through (no refusal)"
    if admitted and not variant.hostile and admits is not EVERYONE:
        assert not refused_toast, f"{where}: the table admits this caller, but the handler refused them"
    if variant.check is not None:
        variant.check(call)
    return call


# --- the tests ---------------------------------------------------------------------------------


def test_every_handler_is_in_the_table() -> None:
    found, listed = set(discovered()), set(ADMITS)
    assert not found - listed, f"handlers missing from ADMITS (say who may call them): {sorted(found - listed)}"
    assert not listed - found, f"ADMITS names handlers that no longer exist: {sorted(listed - found)}"
    assert not set(ARGS) - found, f"ARGS names handlers that no longer exist: {sorted(set(ARGS) - found)}"
    assert found >= FRAMEWORK, "Reflex's own handlers changed: review FRAMEWORK"


@pytest.mark.parametrize("key", discovered())
def test_handler_admits_only_its_callers(world: World, key: str) -> None:
    for variant in variants(key):
        for caller in CALLERS:
            run_call(world, key, caller, variant)


def test_counts(world: World) -> None:
    """The size of what was proven (runs last: the handler tests filled the counts)."""
    handlers = len(discovered())
    if world.counts["calls"] < handlers * len(CALLERS):
        pytest.skip("the counts need the whole file run")
    print(f"\nhandlers discovered: {handlers}, callers: {len(CALLERS)}, calls made: {world.counts['calls']}, "
          f"refusals proven: {world.counts['refusals']}, hostile calls proven: {world.counts['hostile']}")


# --- §4: the host decides, on every event --------------------------------------------------------


def test_a_tab_reconnected_with_another_schools_host_gets_nothing_of_the_first(world: World) -> None:
    student_list, users = state_named("StudentListState"), state_named("UserAdminState")
    tab = world.browser.connect(origin=world.origin_a, ip="10.7.0.1", cookies=world.cookies["school_admin"])
    tab.send(event_name(student_list, "load"))
    tab.send(event_name(users, "load_users"))
    assert tab.value(student_list, "rows") and tab.value(users, "rows")  # A's lists, loaded in this tab
    before = snapshot(world)
    # The same tab (token, state, A's cookies) over a connection from school B's origin, on a
    # path with no on_load: nothing but the events themselves resolves the host.
    again = world.browser.connect(origin=f"http://{world.b.subdomain}.localhost:3000", ip="10.7.0.1", token=tab.token, page="/no-such-page", cookies=world.cookies["school_admin"])
    # The reconnect's hydrate sends the tab back what it already held; what counts is what its
    # events load now.
    again.clear()
    for handler in (event_name(student_list, "load"), event_name(users, "load_users"), event_name(student_list, "next_page")):
        again.send(handler)
    assert not again.errors
    assert again.value(student_list, "rows") == [] and again.value(users, "rows") == []
    received = again.text()
    a_people = {m for ms in world.student_markers.values() for m in ms} | world.user_markers
    assert [m for m in a_people if m in received and m not in world.b_markers] == [], "school A's data served on school B's host"
    assert snapshot(world) == before


def test_a_suspended_schools_signed_in_user_is_refused_on_their_next_event(world: World) -> None:
    school = make_school("handlers-suspended")
    try:
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=3)
            session.commit()
        origin = f"http://{school.subdomain}.localhost:3000"
        cookies = _sign_in(world.browser, origin, f"school_admin@{school.subdomain}.test", TEST_PASSWORD, "10.7.1.1")
        student_list = state_named("StudentListState")
        tab = world.browser.connect(origin=origin, ip="10.7.1.1", cookies=cookies)
        tab.send(event_name(student_list, "load"))
        assert tab.value(student_list, "rows"), "the admin sees the school's students while it is active"
        tab.clear()

        root = world.people["super_admin_at_platform"]
        actor = CurrentUser(id=uuid.UUID(root[0]), school_id=None, email=root[2], full_name=root[1], role="super_admin", family_id=uuid.UUID(root[0]))
        schools.set_school_status(actor=actor, school_id=school.id, status=SchoolStatus.suspended, ip="203.0.113.9")

        before = snapshot(world)
        tab.send(event_name(student_list, "load"))  # the same tab, its next event
        tab.send(event_name(student_list, "add_student"), {"form": _filled(STUDENT_FORM, {"uniq": "susp1"})})
        assert not tab.errors
        assert tab.value(student_list, "rows") == []
        assert tab.value(state_named("AuthState"), "user_role") in (None, "")
        after = snapshot(world)
        # Only the refresh token the refused event tried is spent (the sign-in is over): no data.
        assert [t for t in after if after[t] != before.get(t)] in ([], ["refresh_tokens"])
    finally:
        delete_school(school)
