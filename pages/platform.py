"""The platform's administration at the root domain: the schools and the platform audit log."""

import reflex as rx

from components import (
    confirm_dialog,
    data_table,
    empty_state,
    export_buttons,
    filter_select,
    form_dialog,
    form_error,
    form_field,
    list_footer,
    search_input,
    select_field,
)
from components.i18n import t, t_format
from oneclass import i18n, routes
from oneclass.i18n import N_
from pages.guard import signed_in_page
from state.platform import ALL_STATUSES, AUDIT_PERMISSION, SCHOOLS_PERMISSION, PlatformAuditState, PlatformSchoolsState

# Choices and headings in English (message ids): shown translated.
LEVELS = {"primary": N_("Primary"), "secondary": N_("Secondary"), "combined": N_("Primary and secondary")}
CURRENCIES = {"USD": "USD", "ZiG": "ZiG"}
STATUS_FILTERS = {ALL_STATUSES: N_("All statuses"), "active": N_("Active"), "suspended": N_("Suspended")}
SCHOOL_HEADERS = [N_("School"), N_("Subdomain"), N_("Level"), N_("Currency"), N_("Status"), N_("Created"), N_("Actions")]
EVENT_HEADERS = [N_("When"), N_("School"), N_("Actor"), N_("Action"), N_("Target"), N_("IP address")]
AUDIT_FILTER_FIELDS = ("action", "actor", "date_from", "date_to")


# --- the schools ------------------------------------------------------------------------------


def new_school_button() -> rx.Component:
    return rx.button(
        rx.icon("plus", size=16, aria_hidden="true"),
        t("New school"),
        on_click=PlatformSchoolsState.set_create_open(True),
    )


def new_school_dialog() -> rx.Component:
    errors = PlatformSchoolsState.create_errors
    return form_dialog(
        t("New school"),
        t("The school and its first administrator, who signs in at the school's own address."),
        form_field(t("School name"), "name", placeholder="Mutare High School", error=errors.get("name", "")),
        form_field(t("Subdomain"), "subdomain", placeholder="mutare-high", error=errors.get("subdomain", "")),
        rx.text(
            t_format(
                "Lowercase letters, digits and hyphens: the school's address will be <subdomain>{suffix}",
                suffix=PlatformSchoolsState.address_suffix,
            ),
            size="1",
            color="var(--gray-11)",
        ),
        rx.hstack(
            select_field(t("Level"), "level", LEVELS, default_value="primary", error=errors.get("level", "")),
            select_field(t("Currency"), "currency", CURRENCIES, default_value="USD", error=errors.get("currency", ""), translate=False),
            spacing="3",
            width="100%",
        ),
        select_field(
            t("Language"), "language", i18n.LANGUAGES, default_value=i18n.DEFAULT_LANGUAGE,
            error=errors.get("language", ""), translate=False,  # each language named in itself
        ),
        rx.heading(t("First administrator"), as_="h3", size="3"),
        form_field(t("Admin full name"), "admin_name", auto_complete="off", error=errors.get("admin_name", "")),
        form_field(t("Admin email"), "admin_email", type_="email", auto_complete="off", error=errors.get("admin_email", "")),
        form_field(
            t("Admin password"),
            "admin_password",
            type_="password",
            auto_complete="new-password",
            error=errors.get("admin_password", ""),
        ),
        rx.text(t("At least 10 characters; not a common password."), size="1", color="var(--gray-11)"),
        submit_label=t("Create school"),
        on_submit=PlatformSchoolsState.create_school,
        open=PlatformSchoolsState.create_open,
        on_open_change=PlatformSchoolsState.set_create_open,
        error=errors.get("form", ""),
        max_width="34em",
    )


def status_badge(status: rx.Var) -> rx.Component:
    return rx.cond(
        status == "active",
        rx.badge(t("Active"), color_scheme="green"),
        rx.badge(t("Suspended"), color_scheme="amber"),
    )


def status_button(row: rx.Var) -> rx.Component:
    """Suspend an active school, reactivate a suspended one; either asks for confirmation."""
    name = row["name"].to(str)
    ask = PlatformSchoolsState.ask_status_change(row["id"])
    return rx.cond(
        row["status"] == "active",
        rx.button(t("Suspend"), size="1", variant="soft", color_scheme="red", on_click=ask, aria_label=t_format("Suspend {name}", name=name)),
        rx.button(t("Reactivate"), size="1", variant="soft", on_click=ask, aria_label=t_format("Reactivate {name}", name=name)),
    )


def school_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["name"]),
        rx.table.cell(rx.code(row["subdomain"])),
        rx.table.cell(rx.match(row["level"], *[(level, t(label)) for level, label in LEVELS.items()], row["level"])),
        rx.table.cell(row["currency"]),
        rx.table.cell(status_badge(row["status"])),
        rx.table.cell(row["created"]),
        rx.table.cell(status_button(row)),
        align="center",
    )


def status_confirmation() -> rx.Component:
    suspend, name = PlatformSchoolsState.confirm_suspend, PlatformSchoolsState.confirm_name
    return confirm_dialog(
        rx.cond(suspend, t_format("Suspend {name}?", name=name), t_format("Reactivate {name}?", name=name)),
        rx.cond(
            suspend,
            t(
                "Its users are refused at sign-in, and signed-in users lose access, until you reactivate it. "
                "Nothing is deleted."
            ),
            t("Its users can sign in again straight away."),
        ),
        confirm_label=rx.cond(suspend, t("Suspend school"), t("Reactivate school")),
        on_confirm=PlatformSchoolsState.confirm_status_change,
        open=PlatformSchoolsState.confirm_open,
        on_open_change=PlatformSchoolsState.set_confirm_open,
        color_scheme=rx.cond(suspend, "red", "teal"),
    )


def school_filters() -> rx.Component:
    """Search (as typing pauses) and the status filter, then the way to add a school."""
    return rx.hstack(
        search_input(
            PlatformSchoolsState.search,
            PlatformSchoolsState.set_search,
            placeholder=t("Name or subdomain"),
            label=t("Search schools"),
        ),
        filter_select(
            STATUS_FILTERS,
            label=t("Status"),
            value=PlatformSchoolsState.status_filter,
            on_change=PlatformSchoolsState.filter_status,
        ),
        rx.spacer(),
        export_buttons(PlatformSchoolsState),
        new_school_button(),
        wrap="wrap",
        spacing="3",
        align="center",
        width="100%",
    )


def no_schools() -> rx.Component:
    return rx.cond(
        PlatformSchoolsState.is_filtered,
        empty_state("search-x", t("No schools match"), t("Try another search, or show all statuses.")),
        empty_state("building-2", t("No schools yet"), t("Create the first school and its administrator."), new_school_button()),
    )


@signed_in_page(routes.PLATFORM_SCHOOLS, "Schools", permission=SCHOOLS_PERMISSION, on_load=PlatformSchoolsState.load_schools)
def platform_schools() -> rx.Component:
    return rx.vstack(
        school_filters(),
        data_table(
            [t(header) for header in SCHOOL_HEADERS], PlatformSchoolsState.rows, school_row, empty=no_schools(), label=t("Schools")
        ),
        list_footer(
            PlatformSchoolsState.total,
            t("schools"),
            PlatformSchoolsState.page,
            PlatformSchoolsState.page_count,
            PlatformSchoolsState.previous_page,
            PlatformSchoolsState.next_page,
            summary=t_format("{count} schools", count=PlatformSchoolsState.total),
        ),
        new_school_dialog(),
        status_confirmation(),
        spacing="4",
        width="100%",
    )


# --- the platform audit log -------------------------------------------------------------------


def clear_audit_filters() -> list[rx.event.EventType[()]]:
    """Empty the (uncontrolled) inputs in the browser, then drop the filters in the state."""
    return [*[rx.set_value(f"field-{name}", "") for name in AUDIT_FILTER_FIELDS], PlatformAuditState.clear_filters]


def audit_filters() -> rx.Component:
    return rx.form(
        rx.vstack(
            form_error(PlatformAuditState.filter_error),
            rx.grid(
                form_field(t("Action starts with"), "action", placeholder="sign_in", required=False),
                form_field(t("Actor email"), "actor", placeholder="name@school.test", required=False),
                form_field(t("From"), "date_from", type_="date", required=False),
                form_field(t("To"), "date_to", type_="date", required=False),
                columns=rx.breakpoints(initial="1", sm="2", md="4"),
                spacing="3",
                width="100%",
            ),
            rx.hstack(
                rx.button(t("Apply filters"), type="submit"),
                rx.button(t("Clear"), type="button", variant="soft", color_scheme="gray", on_click=clear_audit_filters()),
                rx.spacer(),
                export_buttons(PlatformAuditState),
                spacing="3",
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        on_submit=PlatformAuditState.apply_filters,
        width="100%",
    )


def action_cell(event: rx.Var) -> rx.Component:
    """What happened, in the reader's language, above the action as it was recorded."""
    label = event["action_label"].to(str)
    return rx.vstack(rx.cond(label != "", rx.text(t(label), size="2")), rx.code(event["action"], size="1"), spacing="1")


def event_row(event: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["when"], white_space="nowrap"),
        rx.table.cell(event["school"]),
        rx.table.cell(event["actor"]),
        rx.table.cell(action_cell(event)),
        rx.table.cell(event["target"]),
        rx.table.cell(event["ip"]),
    )


@signed_in_page(routes.PLATFORM_AUDIT, "Platform audit log", permission=AUDIT_PERMISSION, on_load=PlatformAuditState.load_events)
def platform_audit() -> rx.Component:
    return rx.vstack(
        audit_filters(),
        data_table(
            [t(header) for header in EVENT_HEADERS],
            PlatformAuditState.events,
            event_row,
            empty=empty_state("scroll-text", t("No events"), t("Nothing in any school's trail matches these filters.")),
            label=t("Audit events"),
        ),
        list_footer(
            PlatformAuditState.total,
            t("events"),
            PlatformAuditState.page,
            PlatformAuditState.page_count,
            PlatformAuditState.previous_page,
            PlatformAuditState.next_page,
            summary=t_format("{count} events", count=PlatformAuditState.total),
        ),
        spacing="4",
        width="100%",
    )
