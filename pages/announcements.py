"""The announcements page: the announcements addressed to the reader, newest first and paged,
each with its attachment's download; for those who may post, the form (audience, title, text,
an optional file) and, on their own announcements, the read count and a withdrawal behind a
confirmation."""

import reflex as rx

from components import confirm_dialog, empty_state, filter_select, form_error, labelled, list_footer
from components.dropzone import file_dropzone
from components.i18n import t, t_format
from oneclass import routes
from oneclass.services.announcements import MAX_ATTACHMENT_BYTES, READ
from pages.guard import signed_in_page
from state.announcements import ATTACHMENT_UPLOAD_ID, AnnouncementsState

ATTACHMENT_FILES = {"application/pdf": [".pdf"], "image/png": [".png"], "image/jpeg": [".jpg", ".jpeg"]}


def audience_fields() -> rx.Component:
    state = AnnouncementsState
    return rx.flex(
        labelled(
            t("Audience"), "announcement-audience",
            filter_select(state.audiences, label=t("Audience"), value=state.audience, on_change=state.set_audience, translate=True, id="announcement-audience"),
            state.errors.get("audience", ""),
        ),
        rx.cond(
            state.targets.length() > 0,
            labelled(
                t("Who"), "announcement-target",
                rx.cond(  # class names are names; levels and roles are words, shown in the reader's language
                    state.audience == "class",
                    filter_select(state.classes, label=t("Who"), value=state.target, on_change=state.set_target, translate=False, id="announcement-target"),
                    filter_select(state.targets, label=t("Who"), value=state.target, on_change=state.set_target, translate=True, id="announcement-target"),
                ),
                state.errors.get("target", ""),
            ),
        ),
        spacing="3",
        direction=rx.breakpoints(initial="column", sm="row"),
        width="100%",
    )


def post_form() -> rx.Component:
    """The text fields tell the state what they hold as the focus leaves them, which it does
    before the button's click (a debounced change could still be on its way)."""
    state = AnnouncementsState
    return rx.card(
        rx.vstack(
            rx.heading(t("New announcement"), as_="h2", size="4"),
            form_error(state.errors.get("form", "")),
            audience_fields(),
            labelled(
                t("Title"), "announcement-title",
                rx.input(id="announcement-title", on_blur=state.set_title, max_length=200, width="100%", size="3"),
                state.errors.get("title", ""),
            ),
            labelled(
                t("Announcement"), "announcement-body",
                rx.text_area(id="announcement-body", on_blur=state.set_body, rows="4", width="100%", size="3"),
                state.errors.get("body", ""),
            ),
            file_dropzone(
                ATTACHMENT_UPLOAD_ID,
                accept=ATTACHMENT_FILES,
                max_size=MAX_ATTACHMENT_BYTES,
                hint=t("Attach a file if you wish: drag it here or click to choose (PDF, PNG or JPEG, at most 5 MB)."),
                on_drop_rejected=state.attachment_rejected,
                icon="paperclip",
            ),
            rx.cond(state.errors.get("attachment", "") != "", rx.text(state.errors.get("attachment", ""), color="var(--red-11)", size="2", role="alert")),
            rx.button(
                rx.icon("megaphone", size=16, aria_hidden="true"), t("Post announcement"),
                type="button",
                on_click=state.post(rx.upload_files(upload_id=ATTACHMENT_UPLOAD_ID)),
            ),
            spacing="3",
            width="100%",
        ),
        width="100%",
    )


def announcement_card(row: rx.Var) -> rx.Component:
    state = AnnouncementsState
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.heading(row["title"], as_="h2", size="4"),
                rx.cond(row["unread"], rx.badge(t("New"), color_scheme="green")),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            rx.text(t_format("{author} to {audience}, {posted}", author=row["author"].to(str), audience=row["audience"].to(str), posted=row["posted"].to(str)),
                    size="2", color="var(--gray-11)"),
            rx.text(row["body"], white_space="pre-wrap"),
            rx.hstack(
                rx.cond(
                    row["attachment"] != "",
                    rx.button(rx.icon("paperclip", size=16, aria_hidden="true"), row["attachment"], variant="soft", on_click=state.download(row["id"])),
                ),
                rx.cond(
                    row["mine"],
                    rx.fragment(
                        rx.text(t_format("Read by {reads} of {recipients}", reads=row["reads"].to(str), recipients=row["recipients"].to(str)), size="2"),
                        rx.button(t("Withdraw"), variant="soft", color_scheme="red", on_click=state.ask_withdraw(row["id"])),
                    ),
                ),
                spacing="3",
                align="center",
                wrap="wrap",
            ),
            spacing="2",
            width="100%",
        ),
        width="100%",
    )


@signed_in_page(routes.ANNOUNCEMENTS, "Announcements", permission=READ, on_load=AnnouncementsState.load_announcements)
def announcements_page() -> rx.Component:
    state = AnnouncementsState
    return rx.vstack(
        rx.cond(state.may_post, post_form()),
        rx.cond(
            state.total > 0,
            rx.vstack(rx.foreach(state.rows, announcement_card), spacing="3", width="100%"),
            empty_state("megaphone", t("No announcements yet"), t("Announcements from your school appear here.")),
        ),
        list_footer(state.total, t("announcements"), state.page, state.page_count, state.previous_page, state.next_page),
        confirm_dialog(
            t("Withdraw this announcement?"),
            t_format("“{title}” will be removed for everyone, with its attachment and read count.", title=state.withdraw_title),
            confirm_label=t("Withdraw"),
            on_confirm=state.withdraw,
            open=state.withdraw_open,
            on_open_change=state.set_withdraw_open,
        ),
        spacing="4",
        width="100%",
    )
