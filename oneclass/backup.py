"""Backup and restore of a whole deployment: every table's rows, the object store's files and a
manifest, written to a directory (`oneclass backup DIR`) and loaded into an empty database
(`oneclass restore DIR --database-url URL`).

Why not a `pg_dump` script: the schema is ours, built by the migrations, so a restore builds it
the same way (the roles, policies, grants and functions of the backup's migration revision, made
by the target server itself) and then loads the rows. A `pg_dump` 18 script does not load into
PostgreSQL 15 as it is (`SET transaction_timeout` is unknown there, `\\restrict` needs psql
15.14 or newer, and the roles the grants name are not in it), and `pg_dump` 15 refuses to dump
an 18 server; COPY's text format reads the same in every version from 15 on.

The backup directory (format version 1):

    manifest.json        written last: a backup without it is partial and is refused
    tables/<table>.copy  the table's rows in COPY text format, columns as the manifest lists
    files/<key>          the object store's files, by key

The manifest names the migration revision, the sequences' positions, and per table its columns,
row count, a fingerprint of its rows (independent of their order, computed by the server) and
the SHA-256 of its file; per file its SHA-256. A restore checks every file against the manifest
before it touches the database, and the fingerprints of the loaded tables before it commits.
"""

import hashlib
import json
import platform
import re
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from psycopg import sql
from sqlalchemy.engine import make_url

from oneclass import db, migrate, storage

FORMAT = "oneclass-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
TABLES_DIR = "tables"
FILES_DIR = "files"
CHUNK = 1 << 20
TABLE_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")
# The same text for the same rows on every server: dates, times, numbers and bytes spelt one way.
SESSION_SETTINGS = {
    "TimeZone": "UTC", "DateStyle": "ISO, MDY", "IntervalStyle": "postgres", "extra_float_digits": "1",
    "bytea_output": "hex", "client_encoding": "UTF8", "row_security": "off",
}


class BackupError(Exception):
    """A backup or restore that cannot go on: one line the operator can act on."""


@dataclass(frozen=True)
class TableState:
    rows: int
    fingerprint: str


def libpq_url(url: str) -> str:
    """A SQLAlchemy URL (any of our schemes) as libpq reads it."""
    parsed = make_url(db.normalise_url(url)).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


@contextmanager
def owner_connection(url: str) -> Iterator[psycopg.Connection[Any]]:
    """A connection to `url` acting as the owner role (BYPASSRLS: every school's rows), with the
    session settings that make COPY's text the same everywhere."""
    try:
        connection = psycopg.connect(libpq_url(url), autocommit=False)
    except psycopg.Error as error:
        raise BackupError(f"cannot reach the database: {_first_line(error)}") from error
    try:
        with connection.cursor() as cursor:
            cursor.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(db.OWNER_ROLE)))
            for name, value in SESSION_SETTINGS.items():
                cursor.execute("SELECT set_config(%s, %s, false)", (name, value))
        connection.commit()
        yield connection
    except psycopg.Error as error:
        raise BackupError(f"the database refused: {_first_line(error)}") from error
    finally:
        connection.close()


def snapshot(connection: psycopg.Connection[Any]) -> None:
    """Make the connection's next transaction one read-only snapshot: every table as of one moment."""
    connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    connection.read_only = True


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0]


def tables(connection: psycopg.Connection[Any]) -> dict[str, list[str]]:
    """The schema's tables (but Alembic's own) and their columns that take values (not generated)."""
    rows = connection.execute(
        """
        SELECT c.relname, a.attname FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
        WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'alembic_version'
        ORDER BY c.relname, a.attnum
        """
    ).fetchall()
    columns: dict[str, list[str]] = defaultdict(list)
    for table, column in rows:
        columns[table].append(column)
    return dict(columns)


EVERY_ROW = sql.SQL("true")


def table_state(connection: psycopg.Connection[Any], table: str, where: sql.Composable = EVERY_ROW, params: tuple[Any, ...] = ()) -> TableState:
    """The row count and a fingerprint of the table's rows (those `where` picks): the sum of each
    row's hash, so the order rows come in does not matter, computed by the server over each
    row's text."""
    query = sql.SQL(
        "SELECT count(*), coalesce(sum(('x' || left(encode(sha256(convert_to(t::text, 'UTF8')), 'hex'), 15))::bit(60)::bigint), 0) FROM {} AS t WHERE {}"
    ).format(sql.Identifier(table), where)
    row = connection.execute(query, params).fetchone()
    assert row is not None
    return TableState(rows=int(row[0]), fingerprint=str(row[1]))


def table_states(url: str) -> dict[str, TableState]:
    """Every table's row count and fingerprint, in one snapshot: what the drill compares."""
    with owner_connection(url) as connection:
        snapshot(connection)
        return {table: table_state(connection, table) for table in tables(connection)}


def _sequences(connection: psycopg.Connection[Any]) -> dict[str, list[Any]]:
    names = connection.execute(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = 'public' AND c.relkind = 'S' ORDER BY c.relname"
    ).fetchall()
    positions = {}
    for (name,) in names:
        row = connection.execute(sql.SQL("SELECT last_value, is_called FROM {}").format(sql.Identifier(name))).fetchone()
        assert row is not None
        positions[name] = [int(row[0]), bool(row[1])]
    return positions


def sha256_and_lines(path: Path) -> tuple[str, int]:
    """The file's SHA-256 and its number of lines (a table's rows: COPY escapes newlines in values)."""
    digest, lines = hashlib.sha256(), 0
    with path.open("rb") as file:
        while chunk := file.read(CHUNK):
            digest.update(chunk)
            lines += chunk.count(b"\n")
    return digest.hexdigest(), lines


def _empty_directory(directory: Path) -> None:
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise BackupError(f"{directory} is not an empty directory; back up into a new one")
    directory.mkdir(parents=True, exist_ok=True)


def backup(directory: Path, database_url: str) -> dict[str, Any]:
    """Write the database at `database_url` (every school, one consistent snapshot) and the
    object store into `directory`, which must not exist or be empty; return the manifest."""
    _empty_directory(directory)
    (directory / TABLES_DIR).mkdir()
    with owner_connection(database_url) as connection:
        snapshot(connection)
        revision = connection.execute("SELECT to_regclass('public.alembic_version') IS NOT NULL").fetchone()
        version_row = connection.execute("SELECT version_num FROM alembic_version").fetchone() if revision and revision[0] else None
        if version_row is None:
            raise BackupError("the database has no schema to back up; is it migrated? try `oneclass db migrate`")
        server = connection.execute("SHOW server_version").fetchone()
        manifest: dict[str, Any] = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "created_at": datetime.now(UTC).isoformat(),
            "revision": version_row[0],
            "server_version": server[0] if server else None,
            "host": platform.node(),
            "sequences": _sequences(connection),
            "tables": {},
        }
        for table, columns in tables(connection).items():
            path = directory / TABLES_DIR / f"{table}.copy"
            copy_out = sql.SQL("COPY {} ({}) TO STDOUT").format(sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
            with path.open("wb") as file, connection.cursor().copy(copy_out) as copy:
                for chunk in copy:
                    file.write(chunk)
            state = table_state(connection, table)
            manifest["tables"][table] = {"columns": columns, "rows": state.rows, "fingerprint": state.fingerprint, "sha256": sha256_and_lines(path)[0]}
        connection.rollback()
    manifest["files"] = _back_up_files(directory / FILES_DIR)
    partial = directory / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True))
    partial.replace(directory / MANIFEST)  # the manifest appears only once everything is written
    return manifest


def _back_up_files(target: Path) -> dict[str, str]:
    store = storage.backend()
    checksums = {}
    for key in store.every_key():
        data = store.get(key) if storage.school_of_key(key) else None  # only files of a school
        if data is None:  # deleted since it was listed
            continue
        path = target.joinpath(*key.split("/"))
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        checksums[key] = hashlib.sha256(data).hexdigest()
    return checksums


def describe(manifest: dict[str, Any]) -> str:
    """What a backup holds, in a few words."""
    rows = sum(table["rows"] for table in manifest["tables"].values())
    return f"{len(manifest['tables'])} tables ({rows} rows) and {len(manifest['files'])} files"


def verify(directory: Path) -> dict[str, Any]:
    """The backup's manifest, once every file it names is there with the contents it recorded."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{directory} holds no complete backup: {MANIFEST} is missing") from None
    except (ValueError, OSError) as error:
        raise BackupError(f"{directory / MANIFEST} is not a backup manifest: {_first_line(error)}") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{directory / MANIFEST} is not a OneClass backup manifest")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"backup format version {manifest.get('format_version')} is not one this version reads ({FORMAT_VERSION})")
    if not _well_formed(manifest):
        raise BackupError(f"{directory / MANIFEST} is not a backup manifest: its fields are not as a backup writes them")
    for table, entry in manifest["tables"].items():
        path = directory / TABLES_DIR / f"{table}.copy"
        if not path.is_file():
            raise BackupError(f"the backup is partial: {path} is missing")
        checksum, lines = sha256_and_lines(path)
        if checksum != entry["sha256"] or lines != entry["rows"]:
            raise BackupError(f"the backup was altered: {path} does not match its checksum and row count in the manifest")
    for key, checksum in manifest["files"].items():
        path = directory / FILES_DIR / Path(*key.split("/"))
        if not path.is_file():
            raise BackupError(f"the backup is partial: file {key} is missing")
        if sha256_and_lines(path)[0] != checksum:
            raise BackupError(f"the backup was altered: file {key} does not match its checksum in the manifest")
    if not known_revision(manifest["revision"]):
        raise BackupError(f"the backup's schema revision {manifest['revision']} is not one this version of OneClass knows (a newer one?)")
    return manifest


def known_revision(revision: str) -> bool:
    try:
        return ScriptDirectory.from_config(migrate.alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False


def well_formed_table(name: object) -> bool:
    """A table name as our schema spells them (so it is no path and needs no quoting anywhere)."""
    return isinstance(name, str) and TABLE_NAME.fullmatch(name) is not None


def _well_formed(manifest: dict[str, Any]) -> bool:
    """Whether the manifest's fields have the shape a backup writes (a hand-edited one may not)."""
    try:
        return (
            isinstance(manifest["revision"], str) and manifest["revision"] != ""
            and all(
                well_formed_table(table) and isinstance(entry["sha256"], str) and isinstance(entry["rows"], int)
                and isinstance(entry["fingerprint"], str) and all(well_formed_table(column) for column in entry["columns"])
                for table, entry in manifest["tables"].items()
            )
            and all(storage.school_of_key(key) and isinstance(checksum, str) for key, checksum in manifest["files"].items())
            and all(well_formed_table(name) and isinstance(position, int) and isinstance(called, bool) for name, (position, called) in manifest["sequences"].items())
        )
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _refuse_non_empty(url: str) -> None:
    try:
        with psycopg.connect(libpq_url(url)) as connection:
            found = connection.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S')"
            ).fetchone()
    except psycopg.Error as error:
        raise BackupError(f"cannot reach the database: {_first_line(error)}") from error
    if found and found[0]:
        raise BackupError("the target database is not empty; restore into a new, empty database")


def load_order(connection: psycopg.Connection[Any], names: list[str]) -> list[str]:
    """`names` with every table after the tables its foreign keys point to."""
    edges = connection.execute(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace WHERE c.contype = 'f' AND n.nspname = 'public'"
    ).fetchall()
    needs: dict[str, set[str]] = {name: set() for name in names}
    for table, referenced in edges:
        if table in needs and referenced in needs and table != referenced:
            needs[table].add(referenced)
    ordered: list[str] = []
    while needs:
        ready = sorted(name for name, pending in needs.items() if not pending)
        if not ready:
            raise BackupError(f"foreign keys form a cycle among {', '.join(sorted(needs))}")
        for name in ready:
            del needs[name]
            ordered.append(name)
        for pending in needs.values():
            pending.difference_update(ready)
    return ordered


def restore(directory: Path, database_url: str) -> dict[str, Any]:
    """Load the backup in `directory` into the empty database at `database_url` (whose role may
    create roles): the schema by the migrations up to the backup's revision, then the rows, the
    sequences' positions and the files. Nothing of the rows is kept unless every table's count
    and fingerprint match the manifest."""
    manifest = verify(directory)
    _refuse_non_empty(database_url)
    for key in manifest["files"]:
        storage.backend().put(key, (directory / FILES_DIR / Path(*key.split("/"))).read_bytes(), "application/octet-stream")
    migrate.upgrade(db.normalise_url(database_url), manifest["revision"])
    with owner_connection(database_url) as connection:
        present = tables(connection)
        missing = sorted(set(manifest["tables"]) - set(present))
        if missing:
            raise BackupError(f"the schema at revision {manifest['revision']} has no table {missing[0]}")
        order = load_order(connection, list(manifest["tables"]))
        connection.execute(sql.SQL("TRUNCATE {}").format(sql.SQL(", ").join(map(sql.Identifier, order))))
        for table in order:
            columns = manifest["tables"][table]["columns"]
            copy_in = sql.SQL("COPY {} ({}) FROM STDIN").format(sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)))
            with (directory / TABLES_DIR / f"{table}.copy").open("rb") as file, connection.cursor().copy(copy_in) as copy:
                while chunk := file.read(CHUNK):
                    copy.write(chunk)
        for name, (position, called) in manifest["sequences"].items():
            connection.execute("SELECT setval(%s::regclass, %s, %s)", (sql.Identifier(name).as_string(connection), position, called))
        for table in order:
            recorded = manifest["tables"][table]
            state = table_state(connection, table)
            if (state.rows, state.fingerprint) != (recorded["rows"], recorded["fingerprint"]):
                raise BackupError(f"{table} restored {state.rows} rows that do not match the backup's {recorded['rows']}; nothing was kept")
        connection.commit()
        connection.autocommit = True
        connection.execute("ANALYZE")
    return manifest
