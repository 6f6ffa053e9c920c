"""Builds the Reflex app: the pages and the REST API mounted beside the UI."""

import reflex as rx

import pages  # noqa: F401  (registers every page through @rx.page)
from oneclass.api import build_api
from oneclass.observability import EventMetricsMiddleware

app = rx.App(api_transformer=build_api())
app.add_middleware(EventMetricsMiddleware())
