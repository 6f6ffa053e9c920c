"""The one settings object: every configurable value, read from the environment (or `.env`)."""

import contextlib
import os
import secrets
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The checkout: embedded servers keep their data in `.oneclass/` beside the code.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

SECRET_KEY_FILE = "secret_key"  # under DATA_DIR: the key a development checkout signs with
SECRET_KEY_MIN_LENGTH = 32
DEVELOPMENT_APP_DB_PASSWORD = "oneclass-app-dev"
DEVELOPMENT_PLATFORM_DB_PASSWORD = "oneclass-platform-dev"


class Settings(BaseSettings):
    """Settings of one OneClass deployment. Unset database/redis URLs mean embedded servers."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    # Anything else is refused, so a typo ("prod") never runs a deployment as development.
    environment: Literal["development", "test", "production"] = "development"
    database_url: str | None = None  # the owner's URL: migrations run as this role
    redis_url: str | None = None
    # Reflex's own state: unset, `oneclass run` with several web workers shares it in REDIS_URL's
    # server (or the embedded one); one worker keeps it on disk.
    reflex_redis_url: str | None = None
    # Backend processes `oneclass run` starts; 0: as many as the machine's cores and memory fit.
    web_workers: int = Field(default=0, ge=0)
    secret_key: str = ""  # unset: outside production, a random key kept under DATA_DIR
    app_db_password: str = DEVELOPMENT_APP_DB_PASSWORD
    platform_db_password: str = DEVELOPMENT_PLATFORM_DB_PASSWORD
    base_domain: str = "localhost"
    public_scheme: str = "http"  # how people reach us: links in mail are built from these
    public_port: int | None = None  # None: FRONTEND_PORT; 80/443 are left out of links
    frontend_port: int = 3000
    backend_port: int = 3000
    # Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1). 0 ignores
    # the header: without a proxy it is whatever the caller wrote.
    trusted_proxy_hops: int = Field(default=0, ge=0)
    # Paynow's interface (the client posts to {PAYNOW_URL}/initiatetransaction and /remotetransaction).
    paynow_url: str = "https://www.paynow.co.zw/interface"
    # Mail for notifications: unset SMTP_HOST writes mail to the outgoing log instead.
    # SMTP_TLS: "starttls" (upgrade a plain connection, port 587), "ssl" (TLS from the start, 465)
    # or "none" (a relay on the machine or loopback only).
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    smtp_from: str = "OneClass <no-reply@oneclass.ac.zw>"
    smtp_tls: Literal["starttls", "ssl", "none"] = "starttls"
    # An SMS gateway taking a JSON POST (docs/notifications.md); unset: SMS goes to the outgoing log.
    sms_gateway_url: str = ""
    sms_gateway_token: str = ""  # sent as `Authorization: Bearer <token>`
    # OTLP/HTTP collector (e.g. Jaeger's port 4318) that receives traces; unset: no tracing.
    otel_exporter_otlp_endpoint: str | None = None
    metrics_token: str = ""  # a scraper sending `Authorization: Bearer <this>`; loopback needs none
    data_dir: Path = PROJECT_ROOT / ".oneclass"
    cache_prefix: str = "oneclass"
    # The web server's PostgreSQL connections, shared among its workers (`pool_share`).
    db_pool_size: int = 10
    # DATABASE_URL names a PgBouncer in transaction pooling mode: consecutive transactions of one
    # connection may reach different server connections, so psycopg prepares no statements.
    db_transaction_pooler: bool = False
    db_max_overflow: int = 10
    access_token_minutes: int = 15
    refresh_token_days: int = 14
    password_reset_hours: int = 24
    login_max_failures: int = 5  # per account, within the lockout window
    login_max_failures_per_ip: int = 20
    api_rate_per_token: int = 600  # requests a minute for one access token
    api_rate_per_ip: int = 1200  # requests a minute from one address
    login_failure_window_seconds: int = 15 * 60  # failures are counted over this long
    lockout_seconds: int = 15 * 60  # how long a locked account stays locked
    worker_concurrency: int = Field(default=2, ge=1)  # background jobs one `oneclass worker` runs at once
    # Files (photos, logos, report cards, uploads waiting for a job): a directory under DATA_DIR,
    # or any S3-compatible store when an endpoint and a bucket are given.
    storage_endpoint_url: str = ""
    storage_bucket: str = ""
    storage_access_key: str = ""
    storage_secret_key: str = ""
    storage_region: str = "us-east-1"

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    def pool_share(self) -> tuple[int, int]:
        """This process's (pool size, overflow): its share of the connections, so that five web
        workers open no more than one would (PostgreSQL's 100 connections are for everybody)."""
        workers = max(1, self.web_workers)
        return max(2, -(-self.db_pool_size // workers)), max(2, -(-self.db_max_overflow // workers))

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        if self.is_production:
            # Every machine of a deployment must sign with the same key: it comes from outside.
            if len(self.secret_key) < SECRET_KEY_MIN_LENGTH:
                raise ValueError(f"SECRET_KEY must be set in production, at least {SECRET_KEY_MIN_LENGTH} characters")
            if self.app_db_password == DEVELOPMENT_APP_DB_PASSWORD:
                raise ValueError("APP_DB_PASSWORD must be set in production")
            if self.platform_db_password == DEVELOPMENT_PLATFORM_DB_PASSWORD:
                raise ValueError("PLATFORM_DB_PASSWORD must be set in production")
        elif not self.secret_key:
            self.secret_key = load_or_create_secret(self.data_dir / SECRET_KEY_FILE)
        return self


def _read_secret(path: Path) -> str:
    key = path.read_text().strip()
    if len(key) < SECRET_KEY_MIN_LENGTH:
        raise ValueError(f"{path} does not hold a usable key; delete it and a new one is made")
    return key


def load_or_create_secret(path: Path) -> str:
    """The random key kept at `path`, made on first use (mode 0600).

    Processes starting together (the CLI, Reflex's backend, a worker) must all end with one key:
    each writes a candidate to its own temporary file and hard-links it into place, which only
    one of them can do; every process then reads whichever key won. A reader never sees a
    half-written file, because the name appears only once the content is complete.
    """
    try:
        return _read_secret(path)
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, candidate = tempfile.mkstemp(dir=path.parent, prefix=f".{SECRET_KEY_FILE}-")  # created 0600
    try:
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
            file.flush()
            os.fsync(file.fileno())
        with contextlib.suppress(FileExistsError):  # another process won the race: its key is the key
            os.link(candidate, path)
    finally:
        os.unlink(candidate)
    return _read_secret(path)


@lru_cache
def get_settings() -> Settings:
    return Settings()
