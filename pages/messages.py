"""The messages page: the reader's conversations (paged, the latest first, unread ones marked),
the open conversation with a reply box, and a dialog to start one with someone the school's
rules let the reader write to."""

import reflex as rx

from components import data_table, empty_state, form_dialog, labelled, list_footer, search_input
from components.i18n import t, t_format
from oneclass import routes
from oneclass.services.messages import MESSAGE
from pages.guard import signed_in_page
from state.messages import MessagesState


def thread_row(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(
            rx.link(
                row["subject"],
                href="#",
                on_click=[rx.prevent_default, MessagesState.open_thread(row["id"])],
                weight=rx.cond(row["unread"].to(int) > 0, "bold", "regular"),
            )
        ),
        rx.table.cell(row["other"]),
        rx.table.cell(row["last"]),
        rx.table.cell(rx.cond(row["unread"].to(int) > 0, rx.badge(row["unread"].to(str), color_scheme="red"), "")),
    )


def message_bubble(message: rx.Var) -> rx.Component:
    return rx.box(
        rx.text(message["sender"], " · ", message["sent"], size="1", color="var(--gray-11)"),
        rx.text(message["body"], white_space="pre-wrap"),
        background=rx.cond(message["mine"], "var(--accent-3)", "var(--gray-3)"),
        border_radius="var(--radius-3)",
        padding="var(--space-3)",
        align_self=rx.cond(message["mine"], "flex-end", "flex-start"),
        max_width="85%",
    )


def open_thread() -> rx.Component:
    state = MessagesState
    return rx.card(
        rx.vstack(
            rx.heading(state.subject, as_="h2", size="4", id="thread-heading", tab_index=-1),
            rx.text(t_format("With {name}", name=state.other), size="2", color="var(--gray-11)"),
            rx.el.section(
                rx.vstack(rx.foreach(state.thread, message_bubble), spacing="2", width="100%"),
                aria_label=t("Messages"),
                aria_live="polite",
                width="100%",
            ),
            rx.form(
                rx.vstack(
                    labelled(
                        t("Reply"), "reply-body",
                        rx.text_area(id="reply-body", name="body", rows="3", width="100%", size="3"),
                        state.reply_error,
                    ),
                    rx.button(rx.icon("send", size=16, aria_hidden="true"), t("Send"), type="submit"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=state.send_reply,
                width="100%",
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def compose_dialog() -> rx.Component:
    state = MessagesState
    return form_dialog(
        t("New message"),
        t("Write to one of the people the school lets you reach."),
        search_input(state.contact_search, state.search_contacts, placeholder=t("Find by name"), label=t("Find by name"), width="100%"),
        labelled(
            t("To"), "field-recipient",
            rx.select.root(
                rx.select.trigger(id="field-recipient", placeholder=t("Choose…"), width="100%"),
                rx.select.content(rx.foreach(state.contacts, lambda c: rx.select.item(c["name"], " (", t(c["role"]), ")", value=c["id"]))),
                name="recipient",
                size="3",
            ),
            state.errors.get("recipient", ""),
        ),
        labelled(t("Subject"), "field-subject", rx.input(id="field-subject", name="subject", max_length=200, width="100%", size="3"), state.errors.get("subject", "")),
        labelled(t("Message"), "field-body", rx.text_area(id="field-body", name="body", rows="4", width="100%", size="3"), state.errors.get("body", "")),
        submit_label=t("Send"),
        on_submit=state.start_thread,
        open=state.compose_open,
        on_open_change=state.set_compose_open,
        error=state.errors.get("form", ""),
    )


@signed_in_page(routes.MESSAGES, "Messages", permission=MESSAGE, on_load=MessagesState.load_messages)
def messages_page() -> rx.Component:
    state = MessagesState
    return rx.vstack(
        rx.button(rx.icon("pen-line", size=16, aria_hidden="true"), t("New message"), on_click=state.open_compose),
        rx.cond(state.thread_id != "", open_thread()),
        data_table(
            [t("Subject"), t("With"), t("Last message"), t("Unread")],
            state.rows,
            thread_row,
            empty=empty_state("messages-square", t("No messages yet"), t("Start a conversation with New message.")),
            label=t("Conversations"),
        ),
        list_footer(state.total, t("conversations"), state.page, state.page_count, state.previous_page, state.next_page),
        compose_dialog(),
        spacing="4",
        width="100%",
    )
