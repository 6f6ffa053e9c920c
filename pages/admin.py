"""School administration on the school's host: users, the audit log and school settings."""

import reflex as rx

from components import data_table, empty_state, export_buttons, form_error, form_field, pagination
from oneclass import routes
from oneclass.services.users import CSV_MAX_BYTES, ROLE_LABELS
from pages.guard import signed_in_page
from state.admin_audit import ACTION_CHOICES, AuditLogState
from state.admin_users import CSV_UPLOAD_ID, UserAdminState
from state.school_settings import SchoolSettingsState

STATUS_CHOICES = {"all": "All statuses", "active": "Active", "inactive": "Deactivated"}
SORT_CHOICES = {"name": "Sort by name", "email": "Sort by email", "role": "Sort by role", "created": "Newest first"}


def choice_select(
    choices: dict[str, str], *, label: str, value: rx.Var | None = None, on_change: rx.EventHandler | None = None, **props: object
) -> rx.Component:
    """A select of `choices` (value: label); `label` names it for screen readers and tests."""
    return rx.select.root(
        rx.select.trigger(aria_label=label, **props),
        rx.select.content(*[rx.select.item(text, value=key) for key, text in choices.items()]),
        **({"value": value, "on_change": on_change} if value is not None else {}),
    )


# --- users: the list ------------------------------------------------------------------------


def user_toolbar() -> rx.Component:
    return rx.hstack(
        rx.input(
            rx.input.slot(rx.icon("search", size=16, aria_hidden="true")),
            value=UserAdminState.search,
            on_change=UserAdminState.set_search,
            debounce_timeout=300,
            type="search",
            placeholder="Search by name or email",
            aria_label="Search users",
            min_width="16em",
        ),
        choice_select(
            {"all": "All roles", **ROLE_LABELS}, label="Filter by role",
            value=UserAdminState.role_filter, on_change=UserAdminState.set_role_filter,
        ),
        choice_select(
            STATUS_CHOICES, label="Filter by status",
            value=UserAdminState.status_filter, on_change=UserAdminState.set_status_filter,
        ),
        choice_select(SORT_CHOICES, label="Sort users", value=UserAdminState.sort, on_change=UserAdminState.set_sort),
        rx.spacer(),
        export_buttons(UserAdminState),
        rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), "Add user", on_click=UserAdminState.open_new_user),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def status_badge(active: rx.Var) -> rx.Component:
    return rx.cond(active, rx.badge("Active", color_scheme="green"), rx.badge("Deactivated", color_scheme="gray"))


def row_actions(row: rx.Var) -> rx.Component:
    name = row["full_name"].to(str)
    return rx.hstack(
        rx.button("Edit", size="1", variant="soft", aria_label="Edit " + name, on_click=UserAdminState.open_edit(row["id"])),
        rx.button(
            "Reset password", size="1", variant="soft", aria_label="Reset password for " + name,
            on_click=UserAdminState.issue_reset_link(row["id"], name),
        ),
        two_step_reset(row["id"], name),
        rx.cond(
            row["active"],
            rx.button(
                "Deactivate", size="1", variant="soft", color_scheme="red", aria_label="Deactivate " + name,
                on_click=UserAdminState.ask_active_change(row["id"], name, False),
            ),
            rx.button(
                "Reactivate", size="1", variant="soft", color_scheme="green", aria_label="Reactivate " + name,
                on_click=UserAdminState.ask_active_change(row["id"], name, True),
            ),
        ),
        spacing="2",
    )


def two_step_reset(user_id: rx.Var, name: rx.Var) -> rx.Component:
    """A button that asks first, then turns off a user's two-step sign-in (a lost phone)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button("Reset two-step", size="1", variant="soft", color_scheme="amber", aria_label="Reset two-step sign-in for " + name),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Reset two-step sign-in for ", name, "?"),
            rx.alert_dialog.description(
                "Their authenticator app and recovery codes stop working and they are signed out everywhere. "
                "They sign in with their password and set up two-step sign-in again.",
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button("Reset two-step", color_scheme="amber", on_click=UserAdminState.reset_two_step(user_id)),
                ),
                justify="end",
                spacing="3",
                margin_top="var(--space-4)",
            ),
            max_width="28em",
        ),
    )


def user_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["full_name"]),
        rx.table.cell(row["email"]),
        rx.table.cell(row["role_label"]),
        rx.table.cell(status_badge(row["active"])),
        rx.table.cell(row["created"]),
        rx.table.cell(row_actions(row)),
        align="center",
    )


def users_empty() -> rx.Component:
    return rx.cond(
        UserAdminState.is_filtered,
        empty_state("search-x", "No users match", "Try another search, role or status."),
        empty_state("users", "No users yet", "Add your school's people one at a time, or import a CSV file below."),
    )


def users_list() -> rx.Component:
    return rx.vstack(
        data_table(
            ["Name", "Email", "Role", "Status", "Added", "Actions"],
            UserAdminState.rows,
            user_row,
            empty=users_empty(),
            label="Users",
        ),
        rx.cond(
            UserAdminState.total > 0,
            rx.hstack(
                rx.text(UserAdminState.total, " users", size="2", color="var(--gray-11)", white_space="nowrap"),
                pagination(UserAdminState.page, UserAdminState.page_count, UserAdminState.previous_page, UserAdminState.next_page),
                align="center",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


# --- users: dialogs -------------------------------------------------------------------------


def role_field() -> rx.Component:
    return rx.vstack(
        rx.el.label("Role", html_for="field-role", style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
        rx.select.root(
            rx.select.trigger(id="field-role", width="100%"),
            rx.select.content(*[rx.select.item(text, value=key) for key, text in ROLE_LABELS.items()]),
            name="role",
            default_value=UserAdminState.form_role,
            size="3",
        ),
        rx.cond(UserAdminState.role_error != "", rx.text(UserAdminState.role_error, color="var(--red-11)", size="2", role="alert")),
        spacing="1",
        width="100%",
    )


def user_form() -> rx.Component:
    is_new = UserAdminState.editing_id == ""
    return rx.form(
        rx.vstack(
            form_error(UserAdminState.form_error),
            form_field("Full name", "full_name", default_value=UserAdminState.form_full_name, error=UserAdminState.full_name_error),
            form_field("Email", "email", type_="email", default_value=UserAdminState.form_email, error=UserAdminState.email_error),
            role_field(),
            rx.cond(
                is_new,
                rx.vstack(
                    form_field(
                        "Initial password (optional)", "password", type_="password", auto_complete="new-password",
                        required=False, error=UserAdminState.password_error,
                    ),
                    rx.text(
                        "Leave it empty and use “Reset password” to send them a link instead.",
                        size="1", color="var(--gray-11)",
                    ),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button("Cancel", type="button", variant="soft", color_scheme="gray")),
                rx.button(rx.cond(is_new, "Add user", "Save changes"), type="submit"),
                justify="end",
                spacing="3",
                width="100%",
            ),
            spacing="4",
            width="100%",
        ),
        on_submit=UserAdminState.save_user,
        width="100%",
    )


def user_editor() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(UserAdminState.editing_id == "", "Add user", "Edit user")),
            rx.dialog.description("People sign in with their email address.", size="2", margin_bottom="var(--space-3)"),
            user_form(),
            max_width="30em",
        ),
        open=UserAdminState.editor_open,
        on_open_change=UserAdminState.set_editor_open,
    )


def active_confirmation() -> rx.Component:
    activate = UserAdminState.confirm_activate
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(rx.cond(activate, "Reactivate ", "Deactivate "), UserAdminState.confirm_name, "?"),
            rx.alert_dialog.description(
                rx.cond(
                    activate,
                    "They will be able to sign in again.",
                    "They are signed out everywhere at once and cannot sign in until reactivated. Nothing is deleted.",
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(activate, "Reactivate", "Deactivate"),
                        color_scheme=rx.cond(activate, "green", "red"),
                        on_click=UserAdminState.confirm_active_change,
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="var(--space-4)",
            ),
            max_width="28em",
        ),
        open=UserAdminState.confirm_open,
        on_open_change=UserAdminState.set_confirm_open,
    )


def reset_link_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title("Password reset link for ", UserAdminState.reset_name),
            rx.dialog.description(
                "Give this link to them privately. It works once, for 24 hours, and is not shown again.",
                size="2",
            ),
            rx.vstack(
                rx.input(value=UserAdminState.reset_link, read_only=True, aria_label="Reset link", width="100%"),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=16, aria_hidden="true"), "Copy link", variant="soft",
                        on_click=[rx.set_clipboard(UserAdminState.reset_link), rx.toast.success("Link copied.")],
                    ),
                    rx.dialog.close(rx.button("Done")),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                margin_top="var(--space-3)",
            ),
            max_width="36em",
        ),
        open=UserAdminState.reset_open,
        on_open_change=UserAdminState.set_reset_open,
    )


# --- users: CSV import ----------------------------------------------------------------------


def csv_dropzone() -> rx.Component:
    return rx.upload(
        rx.vstack(
            rx.icon("file-up", size=28, color="var(--gray-9)", aria_hidden="true"),
            rx.text("Drag a CSV file here, or click to choose one.", size="2"),
            rx.foreach(rx.selected_files(CSV_UPLOAD_ID), lambda name: rx.badge(name, size="2")),
            align="center",
            spacing="2",
        ),
        id=CSV_UPLOAD_ID,
        accept={"text/csv": [".csv"], "application/vnd.ms-excel": [".csv"]},
        multiple=False,
        max_files=1,
        max_size=CSV_MAX_BYTES,
        on_drop_rejected=UserAdminState.csv_rejected,
        border="1px dashed var(--gray-7)",
        border_radius="var(--radius-3)",
        padding="var(--space-5)",
        width="100%",
        cursor="pointer",
    )


def csv_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["row"]),
        rx.table.cell(row["email"]),
        rx.table.cell(row["full_name"]),
        rx.table.cell(row["role"]),
        rx.table.cell(row["password"]),
        rx.table.cell(
            rx.cond(row["error"] != "", rx.text(row["error"], color="var(--red-11)", size="2"), rx.badge("Ready", color_scheme="green"))
        ),
    )


def csv_preview() -> rx.Component:
    return rx.cond(
        UserAdminState.csv_name != "",
        rx.vstack(
            rx.text(
                rx.text.strong(UserAdminState.csv_name), ": ", UserAdminState.csv_valid, " ready, ",
                UserAdminState.csv_errors, " with problems.",
            ),
            rx.foreach(
                UserAdminState.csv_problems,
                lambda problem: rx.callout(problem, icon="circle-alert", color_scheme="red", role="alert", width="100%"),
            ),
            rx.cond(
                (UserAdminState.csv_errors > 0) & (UserAdminState.csv_rows.length() > 0),
                rx.callout(
                    "Fix the rows marked below and upload the file again: nothing is imported while any row has a problem.",
                    icon="circle-alert", color_scheme="red", role="alert", width="100%",
                ),
            ),
            data_table(
                ["Row", "Email", "Full name", "Role", "Password", "Check"],
                UserAdminState.csv_rows,
                csv_row,
                empty=rx.fragment(),
                label="Import preview",
            ),
            rx.hstack(
                rx.button("Cancel", type="button", variant="soft", color_scheme="gray", on_click=UserAdminState.clear_csv),
                rx.button(
                    "Import ", UserAdminState.csv_valid, " users",
                    type="button",
                    disabled=UserAdminState.csv_errors > 0,
                    loading=UserAdminState.importing,
                    on_click=UserAdminState.import_csv,
                ),
                justify="end",
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
    )


def csv_import() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Import users from a CSV file", as_="h2", size="4"),
            rx.text(
                "The first row is the header ", rx.code("email,full_name,role"), ", optionally followed by ",
                rx.code(",password"), ". Roles: ", ", ".join(ROLE_LABELS.values()), ". At most 2 MB.",
                size="2", color="var(--gray-11)",
            ),
            csv_dropzone(),
            rx.button(
                rx.icon("upload", size=16, aria_hidden="true"), "Upload CSV",
                type="button",
                variant="soft",
                disabled=rx.selected_files(CSV_UPLOAD_ID).length() == 0,
                on_click=UserAdminState.preview_csv(rx.upload_files(upload_id=CSV_UPLOAD_ID)),
            ),
            csv_preview(),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


@signed_in_page(routes.ADMIN_USERS, "Users", permission="users.read", on_load=UserAdminState.load_users)
def admin_users() -> rx.Component:
    return rx.vstack(
        user_toolbar(),
        users_list(),
        csv_import(),
        user_editor(),
        active_confirmation(),
        reset_link_dialog(),
        spacing="5",
        width="100%",
    )


# --- audit log ------------------------------------------------------------------------------


def audit_filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text("Action", size="2", weight="medium"),
            choice_select(
                ACTION_CHOICES, label="Action", value=AuditLogState.action_filter, on_change=AuditLogState.set_action_filter,
                size="3",
            ),
            spacing="1",
        ),
        rx.form(
            rx.hstack(
                form_field("Actor email", "actor", required=False, default_value=AuditLogState.actor_filter),
                form_field("From", "since", type_="date", required=False, default_value=AuditLogState.since),
                form_field("To", "until", type_="date", required=False, default_value=AuditLogState.until),
                rx.button("Apply filters", type="submit", size="3"),
                align="end",
                spacing="3",
                wrap="wrap",
            ),
            on_submit=AuditLogState.apply_filters,
        ),
        rx.spacer(),
        export_buttons(AuditLogState),
        align="end",
        spacing="3",
        wrap="wrap",
        width="100%",
    )


def audit_row(event: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["when"], white_space="nowrap"),
        rx.table.cell(event["actor"]),
        rx.table.cell(rx.code(event["action"])),
        rx.table.cell(event["target"]),
        rx.table.cell(event["ip"]),
    )


@signed_in_page(routes.ADMIN_AUDIT, "Audit log", permission="audit.read", on_load=AuditLogState.load_events)
def admin_audit() -> rx.Component:
    return rx.vstack(
        audit_filters(),
        data_table(
            ["When (UTC)", "Who", "Action", "Target", "IP address"],
            AuditLogState.events,
            audit_row,
            empty=empty_state("scroll-text", "No events", "Nothing recorded matches these filters."),
            label="Audit log",
        ),
        rx.cond(
            AuditLogState.total > 0,
            pagination(AuditLogState.page, AuditLogState.page_count, AuditLogState.previous_page, AuditLogState.next_page),
        ),
        spacing="4",
        width="100%",
    )


# --- school settings ------------------------------------------------------------------------


@signed_in_page(routes.ADMIN_SETTINGS, "School settings", permission="school.update", on_load=SchoolSettingsState.load_settings)
def admin_settings() -> rx.Component:
    return rx.card(
        rx.vstack(
            rx.heading("Sign-in security", as_="h2", size="4"),
            rx.hstack(
                rx.switch(
                    id="require-admin-mfa",
                    checked=SchoolSettingsState.require_admin_mfa,
                    on_change=SchoolSettingsState.set_require_admin_mfa,
                ),
                rx.el.label("Require two-step sign-in for administrators", html_for="require-admin-mfa"),
                spacing="3",
                align="center",
            ),
            rx.text(
                "When this is on, every administrator must set up an authenticator app before they can use "
                "OneClass, including you.",
                size="2",
                color="var(--gray-11)",
            ),
            spacing="3",
        ),
        max_width="40em",
    )
