"""Alembic environment: bootstrap the roles, then migrate as the owner role.

Autogenerate does not know RLS policies, roles or functions: every revision is written by hand.
"""

import logging.config

from sqlalchemy import create_engine, pool, text

import models
from alembic import context
from oneclass import db

config = context.config
if config.config_file_name is not None:
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = models.School.metadata


def run_migrations_online() -> None:
    url = config.attributes.get("database_url") or db.owner_url()
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        db.ensure_roles(connection)
        # Objects created from here on belong to the owner role, whoever signed in.
        connection.execute(text(f"SET ROLE {db.OWNER_ROLE}"))
        connection.commit()
        context.configure(connection=connection, target_metadata=target_metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported: run `oneclass db migrate`")
run_migrations_online()
