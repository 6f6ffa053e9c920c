"""The audit log page: the school's trail for its admin, filtered, paged and exported."""

import reflex as rx

from components import (
    data_table,
    empty_state,
    export_buttons,
    filter_select,
    form_field,
    pagination,
)
from oneclass import routes
from pages.guard import signed_in_page
from state.admin_audit import ACTION_CHOICES, AuditLogState


def audit_filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text("Action", size="2", weight="medium"),
            filter_select(
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
