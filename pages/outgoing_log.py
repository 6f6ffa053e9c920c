"""The outgoing log page (the school's admins): the mail and SMS written there while no mail
server or SMS gateway is configured, and how many notifications wait, went or failed."""

import reflex as rx

from components import data_table, empty_state, export_buttons, pagination
from components.i18n import t, t_format
from oneclass import routes
from oneclass.i18n import N_
from pages.guard import signed_in_page
from state.outgoing_log import READ_LOG, OutgoingLogState

HEADERS = [N_("When (UTC)"), N_("Channel"), N_("To"), N_("Subject"), N_("Message")]


def message_row(message: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(message["when"], white_space="nowrap"),
        rx.table.cell(t(message["channel"].to(str))),
        rx.table.cell(message["recipient"]),
        rx.table.cell(message["subject"]),
        rx.table.cell(rx.text(message["body"], size="2", white_space="pre-line")),
    )


def delivery_summary() -> rx.Component:
    counts = OutgoingLogState.counts
    return rx.hstack(
        rx.text(t_format("Waiting: {count}", count=counts.get("pending", 0))),
        rx.text(t_format("Sent: {count}", count=counts.get("sent", 0))),
        rx.text(t_format("In the log: {count}", count=counts.get("logged", 0))),
        rx.text(t_format("Failed: {count}", count=counts.get("failed", 0))),
        spacing="4",
        wrap="wrap",
    )


@signed_in_page(routes.OUTGOING_LOG, "Outgoing messages", permission=READ_LOG, on_load=OutgoingLogState.load_outgoing)
def outgoing_log() -> rx.Component:
    return rx.vstack(
        rx.text(t("With no mail server or SMS gateway set, messages are written here instead of being sent."), size="2"),
        rx.hstack(delivery_summary(), rx.spacer(), export_buttons(OutgoingLogState), align="center", width="100%", wrap="wrap"),
        data_table(
            [t(header) for header in HEADERS],
            OutgoingLogState.messages,
            message_row,
            empty=empty_state("send", t("Nothing in the log"), t("Messages written while no channel is set appear here.")),
            label=t("Outgoing messages"),
        ),
        rx.cond(
            OutgoingLogState.total > 0,
            pagination(OutgoingLogState.page, OutgoingLogState.page_count, OutgoingLogState.previous_page, OutgoingLogState.next_page),
        ),
        spacing="4",
        width="100%",
    )
