"""Row Level Security, tested from the outside: as school A, reach for school B's rows."""

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from models import School, User
from oneclass import db
from oneclass.demo_records import seed_school_records
from oneclass.rls import find_rls_problems
from oneclass.services import auth
from oneclass.tenancy import find_school_route
from tests.conftest import TEST_PASSWORD, SchoolFixture


def test_app_role_cannot_bypass_rls() -> None:
    with db.owner_engine().connect() as connection:
        role = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": db.APP_ROLE}
        ).one()
    assert role == (False, False)
    with db.app_engine().connect() as connection:
        assert connection.execute(text("SELECT current_user")).scalar() == db.APP_ROLE


def test_tenant_tables_have_rls_enabled_and_forced(two_schools) -> None:
    with db.owner_engine().connect() as connection:
        flags = dict(
            connection.execute(
                text(
                    "SELECT relname, relrowsecurity AND relforcerowsecurity FROM pg_class "
                    "WHERE relname IN ('schools', 'users', 'platform_users')"
                )
            ).all()
        )
        # Refuse to pass on empty tables: the rows must be there for RLS to hide them.
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() >= 10
        assert find_rls_problems(connection) == []
    assert flags == {"schools": True, "users": True, "platform_users": True}


def test_each_school_sees_only_its_own_rows(two_schools) -> None:
    school_a, school_b = two_schools
    for school in (school_a, school_b):
        with db.tenant_session(school.id) as session:
            users = session.exec(select(User)).all()
            schools = session.exec(select(School)).all()
        assert len(users) == 5
        assert {user.school_id for user in users} == {school.id}
        assert [s.id for s in schools] == [school.id]


def test_no_tenant_sees_nothing(two_schools) -> None:
    with db.tenant_session(None) as session:
        assert session.exec(select(User)).all() == []
        assert session.exec(select(School)).all() == []
    with db.app_engine().connect() as connection:
        # Outside the tenant helper entirely: still nothing (fail closed).
        assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0

    with db.app_engine().connect() as connection:
        # Super admins are not the app role's business at all, tenant or not.
        with pytest.raises(DBAPIError, match="permission denied"):
            connection.execute(text("SELECT count(*) FROM platform_users"))


def test_cannot_insert_into_another_school(two_schools) -> None:
    school_a, school_b = two_schools
    with db.tenant_session(school_a.id) as session:
        with pytest.raises(DBAPIError, match="row-level security"):
            session.connection().execute(
                text(
                    "INSERT INTO users (school_id, email, full_name, role) "
                    "VALUES (:school, 'intruder@x.test', 'Intruder', 'teacher')"
                ),
                {"school": school_b.id},
            )
        session.rollback()
    with db.tenant_session(school_b.id) as session:
        emails = session.exec(select(User.email)).all()
    assert "intruder@x.test" not in emails


def test_cannot_move_a_row_into_another_school(two_schools) -> None:
    school_a, school_b = two_schools
    with db.tenant_session(school_a.id) as session:
        with pytest.raises(DBAPIError, match="row-level security"):
            session.connection().execute(
                text("UPDATE users SET school_id = :other"), {"other": school_b.id}
            )
        session.rollback()
    with db.tenant_session(school_a.id) as session:
        assert len(session.exec(select(User)).all()) == 5


def test_update_and_delete_of_another_schools_rows_change_nothing(two_schools) -> None:
    school_a, school_b = two_schools
    with db.tenant_session(school_a.id) as session:
        connection = session.connection()
        updated = connection.execute(
            text("UPDATE users SET full_name = 'hacked' WHERE school_id = :b"), {"b": school_b.id}
        )
        deleted = connection.execute(text("DELETE FROM users WHERE school_id = :b"), {"b": school_b.id})
        renamed = connection.execute(text("UPDATE schools SET require_admin_mfa = true WHERE id = :b"), {"b": school_b.id})
        session.commit()
    assert (updated.rowcount, deleted.rowcount, renamed.rowcount) == (0, 0, 0)
    with db.tenant_session(school_b.id) as session:
        users = session.exec(select(User)).all()
        school = session.exec(select(School)).one()
    assert len(users) == 5 and "hacked" not in {u.full_name for u in users}
    assert school.require_admin_mfa is False


def test_pooled_connection_does_not_inherit_previous_tenant(two_schools) -> None:
    school_a, school_b = two_schools
    # One pooled connection, reused by every session below.
    engine = create_engine(db.app_url(), pool_size=1, max_overflow=0)
    try:
        with db.tenant_session(school_a.id, engine=engine) as session:
            assert len(session.exec(select(User)).all()) == 5
            first_pid = session.connection().execute(text("SELECT pg_backend_pid()")).scalar()
            session.commit()
        with engine.connect() as connection:
            assert connection.execute(text("SELECT pg_backend_pid()")).scalar() == first_pid
            setting = connection.execute(
                text("SELECT current_setting('app.current_school_id', true)")
            ).scalar()
            assert setting in ("", None)
            assert connection.execute(text("SELECT count(*) FROM users")).scalar() == 0
        with db.tenant_session(school_b.id, engine=engine) as session:
            users = session.exec(select(User)).all()
        assert {u.school_id for u in users} == {school_b.id}
        with db.tenant_session(None, engine=engine) as session:
            assert session.exec(select(User)).all() == []
    finally:
        engine.dispose()


def test_tenant_is_set_per_transaction_not_per_session(two_schools) -> None:
    school_a, _ = two_schools
    with db.tenant_session(school_a.id) as session:
        session.exec(select(User)).all()
        session.commit()
        # A new transaction in the same session gets the school again from the hook.
        assert len(session.exec(select(User)).all()) == 5


def _tenant_tables() -> list[str]:
    with db.owner_engine().connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT table_name FROM information_schema.columns "
                    "WHERE table_schema = 'public' AND column_name = 'school_id' ORDER BY table_name"
                )
            ).scalars()
        )


def _fill_every_tenant_table(school: SchoolFixture) -> None:
    """Give each tenant table at least one row of `school`, written the way the app writes them."""
    route = find_school_route(subdomain=school.subdomain)
    admin = auth.sign_in(school=route, email=f"school_admin@{school.subdomain}.test", password=TEST_PASSWORD, ip="x")
    teacher = auth.sign_in(school=route, email=f"teacher@{school.subdomain}.test", password=TEST_PASSWORD, ip="x")
    auth.issue_password_reset(admin=admin.user, user_id=teacher.user.id, ip="x")
    with db.tenant_session(school.id) as session:
        seed_school_records(session, admin=admin.user, subdomain=school.subdomain, level=route.level, students=4)
        session.commit()


def test_every_tenant_table_is_isolated(two_schools) -> None:
    """Every table with a school_id, discovered from the schema: each school sees only its own
    rows (and some rows, so the test cannot pass on empty tables), and cannot move a row over."""
    school_a, school_b = two_schools
    _fill_every_tenant_table(school_a)
    _fill_every_tenant_table(school_b)
    tables = _tenant_tables()
    assert {"users", "refresh_tokens", "password_reset_tokens", "outgoing_mail", "audit_events", "students", "guardians", "enrolments"} <= set(tables)
    assert len(tables) >= 18
    for school, other in ((school_a, school_b), (school_b, school_a)):
        with db.tenant_session(school.id) as session:
            connection = session.connection()
            for table in tables:
                seen = connection.execute(text(f"SELECT DISTINCT school_id FROM {table}")).scalars().all()
                assert seen == [school.id], table
                hidden = connection.execute(
                    text(f"SELECT count(*) FROM {table} WHERE school_id = :other"), {"other": other.id}
                ).scalar()
                assert hidden == 0, table
    for table in tables:
        with db.tenant_session(school_a.id) as session:
            has_update = session.connection().execute(
                text("SELECT has_table_privilege(current_user, :t, 'UPDATE')"), {"t": table}
            ).scalar()
            if not has_update:
                continue  # append-only tables (audit, mail) cannot be updated by the app at all
            with pytest.raises(DBAPIError, match="row-level security"):
                session.connection().execute(text(f"UPDATE {table} SET school_id = :b"), {"b": school_b.id})
            session.rollback()


def test_append_only_tables_refuse_update_and_delete(two_schools) -> None:
    school_a, _ = two_schools
    _fill_every_tenant_table(school_a)
    for table in ("audit_events", "outgoing_mail"):
        with db.tenant_session(school_a.id) as session:
            with pytest.raises(DBAPIError, match="permission denied"):
                session.connection().execute(text(f"DELETE FROM {table}"))
            session.rollback()


def test_platform_role_reaches_only_what_its_policies_name(two_schools) -> None:
    school_a, school_b = two_schools
    with db.platform_session() as session:
        connection = session.connection()
        assert connection.execute(text("SELECT current_user")).scalar() == db.PLATFORM_ROLE
        ids = set(connection.execute(text("SELECT id FROM schools")).scalars())
        assert {school_a.id, school_b.id} <= ids  # every school, for the platform's own pages
        for table in ("users", "refresh_tokens", "password_reset_tokens", "outgoing_mail"):
            with pytest.raises(DBAPIError, match="permission denied"):
                connection.execute(text(f"SELECT count(*) FROM {table}"))
            session.rollback()
            connection = session.connection()
    with db.owner_engine().connect() as connection:
        role = connection.execute(
            text("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = :r"), {"r": db.PLATFORM_ROLE}
        ).one()
    assert role == (False, False)


def test_a_school_cannot_change_its_own_status_or_address(two_schools) -> None:
    school_a, _ = two_schools
    with db.tenant_session(school_a.id) as session:
        for column, value in (("status", "active"), ("subdomain", "taken-over"), ("name", "Renamed")):
            with pytest.raises(DBAPIError, match="permission denied"):
                session.connection().execute(text(f"UPDATE schools SET {column} = :v"), {"v": value})
            session.rollback()
        # Its own settings it may change.
        assert session.connection().execute(text("UPDATE schools SET require_admin_mfa = true")).rowcount == 1
