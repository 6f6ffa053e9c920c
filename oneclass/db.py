"""Database engines, role bootstrap and the tenant session: the only way tenant data is touched.

Three roles: the owner (`oneclass_owner`, BYPASSRLS) owns every table and runs migrations;
the app (`oneclass_app`, NOSUPERUSER NOBYPASSRLS) is what the running app connects as, so
Row Level Security always applies to it; the platform (`oneclass_platform`, also NOBYPASSRLS)
is the super admins' explicit path, allowed only what its own policies name.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import lru_cache
from typing import Protocol
from uuid import UUID

from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import SessionTransaction
from sqlmodel import Session

from oneclass import embedded
from oneclass.observability import watch_pools
from oneclass.services.errors import Conflict, integrity_refusal
from oneclass.settings import get_settings
from oneclass.tracing import watch_engine

OWNER_ROLE = "oneclass_owner"
APP_ROLE = "oneclass_app"
PLATFORM_ROLE = "oneclass_platform"
TENANT_SETTING = "app.current_school_id"


def normalise_url(url: str) -> str:
    """Accept `postgres://` and `postgresql://` URLs; we always drive psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@lru_cache
def owner_url() -> str:
    """The URL migrations run with: DATABASE_URL, or the embedded server's."""
    settings = get_settings()
    if settings.database_url:
        return normalise_url(settings.database_url)
    return embedded.start_postgres(settings.data_dir)


def role_url(role: str) -> str:
    """Same server and database as the owner URL, signed in as `role` (app or platform)."""
    settings = get_settings()
    password = settings.platform_db_password if role == PLATFORM_ROLE else settings.app_db_password
    return make_url(owner_url()).set(username=role, password=password).render_as_string(hide_password=False)


def app_url() -> str:
    return role_url(APP_ROLE)


def redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def _connect_args() -> dict[str, object]:
    """Behind a transaction pooler, no server-side prepared statements: one transaction could
    prepare on a server connection and the next use it on another (`DB_TRANSACTION_POOLER`)."""
    return {"prepare_threshold": None} if get_settings().db_transaction_pooler else {}


@lru_cache
def owner_engine() -> Engine:
    """Engine acting as the owner role, whoever DATABASE_URL signs in as (often a superuser)."""
    engine = create_engine(owner_url(), pool_pre_ping=True, connect_args=_connect_args())
    event.listen(engine, "connect", _become_owner)
    watch_engine(engine)
    return engine


def _become_owner(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    cursor.execute(f"SET ROLE {OWNER_ROLE}")
    cursor.close()
    dbapi_connection.commit()  # type: ignore[attr-defined]


@lru_cache
def app_engine() -> Engine:
    pool_size, overflow = get_settings().pool_share()
    engine = create_engine(app_url(), pool_pre_ping=True, pool_size=pool_size, max_overflow=overflow, connect_args=_connect_args())
    watch_engine(engine)
    return engine


@lru_cache
def platform_engine() -> Engine:
    engine = create_engine(role_url(PLATFORM_ROLE), pool_pre_ping=True, pool_size=2, max_overflow=5, connect_args=_connect_args())
    watch_engine(engine)
    return engine


def pool_stats() -> dict[str, dict[str, int]]:
    """Connections checked out and idle, per engine this process has opened."""
    stats = {}
    for name, cached in (("owner", owner_engine), ("app", app_engine), ("platform", platform_engine)):
        if cached.cache_info().currsize:
            pool = cached().pool
            stats[name] = {"in_use": pool.checkedout(), "idle": pool.checkedin()}  # type: ignore[attr-defined]
    return stats


watch_pools(pool_stats)


def reset_engines() -> None:
    """Forget engines and URLs (after settings change, e.g. in tests)."""
    for cached in (owner_engine, app_engine, platform_engine):
        if cached.cache_info().currsize:
            cached().dispose()
        cached.cache_clear()
    owner_url.cache_clear()


ROLE_SETUP_TRIES = 5


def ensure_roles(connection: Connection) -> None:
    """Create the owner and app roles if missing; needs a superuser (or CREATEROLE) connection.

    Roles belong to the whole server, so this is idempotent and shared by every database on it.
    Two processes migrating two databases of one server at once (test workers, or deployments
    sharing a server) race on the same roles: the loser's statement fails ("tuple concurrently
    updated", "already exists") and is tried again once the winner has committed.
    """
    for attempt in range(1, ROLE_SETUP_TRIES + 1):
        try:
            _ensure_roles_once(connection)
            return
        except DBAPIError as error:
            raced = "concurrently updated" in str(error.orig) or "already exists" in str(error.orig)
            if not raced or attempt == ROLE_SETUP_TRIES:
                raise
            connection.rollback()
            time.sleep(0.2 * attempt)


def _ensure_roles_once(connection: Connection) -> None:
    settings = get_settings()
    connection.execute(
        text(
            f"""
            DO $$
            BEGIN
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{OWNER_ROLE}') THEN
                CREATE ROLE {OWNER_ROLE} NOLOGIN NOSUPERUSER BYPASSRLS;
              END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{APP_ROLE}') THEN
                CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
              END IF;
              IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{PLATFORM_ROLE}') THEN
                CREATE ROLE {PLATFORM_ROLE} LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
              END IF;
            END $$;
            """
        )
    )
    # A role that may create roles but is no superuser (a managed server's administrator, or the
    # one a restore is given) acts as the owner only as its member.
    connection.execute(
        text(
            f"""
            DO $$
            BEGIN
              IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user)
                 AND NOT pg_has_role(current_user, '{OWNER_ROLE}', 'MEMBER') THEN
                EXECUTE format('GRANT {OWNER_ROLE} TO %I', current_user);
              END IF;
            END $$;
            """
        )
    )
    for role, password in ((APP_ROLE, settings.app_db_password), (PLATFORM_ROLE, settings.platform_db_password)):
        # Parameters cannot be bound in utility statements; quote the literal in SQL instead.
        quoted = connection.execute(text("SELECT quote_literal(:p)"), {"p": password}).scalar()
        connection.execute(text(f"ALTER ROLE {role} PASSWORD {quoted}"))
        connection.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
    connection.execute(text(f"GRANT USAGE, CREATE ON SCHEMA public TO {OWNER_ROLE}"))


class TenantSession(Session):
    """A session whose every transaction runs as one school (or as none: zero rows)."""


@event.listens_for(TenantSession, "after_begin")
def _apply_tenant(session: Session, _tx: SessionTransaction, connection: Connection) -> None:
    # Transaction-local (is_local=true): a pooled connection never carries a school onward.
    connection.execute(
        text("SELECT set_config(:name, :school_id, true)"),
        {"name": TENANT_SETTING, "school_id": session.info.get("school_id", "")},
    )


# (school id, table) pairs a committed transaction wrote.
Written = set[tuple[str, str]]
_after_commit_hooks: list[Callable[[Written], None]] = []


def after_commit(hook: Callable[[Written], None]) -> None:
    """Have `hook(written)` called after each commit that wrote a school's tables, with what it
    wrote. The cache registers its version bump here when it is imported (host resolution and
    every caching service import it), so this module knows nothing of Redis and the cache may
    import it without a cycle."""
    if hook not in _after_commit_hooks:
        _after_commit_hooks.append(hook)


def invalidate_on_commit(session: Session, school_id: UUID | str, *tables: str) -> None:
    """Mark a school's cached results over `tables` stale once this session's transaction
    commits (not before: a reader in between would cache the old rows again).

    ORM writes are noticed by themselves (below); bulk SQL UPDATE/DELETE must call this."""
    session.info.setdefault("invalidate", set()).update((str(school_id), table) for table in tables)


@event.listens_for(Session, "before_flush")
def _note_written_tables(session: Session, _context: object, _instances: object) -> None:
    for row in (*session.new, *session.dirty, *session.deleted):
        table = getattr(row, "__tablename__", None)
        school_id = getattr(row, "school_id", None) or (getattr(row, "id", None) if table == "schools" else None)
        if table and school_id:
            invalidate_on_commit(session, school_id, table)


@event.listens_for(Session, "after_commit")
def _tell_what_was_written(session: Session) -> None:
    written: Written = session.info.pop("invalidate", set())
    if written:
        for hook in _after_commit_hooks:
            hook(written)


@event.listens_for(Session, "after_rollback")
def _forget_invalidations(session: Session) -> None:
    session.info.pop("invalidate", None)


@contextmanager
def tenant_session(school_id: UUID | str | None, engine: Engine | None = None) -> Iterator[Session]:
    """Open a session in which RLS shows only `school_id`'s rows (no school: no rows)."""
    session = TenantSession(engine or app_engine(), expire_on_commit=False)
    session.info["school_id"] = str(school_id) if school_id else ""
    try:
        yield session
    finally:
        session.close()


@contextmanager
def platform_session() -> Iterator[Session]:
    """A session as the platform role: super admin work at the root domain, and nothing else.

    Its reach is exactly the `platform_access` policies the migrations grant it.
    """
    with Session(platform_engine(), expire_on_commit=False) as session:
        yield session


@contextmanager
def owner_session() -> Iterator[Session]:
    """A session as the owner role (bypasses RLS): migrations-level work such as the demo seed."""
    with Session(owner_engine(), expire_on_commit=False) as session:
        yield session


class InSchool(Protocol):
    """Whoever acts: a signed-in user (`CurrentUser`), or anything that names its school."""

    @property
    def school_id(self) -> UUID | None: ...


@contextmanager
def _committed(session: Session) -> Iterator[Session]:
    """Commit once when the block ends; a constraint the database refused becomes a refusal the
    user can read (Conflict), and nothing of the block is kept."""
    try:
        yield session
        session.commit()
    except IntegrityError as error:
        session.rollback()
        raise integrity_refusal(error) from error


@contextmanager
def unit_of_work(actor: InSchool) -> Iterator[Session]:
    """One service call's transaction, as the actor's school (RLS shows nothing else).

    Public service functions open exactly one of these after their permission check; the
    functions below them take its session and never commit, so one call is all or nothing."""
    with tenant_session(actor.school_id) as session, _committed(session):
        yield session


@contextmanager
def platform_unit_of_work() -> Iterator[Session]:
    """The platform role's one transaction for a super admin's service call."""
    with platform_session() as session, _committed(session):
        yield session


__all__ = ["Conflict", "platform_unit_of_work", "tenant_session", "unit_of_work"]
