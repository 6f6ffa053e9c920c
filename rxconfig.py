"""Reflex config: reads OneClass settings, nothing else (the theme lives with the components)."""

import sys

import reflex as rx

from components.theme import THEME
from oneclass.settings import get_settings

_settings = get_settings()
_redis_state = bool(_settings.reflex_redis_url)
# An app process behind nginx (`oneclass serve`) serves no frontend: Reflex refuses a frontend port then.
_backend_only = "--backend-only" in sys.argv

config = rx.Config(
    app_name="oneclass",
    frontend_port=None if _backend_only else _settings.frontend_port,
    backend_port=_settings.backend_port,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=THEME)],
    disable_plugins=[rx.plugins.SitemapPlugin],
    # Several backend workers share Reflex's state through Redis; one process keeps it on disk.
    redis_url=_settings.reflex_redis_url,
    state_manager_mode="redis" if _redis_state else "disk",
    # Events' client address (sign-in failure counts, audit) read as the REST API reads it.
    trusted_proxy_hops=_settings.trusted_proxy_hops,
)
