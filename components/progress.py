"""The progress of a background job (an import, a batch of report cards), shown live: a bar with
its value for assistive technology, what is happening, and why it failed if it did."""

import reflex as rx

from components.forms import Text


def job_progress(*, active: rx.Var, percent: rx.Var, label: Text, status: rx.Var | Text, failure: rx.Var) -> rx.Component:
    """`active`: the job is queued or running; `percent` 0-100; `label` names the bar;
    `status` says how far it is ("Imported 400 of 1,000 rows…"); `failure` is the job's failure
    message ("" while it has none)."""
    return rx.fragment(
        rx.cond(
            active,
            rx.vstack(
                rx.progress(
                    value=percent, max=100, aria_label=label, aria_valuemin=0, aria_valuemax=100, aria_valuenow=percent, width="100%",
                ),
                rx.text(status, size="2", role="status", aria_live="polite"),
                spacing="2",
                width="100%",
            ),
        ),
        rx.cond(
            failure != "",
            rx.callout(failure, icon="circle-alert", color_scheme="red", role="alert", width="100%"),
        ),
    )
