"""The Users page: a school admin's people (searched, filtered, paged, exported), adding and
editing one at a time, deactivation and reset links; many at once through the Import page."""

import reflex as rx

from components import (
    data_table,
    empty_state,
    export_buttons,
    filter_select,
    form_error,
    form_field,
    list_footer,
    search_input,
)
from components.dialogs import RETURN_FOCUS
from components.i18n import t, t_format
from oneclass import routes
from oneclass.i18n import N_
from oneclass.services import imports
from oneclass.services.users import ROLE_LABELS
from pages.guard import signed_in_page
from state.admin_users import UserAdminState

# The filters' choices, in English (message ids): the selects show them translated.
STATUS_CHOICES = {"all": N_("All statuses"), "active": N_("Active"), "inactive": N_("Deactivated")}
SORT_CHOICES = {"name": N_("Sort by name"), "email": N_("Sort by email"), "role": N_("Sort by role"), "created": N_("Newest first")}
ROLE_CHOICES = {"all": N_("All roles"), **ROLE_LABELS}
IMPORT_USERS = f"{routes.ADMIN_IMPORT}?kind={imports.USERS}"


# --- the list -----------------------------------------------------------------------------------


def user_toolbar() -> rx.Component:
    return rx.hstack(
        search_input(
            UserAdminState.search, UserAdminState.set_search, placeholder=t("Search by name or email"), label=t("Search users")
        ),
        filter_select(
            ROLE_CHOICES, label=t("Filter by role"), value=UserAdminState.role_filter, on_change=UserAdminState.set_role_filter,
        ),
        filter_select(
            STATUS_CHOICES, label=t("Filter by status"),
            value=UserAdminState.status_filter, on_change=UserAdminState.set_status_filter,
        ),
        filter_select(SORT_CHOICES, label=t("Sort users"), value=UserAdminState.sort, on_change=UserAdminState.set_sort),
        rx.spacer(),
        export_buttons(UserAdminState),
        rx.link(
            rx.button(rx.icon("file-up", size=16, aria_hidden="true"), t("Import users"), variant="soft"),
            href=IMPORT_USERS,
        ),
        rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), t("Add user"), on_click=UserAdminState.open_new_user),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def status_badge(active: rx.Var) -> rx.Component:
    return rx.cond(active, rx.badge(t("Active"), color_scheme="green"), rx.badge(t("Deactivated"), color_scheme="gray"))


def row_actions(row: rx.Var) -> rx.Component:
    name = row["full_name"].to(str)
    return rx.hstack(
        rx.button(
            t("Edit"), size="1", variant="soft", aria_label=t_format("Edit {name}", name=name),
            on_click=UserAdminState.open_edit(row["id"]),
        ),
        rx.button(
            t("Reset password"), size="1", variant="soft", aria_label=t_format("Reset password for {name}", name=name),
            on_click=UserAdminState.issue_reset_link(row["id"], name),
        ),
        two_step_reset(row["id"], name),
        rx.cond(
            row["active"],
            rx.button(
                t("Deactivate"), size="1", variant="soft", color_scheme="red", aria_label=t_format("Deactivate {name}", name=name),
                on_click=UserAdminState.ask_active_change(row["id"], name, False),
            ),
            rx.button(
                t("Reactivate"), size="1", variant="soft", color_scheme="green", aria_label=t_format("Reactivate {name}", name=name),
                on_click=UserAdminState.ask_active_change(row["id"], name, True),
            ),
        ),
        spacing="2",
    )


def two_step_reset(user_id: rx.Var, name: rx.Var) -> rx.Component:
    """A button that asks first, then turns off a user's two-step sign-in (a lost phone)."""
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                t("Reset two-step"), size="1", variant="soft", color_scheme="amber",
                aria_label=t_format("Reset two-step sign-in for {name}", name=name),
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t_format("Reset two-step sign-in for {name}?", name=name)),
            rx.alert_dialog.description(
                t(
                    "Their authenticator app and recovery codes stop working and they are signed out everywhere. "
                    "They sign in with their password and set up two-step sign-in again."
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(t("Reset two-step"), color_scheme="amber", on_click=UserAdminState.reset_two_step(user_id)),
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
        rx.table.cell(t(row["role_label"])),
        rx.table.cell(status_badge(row["active"])),
        rx.table.cell(row["created"]),
        rx.table.cell(row_actions(row)),
        align="center",
    )


def users_empty() -> rx.Component:
    return rx.cond(
        UserAdminState.is_filtered,
        empty_state("search-x", t("No users match"), t("Try another search, role or status.")),
        empty_state("users", t("No users yet"), t("Add your school's people one at a time, or import a file of them.")),
    )


def users_list() -> rx.Component:
    return rx.vstack(
        data_table(
            [t("Name"), t("Email"), t("Role"), t("Status"), t("Added"), t("Actions")],
            UserAdminState.rows,
            user_row,
            empty=users_empty(),
            label=t("Users"),
        ),
        list_footer(
            UserAdminState.total, t("users"), UserAdminState.page, UserAdminState.page_count,
            UserAdminState.previous_page, UserAdminState.next_page,
            summary=t_format("{count} users", count=UserAdminState.total),
        ),
        spacing="3",
        width="100%",
    )


# --- dialogs -------------------------------------------------------------------------


def role_field() -> rx.Component:
    return rx.vstack(
        rx.el.label(t("Role"), html_for="field-role", style={"fontWeight": "500", "fontSize": "var(--font-size-2)"}),
        rx.select.root(
            rx.select.trigger(id="field-role", width="100%"),
            rx.select.content(*[rx.select.item(t(text), value=key) for key, text in ROLE_LABELS.items()]),
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
            form_field(t("Full name"), "full_name", default_value=UserAdminState.form_full_name, error=UserAdminState.full_name_error),
            form_field(t("Email"), "email", type_="email", default_value=UserAdminState.form_email, error=UserAdminState.email_error),
            role_field(),
            rx.cond(
                is_new,
                rx.vstack(
                    form_field(
                        t("Initial password (optional)"), "password", type_="password", auto_complete="new-password",
                        required=False, error=UserAdminState.password_error,
                    ),
                    rx.text(
                        t("Leave it empty and use “Reset password” to send them a link instead."),
                        size="1", color="var(--gray-11)",
                    ),
                    spacing="1",
                    width="100%",
                ),
            ),
            rx.hstack(
                rx.dialog.close(rx.button(t("Cancel"), type="button", variant="soft", color_scheme="gray")),
                rx.button(rx.cond(is_new, t("Add user"), t("Save changes")), type="submit"),
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
            rx.dialog.title(rx.cond(UserAdminState.editing_id == "", t("Add user"), t("Edit user"))),
            rx.dialog.description(t("People sign in with their email address."), size="2", margin_bottom="var(--space-3)"),
            user_form(),
            max_width="30em",
            **RETURN_FOCUS,
        ),
        open=UserAdminState.editor_open,
        on_open_change=UserAdminState.set_editor_open,
    )


def active_confirmation() -> rx.Component:
    activate, name = UserAdminState.confirm_activate, UserAdminState.confirm_name
    return rx.alert_dialog.root(
        rx.alert_dialog.content(
            rx.alert_dialog.title(
                rx.cond(activate, t_format("Reactivate {name}?", name=name), t_format("Deactivate {name}?", name=name))
            ),
            rx.alert_dialog.description(
                rx.cond(
                    activate,
                    t("They will be able to sign in again."),
                    t("They are signed out everywhere at once and cannot sign in until reactivated. Nothing is deleted."),
                ),
                size="2",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("Cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(
                    rx.button(
                        rx.cond(activate, t("Reactivate"), t("Deactivate")),
                        color_scheme=rx.cond(activate, "green", "red"),
                        on_click=UserAdminState.confirm_active_change,
                    )
                ),
                justify="end",
                spacing="3",
                margin_top="var(--space-4)",
            ),
            max_width="28em",
            **RETURN_FOCUS,
        ),
        open=UserAdminState.confirm_open,
        on_open_change=UserAdminState.set_confirm_open,
    )


def reset_link_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t_format("Password reset link for {name}", name=UserAdminState.reset_name)),
            rx.dialog.description(
                t("Give this link to them privately. It works once, for 24 hours, and is not shown again."),
                size="2",
            ),
            rx.vstack(
                rx.input(value=UserAdminState.reset_link, read_only=True, aria_label=t("Reset link"), width="100%"),
                rx.hstack(
                    rx.button(
                        rx.icon("copy", size=16, aria_hidden="true"), t("Copy link"), variant="soft",
                        on_click=[rx.set_clipboard(UserAdminState.reset_link), rx.toast.success(t("Link copied."))],
                    ),
                    rx.dialog.close(rx.button(t("Done"))),
                    justify="end",
                    spacing="3",
                    width="100%",
                ),
                spacing="3",
                margin_top="var(--space-3)",
            ),
            max_width="36em",
            **RETURN_FOCUS,
        ),
        open=UserAdminState.reset_open,
        on_open_change=UserAdminState.set_reset_open,
    )



@signed_in_page(routes.ADMIN_USERS, "Users", permission="users.read", on_load=UserAdminState.load_users)
def admin_users() -> rx.Component:
    return rx.vstack(
        user_toolbar(),
        users_list(),
        user_editor(),
        active_confirmation(),
        reset_link_dialog(),
        spacing="5",
        width="100%",
    )
