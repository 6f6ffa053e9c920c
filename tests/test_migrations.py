"""Migrations are reviewed code: up, down to nothing, and up again all work."""

from sqlalchemy import create_engine, inspect

from oneclass import migrate
from tests.conftest import ServerUrls, create_database, drop_database


def table_names(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade(servers: ServerUrls) -> None:
    url = create_database(servers, "oneclass_migrations")
    try:
        migrate.upgrade(url)
        assert {"schools", "users", "platform_users"} <= table_names(url)
        migrate.downgrade(url, "base")
        assert table_names(url) == {"alembic_version"}
        migrate.upgrade(url)
        assert {"schools", "users", "platform_users"} <= table_names(url)
    finally:
        drop_database(servers, url)
