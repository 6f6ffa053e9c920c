"""The one settings object: every configurable value, read from the environment (or `.env`)."""

from functools import lru_cache
from pathlib import Path

from pydantic import model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# The checkout: embedded servers keep their data in `.oneclass/` beside the code.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEVELOPMENT_SECRET = "development-only-secret-never-use-in-production"
DEVELOPMENT_APP_DB_PASSWORD = "oneclass-app-dev"
DEVELOPMENT_PLATFORM_DB_PASSWORD = "oneclass-platform-dev"


class Settings(BaseSettings):
    """Settings of one OneClass deployment. Unset database/redis URLs mean embedded servers."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    environment: str = "development"  # development | test | production
    database_url: str | None = None  # the owner's URL: migrations run as this role
    redis_url: str | None = None
    reflex_redis_url: str | None = None  # Reflex's own state manager (multi-worker only)
    secret_key: str = DEVELOPMENT_SECRET
    app_db_password: str = DEVELOPMENT_APP_DB_PASSWORD
    platform_db_password: str = DEVELOPMENT_PLATFORM_DB_PASSWORD
    base_domain: str = "localhost"
    public_scheme: str = "http"  # how people reach us: links in mail are built from these
    public_port: int | None = None  # None: FRONTEND_PORT; 80/443 are left out of links
    frontend_port: int = 3000
    backend_port: int = 3000
    data_dir: Path = PROJECT_ROOT / ".oneclass"
    cache_prefix: str = "oneclass"
    db_pool_size: int = 10
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

    @property
    def is_production(self) -> bool:
        return self.environment == "production"

    @model_validator(mode="after")
    def _refuse_placeholder_secrets(self) -> "Settings":
        if self.is_production:
            if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
                raise ValueError("SECRET_KEY must be set in production, at least 32 characters")
            if self.app_db_password == DEVELOPMENT_APP_DB_PASSWORD:
                raise ValueError("APP_DB_PASSWORD must be set in production")
            if self.platform_db_password == DEVELOPMENT_PLATFORM_DB_PASSWORD:
                raise ValueError("PLATFORM_DB_PASSWORD must be set in production")
        return self


@lru_cache
def get_settings() -> Settings:
    return Settings()
