"""The notifications page: one's own notices, newest first, the unread ones marked, and how one
is told (the app, email, or for a parent's family also SMS, which a parent may refuse)."""

import reflex as rx

from components import empty_state, form_error, form_notice, pagination, select_field
from components.i18n import t, t_format
from oneclass import routes
from oneclass.i18n import N_
from pages.guard import signed_in_page
from state.notifications import READ_OWN, NotificationsState

GUARDIAN_CHANNELS = {"in_app": N_("In the app only"), "email": N_("Email"), "sms": N_("SMS")}
USER_CHANNELS = {"in_app": N_("In the app only"), "email": N_("Email")}


def notification_item(item: rx.Var) -> rx.Component:
    unread = item["unread"].to(bool)
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.cond(unread, rx.badge(t("New"), color_scheme="blue")),
                rx.heading(item["subject"].to(str), as_="h3", size="3"),
                rx.spacer(),
                rx.text(item["when"].to(str), size="1", color_scheme="gray"),
                align="center",
                spacing="2",
                width="100%",
                wrap="wrap",
            ),
            rx.text(item["body"].to(str), size="2", white_space="pre-line"),
            rx.cond(
                unread,
                rx.button(
                    t("Mark read"), size="1", variant="soft", type="button", on_click=NotificationsState.mark_read(item["id"].to(str)),
                ),
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


def channel_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(t("How you are told"), as_="h2", size="4"),
                form_error(NotificationsState.channel_errors.get("form", "")),
                rx.cond(
                    NotificationsState.is_guardian,
                    rx.vstack(
                        select_field(t("Send me notices by"), "channel", GUARDIAN_CHANNELS, default_value=NotificationsState.channel,
                                     error=NotificationsState.channel_errors.get("channel", "")),
                        # A Radix checkbox is a button: aria-label names it for axe.
                        rx.checkbox(t("Never send me SMS"), name="sms_opt_out", default_checked=NotificationsState.sms_opt_out,
                                    aria_label=t("Never send me SMS")),
                        rx.text(t("Messages about your children come this way; everything is also here in the app."), size="2"),
                        spacing="3",
                        width="100%",
                    ),
                    select_field(t("Send me notices by"), "channel", USER_CHANNELS, default_value=NotificationsState.channel,
                                 error=NotificationsState.channel_errors.get("channel", "")),
                ),
                form_notice(NotificationsState.channel_saved),
                rx.button(t("Save"), type="submit"),
                spacing="3",
                width="100%",
                max_width="32em",
            ),
            on_submit=NotificationsState.save_channel,
            key=NotificationsState.channel,
        ),
        width="100%",
    )


@signed_in_page(routes.NOTIFICATIONS, "Notifications", permission=READ_OWN, on_load=NotificationsState.load_notifications)
def notifications_page() -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.text(t_format("Unread: {count}", count=NotificationsState.unread), id="unread-count", weight="medium", aria_live="polite"),
            rx.spacer(),
            rx.button(t("Mark all read"), type="button", variant="soft", on_click=NotificationsState.mark_all_read,
                      disabled=NotificationsState.unread == 0),
            align="center",
            width="100%",
        ),
        rx.cond(
            NotificationsState.items.length() > 0,
            rx.vstack(rx.foreach(NotificationsState.items, notification_item), spacing="3", width="100%"),
            empty_state("bell", t("No notifications"), t("Absences, payments, fee reminders and announcements for you appear here.")),
        ),
        rx.cond(
            NotificationsState.total > 0,
            pagination(NotificationsState.page, NotificationsState.page_count, NotificationsState.previous_page, NotificationsState.next_page),
        ),
        channel_form(),
        spacing="4",
        width="100%",
    )
