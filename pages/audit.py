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
from components.i18n import t
from oneclass import routes
from oneclass.i18n import N_
from pages.guard import signed_in_page
from state.admin_audit import ACTION_CHOICES, AuditLogState

HEADERS = [N_("When (UTC)"), N_("Who"), N_("Action"), N_("Target"), N_("IP address")]


def audit_filters() -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.text(t("Action"), size="2", weight="medium"),
            filter_select(
                ACTION_CHOICES, label=t("Action"), value=AuditLogState.action_filter, on_change=AuditLogState.set_action_filter,
                size="3",
            ),
            spacing="1",
        ),
        rx.form(
            rx.hstack(
                form_field(t("Actor email"), "actor", required=False, default_value=AuditLogState.actor_filter),
                form_field(t("From"), "since", type_="date", required=False, default_value=AuditLogState.since),
                form_field(t("To"), "until", type_="date", required=False, default_value=AuditLogState.until),
                rx.button(t("Apply filters"), type="submit", size="3"),
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


def action_cell(event: rx.Var) -> rx.Component:
    """What happened, in the reader's language, above the action as it was recorded."""
    label = event["action_label"].to(str)
    return rx.vstack(rx.cond(label != "", rx.text(t(label), size="2")), rx.code(event["action"], size="1"), spacing="1")


def audit_row(event: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(event["when"], white_space="nowrap"),
        rx.table.cell(event["actor"]),
        rx.table.cell(action_cell(event)),
        rx.table.cell(event["target"]),
        rx.table.cell(event["ip"]),
    )


@signed_in_page(routes.ADMIN_AUDIT, "Audit log", permission="audit.read", on_load=AuditLogState.load_events)
def admin_audit() -> rx.Component:
    return rx.vstack(
        audit_filters(),
        data_table(
            [t(header) for header in HEADERS],
            AuditLogState.events,
            audit_row,
            empty=empty_state("scroll-text", t("No events"), t("Nothing recorded matches these filters.")),
            label=t("Audit log"),
        ),
        rx.cond(
            AuditLogState.total > 0,
            pagination(AuditLogState.page, AuditLogState.page_count, AuditLogState.previous_page, AuditLogState.next_page),
        ),
        spacing="4",
        width="100%",
    )
