"""The one theme: colours, radius and scaling come from here, never from a page."""

import reflex as rx

THEME = rx.theme(appearance="light", accent_color="teal", gray_color="slate", radius="medium")
