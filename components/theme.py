"""The one theme: colours, radius and scaling come from here, never from a page.

`STYLESHEETS` carries what the theme's settings cannot: text colours dark enough for WCAG AA
contrast, the keyboard's focus ring, the skip link (assets/theme.css)."""

import reflex as rx

THEME = rx.theme(appearance="light", accent_color="teal", gray_color="slate", radius="medium")
STYLESHEETS = ["/theme.css"]
