"""Row Level Security, tested from the outside: as school A, reach for school B's rows."""

import json
import uuid
from decimal import Decimal

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select

from models import Enrolment, Invoice, OnlineMethod, PaynowTransaction, ReportPublication, School, SchoolClass, User
from oneclass import db
from oneclass.demo_records import seed_school_records
from oneclass.rls import PLATFORM_POLICY_NAME, find_rls_problems
from oneclass.services import auth, calendar, jobs, notifications, online_payments, report_cards
from oneclass.tenancy import find_school_route
from tests.conftest import TEST_PASSWORD, SchoolFixture, fresh_ip


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
    admin = auth.sign_in(school=route, email=f"school_admin@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip())
    teacher = auth.sign_in(school=route, email=f"teacher@{school.subdomain}.test", password=TEST_PASSWORD, ip=fresh_ip())
    auth.issue_password_reset(admin=admin.user, user_id=teacher.user.id, ip=fresh_ip())
    with db.tenant_session(school.id) as session:
        seed_school_records(session, admin=admin.user, subdomain=school.subdomain, level=route.level, students=4)
        session.commit()
    with db.unit_of_work(admin.user) as session:
        jobs.start(session, actor=admin.user, kind="isolation", key="isolation")  # a row; never queued
        # The demo publishes this year's terms already over: in the first term there is none yet.
        if session.exec(select(ReportPublication)).first() is None:
            term = calendar.term_for_day(session, calendar.today_for(session, school.id))
            school_class = session.exec(select(SchoolClass)).first()
            assert term is not None and school_class is not None
            session.add(ReportPublication(school_id=school.id, term_id=term.id, class_id=school_class.id, published_by=admin.user.id))
        term = calendar.term_for_day(session, calendar.today_for(session, school.id))
        enrolment = session.exec(select(Enrolment).join(SchoolClass, col(SchoolClass.id) == Enrolment.class_id)
                                 .where(SchoolClass.academic_year_id == term.academic_year_id)).first() if term else None
        assert term is not None and enrolment is not None
        term_id, student_id = term.id, enrolment.student_id
    # A comment of this term (the demo comments on the terms already over, which may be none).
    report_cards.save_comment(actor=admin.user, term_id=term_id, student_id=student_id, head_comment="Isolation")
    # A Paynow integration and a payment started through it (as start_payment writes one, without
    # asking a Paynow server).
    with db.unit_of_work(admin.user) as session:
        online_payments.set_integration(session, school_id=school.id, currency="USD", integration_id="1201", key="isolation-key", updated_by=admin.user.id)
        invoice = session.exec(select(Invoice).where(col(Invoice.sponsor_id).is_(None))).first()
        assert invoice is not None
        session.add(PaynowTransaction(
            school_id=school.id, reference="OC-ISOLATION", invoice_id=invoice.id, student_id=invoice.student_id, started_by=admin.user.id,
            currency=invoice.currency, amount=Decimal("1.00"), method=OnlineMethod.web,
        ))
    # A notice in a user's in-app list (with its ledger row) and a channel chosen.
    with db.unit_of_work(admin.user) as session:
        notifications.notify_users(session, school.id, [teacher.user.id], "announcement", "isolation", "Isolation", "A notice.")
    notifications.choose_channel(actor=teacher.user, channel="email", sms_opt_out=False)


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


@pytest.fixture
def filled_schools(two_schools) -> tuple[SchoolFixture, SchoolFixture]:
    """Two schools with rows in every tenant table, so no check below can pass on an empty one."""
    for school in two_schools:
        _fill_every_tenant_table(school)
    return two_schools


def _rows_of(table: str, school: SchoolFixture) -> int:
    """How many rows of `school` the owner (past RLS) sees in `table`."""
    with db.owner_engine().connect() as connection:
        return connection.execute(text(f"SELECT count(*) FROM {table} WHERE school_id = :s"), {"s": school.id}).scalar_one()


def _app_privileges(table: str) -> set[str]:
    with db.owner_engine().connect() as connection:
        return {
            privilege
            for privilege in ("SELECT", "INSERT", "UPDATE", "DELETE")
            if connection.execute(
                text("SELECT has_table_privilege(:role, :t, :p)"), {"role": db.APP_ROLE, "t": table, "p": privilege}
            ).scalar_one()
        }


# How the migrations mark a table: `enable_tenant_rls(..., privileges="SELECT, INSERT")` keeps it
# append-only (audit, mail); every other tenant table gets the full set.
FULL = {"SELECT", "INSERT", "UPDATE", "DELETE"}
APPEND_ONLY = {"SELECT", "INSERT"}


def _append_only_tables() -> list[str]:
    return [table for table in _tenant_tables() if _app_privileges(table) == APPEND_ONLY]


def test_every_tenant_table_grants_the_app_role_full_or_append_only_access() -> None:
    grants = {table: _app_privileges(table) for table in _tenant_tables()}
    assert {table: granted for table, granted in grants.items() if granted not in (FULL, APPEND_ONLY)} == {}
    assert {"audit_events", "outgoing_mail"} <= set(_append_only_tables())


def test_no_tenant_sees_nothing_in_any_table(filled_schools) -> None:
    """With no school set, through the tenant helper or on a bare app connection: no rows, in
    every tenant table (each of which has rows of both schools)."""
    tables = [*_tenant_tables(), "schools"]
    for school in filled_schools:
        for table in _tenant_tables():
            assert _rows_of(table, school) > 0, f"{table} has no row of {school.subdomain} to hide"
    with db.tenant_session(None) as session:
        connection = session.connection()
        seen = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}
    assert seen == dict.fromkeys(tables, 0)
    with db.app_engine().connect() as connection:
        # Outside the tenant helper entirely: still nothing (fail closed).
        seen = {table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one() for table in tables}
    assert seen == dict.fromkeys(tables, 0)
    # Super admins are not the app role's business at all, tenant or not.
    with db.app_engine().connect() as connection, pytest.raises(DBAPIError, match="permission denied"):
        connection.execute(text("SELECT count(*) FROM platform_users"))


def _insertable_columns(table: str) -> list[str]:
    with db.owner_engine().connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :t "
                    "AND is_generated = 'NEVER' AND coalesce(identity_generation, '') <> 'ALWAYS' ORDER BY ordinal_position"
                ),
                {"t": table},
            ).scalars()
        )


def _copy_of_a_row(table: str, school: SchoolFixture) -> dict[str, object]:
    """One of `school`'s rows in `table`, read by the owner, with a fresh id: a row the table
    would take, but for the tenant line."""
    with db.owner_engine().connect() as connection:
        row = connection.execute(
            text(f"SELECT to_jsonb(t) FROM {table} t WHERE school_id = :s LIMIT 1"), {"s": school.id}
        ).scalar()
    assert row is not None, f"{table} has no row of {school.subdomain} to copy: fill it in _fill_every_tenant_table"
    if "id" in row:
        row["id"] = str(uuid.uuid4())
    return row


def test_cannot_insert_into_another_school_in_any_table(filled_schools) -> None:
    """As school A, a row carrying school B's id is refused by the policy in every tenant table
    (append-only ones too: they take inserts, only of the school's own rows)."""
    school_a, school_b = filled_schools
    for table in _tenant_tables():
        row = _copy_of_a_row(table, school_b)
        columns = ", ".join(_insertable_columns(table))
        before = _rows_of(table, school_b)
        with db.tenant_session(school_a.id) as session:
            with pytest.raises(DBAPIError, match="new row violates row-level security policy") as refused:
                session.connection().execute(
                    text(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM jsonb_populate_record(NULL::{table}, CAST(:row AS jsonb))"),
                    {"row": json.dumps(row)},
                )
            assert table in str(refused.value)
            session.rollback()
        assert _rows_of(table, school_b) == before, table


def test_update_and_delete_of_another_schools_rows_change_nothing_in_any_table(filled_schools) -> None:
    school_a, school_b = filled_schools
    for table in _tenant_tables():
        granted = _app_privileges(table)
        before = _rows_of(table, school_b)
        with db.tenant_session(school_a.id) as session:
            connection = session.connection()
            if "UPDATE" in granted:
                updated = connection.execute(text(f"UPDATE {table} SET school_id = school_id WHERE school_id = :b"), {"b": school_b.id})
                assert updated.rowcount == 0, table
            if "DELETE" in granted:
                deleted = connection.execute(text(f"DELETE FROM {table} WHERE school_id = :b"), {"b": school_b.id})
                assert deleted.rowcount == 0, table
            session.commit()
        assert _rows_of(table, school_b) == before > 0, table
    with db.tenant_session(school_a.id) as session:
        renamed = session.connection().execute(text("UPDATE schools SET require_admin_mfa = true WHERE id = :b"), {"b": school_b.id})
        session.commit()
    assert renamed.rowcount == 0
    with db.tenant_session(school_b.id) as session:
        assert session.exec(select(School)).one().require_admin_mfa is False


def test_append_only_tables_refuse_update_and_delete(filled_schools) -> None:
    """Even a school's own rows: the app role may only add to an append-only table."""
    school_a, _ = filled_schools
    for table in _append_only_tables():
        assert _rows_of(table, school_a) > 0, table
        for statement in (f"UPDATE {table} SET school_id = school_id", f"DELETE FROM {table}"):
            with db.tenant_session(school_a.id) as session:
                with pytest.raises(DBAPIError, match="permission denied"):
                    session.connection().execute(text(statement))
                session.rollback()
        assert _rows_of(table, school_a) > 0, table


def _platform_policies() -> dict[str, set[str]]:
    """The tables the platform role's `platform_access` policies name, with their commands."""
    with db.owner_engine().connect() as connection:
        rows = connection.execute(
            text("SELECT tablename, cmd FROM pg_policies WHERE schemaname = 'public' AND policyname = :p"),
            {"p": PLATFORM_POLICY_NAME},
        ).all()
    policies: dict[str, set[str]] = {}
    for table, command in rows:
        policies.setdefault(table, set()).update(FULL if command == "ALL" else {command})
    return policies


def _first_column(table: str) -> str:
    with db.owner_engine().connect() as connection:
        return connection.execute(
            text("SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = :t ORDER BY ordinal_position LIMIT 1"),
            {"t": table},
        ).scalar_one()


def test_platform_role_reaches_only_what_its_policies_name(filled_schools) -> None:
    """Every table and command the platform role's policies do not name is refused to it: no grant
    beyond a policy, and each such statement actually tried and refused."""
    school_a, school_b = filled_schools
    policies = _platform_policies()
    assert set(policies) >= {"schools", "platform_users", "audit_events"}
    with db.owner_engine().connect() as connection:
        tables = connection.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'alembic_version' ORDER BY tablename")
        ).scalars().all()
        granted = {
            (table, privilege)
            for table in tables
            for privilege in FULL
            if connection.execute(
                text("SELECT has_table_privilege(:role, :t, :p)"), {"role": db.PLATFORM_ROLE, "t": table, "p": privilege}
            ).scalar_one()
        }
    assert {(table, privilege) for table, privilege in granted if privilege not in policies.get(table, set())} == set()
    assert {"users", "students", "refresh_tokens", "password_reset_tokens", "outgoing_mail"} <= set(tables) - set(policies)
    refused = [(table, privilege) for table in tables for privilege in sorted(FULL) if (table, privilege) not in granted]
    assert {(table, privilege) for table in tables if table not in policies for privilege in FULL} <= set(refused)
    with db.platform_session() as session:
        connection = session.connection()
        assert connection.execute(text("SELECT current_user")).scalar() == db.PLATFORM_ROLE
        ids = set(connection.execute(text("SELECT id FROM schools")).scalars())
        assert {school_a.id, school_b.id} <= ids  # every school, for the platform's own pages
        session.rollback()
        for table, privilege in refused:
            column = _first_column(table)
            statement = {
                "SELECT": f"SELECT count(*) FROM {table}",
                "INSERT": f"INSERT INTO {table} DEFAULT VALUES",
                "UPDATE": f"UPDATE {table} SET {column} = {column}",
                "DELETE": f"DELETE FROM {table}",
            }[privilege]
            with pytest.raises(DBAPIError, match="permission denied"):
                session.connection().execute(text(statement))
            session.rollback()
    for table in _tenant_tables():
        assert _rows_of(table, school_a) > 0 and _rows_of(table, school_b) > 0, table
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
