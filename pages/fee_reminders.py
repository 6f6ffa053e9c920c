"""The fee reminders page (admins and the bursar): each family owing something and how it would
be told, then one reminder per family after a confirmation; once a day at most."""

import reflex as rx

from components import confirm_dialog, data_table, empty_state, form_notice, pagination
from components.i18n import t, t_format
from oneclass import routes
from oneclass.i18n import N_
from pages.guard import signed_in_page
from state.fee_reminders import SEND_REMINDERS, FeeRemindersState

HEADERS = [N_("Guardian"), N_("Told by"), N_("Children"), N_("Owed")]


def family_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.row_header_cell(row["guardian"]),
        rx.table.cell(t(row["channel"].to(str))),
        rx.table.cell(row["children"]),
        rx.table.cell(row["owed"]),
    )


@signed_in_page(routes.FEE_REMINDERS, "Fee reminders", permission=SEND_REMINDERS, on_load=FeeRemindersState.load_reminders)
def fee_reminders() -> rx.Component:
    return rx.vstack(
        rx.card(
            rx.vstack(
                rx.text(t_format("Families to remind: {count}", count=FeeRemindersState.to_remind), id="families-to-remind"),
                rx.text(t_format("Already reminded today (left out): {count}", count=FeeRemindersState.already_reminded)),
                rx.cond(
                    FeeRemindersState.unreachable > 0,
                    rx.callout(t_format("Families with no way to reach them: {count}", count=FeeRemindersState.unreachable),
                               icon="triangle-alert", color_scheme="amber"),
                ),
                form_notice(FeeRemindersState.done_message),
                rx.button(t("Send reminders"), on_click=FeeRemindersState.ask_send, disabled=FeeRemindersState.to_remind == 0, type="button"),
                spacing="3",
                width="100%",
            ),
            width="100%",
        ),
        data_table(
            [t(header) for header in HEADERS],
            FeeRemindersState.families,
            family_row,
            empty=empty_state("wallet", t("Nobody owes anything"), t("Families with a balance appear here.")),
            label=t("Families owing fees"),
        ),
        rx.cond(
            FeeRemindersState.total > 0,
            pagination(FeeRemindersState.page, FeeRemindersState.page_count, FeeRemindersState.previous_page, FeeRemindersState.next_page),
        ),
        confirm_dialog(
            t("Send the fee reminders?"),
            t_format("{count} families get one message each, naming what each child owes. Sending again today tells nobody twice.",
                     count=FeeRemindersState.confirm_name),
            confirm_label=t("Send reminders"),
            on_confirm=FeeRemindersState.send,
            open=FeeRemindersState.confirm_open,
            on_open_change=FeeRemindersState.set_confirm_open,
            color_scheme="teal",
        ),
        spacing="4",
        width="100%",
    )
