"""One school, whole, from one deployment to another (`oneclass school export SUBDOMAIN FILE`,
`oneclass school import FILE`): the school owns its data, and this is also its way out.

The file is a ZIP in a documented, versioned format (docs/school-export.md):

    manifest.json         format "oneclass-school-export", format_version, the schema revision,
                          the school (id, subdomain, name), per table its row count, the
                          fingerprint of its rows and the member's SHA-256, per file its SHA-256
    tables/<table>.jsonl  one JSON object a line, a row as PostgreSQL's to_json writes it
    files/<key>           the school's files in the object store

Every export is recorded in the school's audit log before the rows are read (so the export holds
its own record), every import after the rows are in. Sign-in sessions and reset links
(`refresh_tokens`, `password_reset_tokens`) stay behind: the school's people sign in again.
"""

import getpass
import hashlib
import json
import platform
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from oneclass import db, storage
from oneclass.backup import BackupError, load_order, owner_connection, snapshot, table_state, tables, well_formed_table
from oneclass.services import audit

FORMAT = "oneclass-school-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LEFT_BEHIND = {"refresh_tokens", "password_reset_tokens"}  # live credentials do not travel
BATCH = 1000


def _school_tables(connection: psycopg.Connection[Any]) -> dict[str, list[str]]:
    """`schools` and every table with a `school_id` (the school's data), with their columns."""
    return {
        table: columns for table, columns in tables(connection).items()
        if (table == "schools" or "school_id" in columns) and table not in LEFT_BEHIND
    }


def _only_the_school(table: str) -> sql.Composable:
    return sql.SQL("id = %s") if table == "schools" else sql.SQL("school_id = %s")


def _revision(connection: psycopg.Connection[Any]) -> str:
    row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
    if row is None:
        raise BackupError("the database has no schema; is it migrated? try `oneclass db migrate`")
    return str(row[0])


def _record(school_id: UUID, action: str, detail: dict[str, Any]) -> None:
    with db.owner_session() as session:
        by = {"command": f"oneclass school {action.removeprefix('school.')}", "os_user": getpass.getuser(), "host": platform.node()}
        audit.record(session, school_id=school_id, action=action, actor=audit.Actor(), detail={**by, **detail})
        session.commit()


def export_school(subdomain: str, file: Path) -> dict[str, Any]:
    """Write the school at `subdomain` (its rows, one consistent snapshot, and its files) to the
    new ZIP `file`; return the manifest."""
    if file.exists():
        raise BackupError(f"{file} already exists; export into a new file")
    url = db.owner_url()
    with owner_connection(url) as connection:
        found = connection.execute("SELECT id FROM schools WHERE subdomain = %s", (subdomain,)).fetchone()
        connection.commit()
    if found is None:
        raise BackupError(f"no school has the subdomain {subdomain!r}")
    school_id: UUID = found[0]
    _record(school_id, audit.SCHOOL_EXPORTED, {"file": file.name, "format_version": FORMAT_VERSION})
    partial = file.with_name(f".{file.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive, owner_connection(url) as connection:
            snapshot(connection)
            school = connection.execute("SELECT id, subdomain, name FROM schools WHERE id = %s", (school_id,)).fetchone()
            assert school is not None
            manifest: dict[str, Any] = {
                "format": FORMAT, "format_version": FORMAT_VERSION, "exported_at": datetime.now(UTC).isoformat(),
                "revision": _revision(connection), "school": {"id": str(school[0]), "subdomain": school[1], "name": school[2]},
                "tables": {}, "files": {},
            }
            for table in _school_tables(connection):
                where = _only_the_school(table)
                digest = hashlib.sha256()
                with archive.open(f"tables/{table}.jsonl", "w") as member, connection.cursor(name=f"export_{table}") as rows:
                    rows.execute(sql.SQL("SELECT to_json(t)::text FROM {} AS t WHERE {}").format(sql.Identifier(table), where), (school_id,))
                    for (line,) in rows:
                        data = line.encode() + b"\n"
                        member.write(data)
                        digest.update(data)
                state = table_state(connection, table, where, (school_id,))
                manifest["tables"][table] = {"rows": state.rows, "fingerprint": state.fingerprint, "sha256": digest.hexdigest()}
            connection.rollback()
            store = storage.backend()
            for key in store.every_key():
                data = store.get(key) if key.startswith(f"{school_id}/") else None
                if data is not None:
                    archive.writestr(f"files/{key}", data)
                    manifest["files"][key] = hashlib.sha256(data).hexdigest()
            archive.writestr(MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        partial.replace(file)
    finally:
        partial.unlink(missing_ok=True)
    return manifest


def _lines(archive: zipfile.ZipFile, name: str) -> Iterator[str]:
    with archive.open(name) as member:
        for line in member:
            yield line.decode().rstrip("\n")


def _verified(archive: zipfile.ZipFile, file: Path) -> dict[str, Any]:
    """The export's manifest, once every member it names is there with the contents it recorded."""
    try:
        manifest = json.loads(archive.read(MANIFEST))
    except KeyError:
        raise BackupError(f"{file} is not a complete school export: {MANIFEST} is missing") from None
    except ValueError as error:
        raise BackupError(f"{file}'s {MANIFEST} is not a school export manifest") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{file} is not a OneClass school export")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(f"school export format version {manifest.get('format_version')} is not one this version reads ({FORMAT_VERSION})")
    try:
        school_id = str(manifest["school"]["id"])
        members = {f"tables/{table}.jsonl": str(entry["sha256"]) for table, entry in manifest["tables"].items() if well_formed_table(table)}
        members.update({f"files/{key}": str(checksum) for key, checksum in manifest["files"].items() if storage.school_of_key(key) == school_id})
        well_formed = len(members) == len(manifest["tables"]) + len(manifest["files"]) and {"revision", "exported_at"} <= set(manifest)
        well_formed = well_formed and isinstance(manifest["school"]["subdomain"], str)
    except (KeyError, TypeError, AttributeError):
        well_formed = False
    if not well_formed:
        raise BackupError(f"{file}'s {MANIFEST} is not a school export manifest: its fields are not as an export writes them")
    for name, checksum in members.items():
        try:
            data = archive.read(name)
        except KeyError:
            raise BackupError(f"the export is partial: {name} is missing") from None
        if hashlib.sha256(data).hexdigest() != checksum:
            raise BackupError(f"the export was altered: {name} does not match its checksum in the manifest")
    return manifest


def import_school(file: Path) -> dict[str, Any]:
    """Load the school exported to `file` into this deployment's database (at the same schema
    revision) and object store; refused when the school (its id or subdomain) is here already.
    Nothing is kept unless every table's count and fingerprint match the export's."""
    try:
        archive = zipfile.ZipFile(file)
    except (OSError, zipfile.BadZipFile) as error:
        raise BackupError(f"{file} is not a school export: {error}") from error
    with archive:
        manifest = _verified(archive, file)
        school = manifest["school"]
        with owner_connection(db.owner_url()) as connection:
            if (revision := _revision(connection)) != manifest["revision"]:
                raise BackupError(f"the export is of schema revision {manifest['revision']}, this deployment is at {revision}: run the same version of OneClass on both")
            taken = connection.execute("SELECT subdomain FROM schools WHERE id = %s OR subdomain = %s", (school["id"], school["subdomain"])).fetchone()
            if taken:
                raise BackupError(f"a school with the id or subdomain of {school['subdomain']!r} already exists here")
            present = _school_tables(connection)
            for table in load_order(connection, list(manifest["tables"])):
                columns = sql.SQL(", ").join(map(sql.Identifier, present[table]))
                insert = sql.SQL("INSERT INTO {} ({}) SELECT {} FROM json_populate_recordset(NULL::{}, %s::json)").format(
                    sql.Identifier(table), columns, columns, sql.Identifier(table)
                )
                batch: list[str] = []
                for line in _lines(archive, f"tables/{table}.jsonl"):
                    batch.append(line)
                    if len(batch) == BATCH:
                        connection.execute(insert, ("[" + ",".join(batch) + "]",))
                        batch = []
                if batch:
                    connection.execute(insert, ("[" + ",".join(batch) + "]",))
                recorded = manifest["tables"][table]
                state = table_state(connection, table, _only_the_school(table), (school["id"],))
                if (state.rows, state.fingerprint) != (recorded["rows"], recorded["fingerprint"]):
                    raise BackupError(f"{table} imported {state.rows} rows that do not match the export's {recorded['rows']}; nothing was kept")
            for key in manifest["files"]:
                storage.backend().put(key, archive.read(f"files/{key}"), "application/octet-stream")
            connection.commit()
    _record(UUID(school["id"]), audit.SCHOOL_IMPORTED, {"file": file.name, "exported_at": manifest["exported_at"]})
    return manifest
