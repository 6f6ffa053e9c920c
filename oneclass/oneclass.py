"""Builds the Reflex app: the pages and the REST API mounted beside the UI."""

import reflex as rx

import pages  # noqa: F401  (registers every page through @rx.page)
from components.theme import STYLESHEETS
from oneclass.api import build_api
from oneclass.observability import EventMetricsMiddleware
from oneclass.tracing import configure_tracing
from oneclass.uploads import UploadGuard

configure_tracing("oneclass-web")  # before the app: Reflex wraps its ASGI app in the tracing middleware

# The REST API beside the UI, then the upload guard around both (it must see /_upload first).
app = rx.App(api_transformer=[build_api(), UploadGuard], stylesheets=STYLESHEETS)
app.add_middleware(EventMetricsMiddleware())
