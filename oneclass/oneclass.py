"""Builds the Reflex app: the pages and the REST API mounted beside the UI."""

import reflex as rx

import pages  # noqa: F401  (registers every page through @rx.page)
from components.theme import STYLESHEETS
from oneclass.api import build_api
from oneclass.observability import EventMetricsMiddleware
from oneclass.uploads import UploadGuard

# The REST API beside the UI, then the upload guard around both (it must see /_upload first).
app = rx.App(api_transformer=[build_api(), UploadGuard], stylesheets=STYLESHEETS)
app.add_middleware(EventMetricsMiddleware())
