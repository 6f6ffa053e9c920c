"""Row Level Security: the policy every tenant table gets, and the check that it has it.

Migrations call `enable_tenant_rls`; `oneclass check` calls `find_rls_problems`.
"""

from dataclasses import dataclass

from sqlalchemy import Connection, text

from alembic import op
from oneclass.db import APP_ROLE, PLATFORM_ROLE, TENANT_SETTING

# NULLIF: a pooled connection that has seen the setting before returns '' rather than NULL.
CURRENT_SCHOOL = f"NULLIF(current_setting('{TENANT_SETTING}', true), '')::uuid"
POLICY_NAME = "tenant_isolation"
PLATFORM_POLICY_NAME = "platform_access"
# Tables that are not tenant data and need no policy (only the owner touches them).
EXEMPT_TABLES = {"alembic_version"}


def enable_tenant_rls(table: str, column: str = "school_id", privileges: str = "SELECT, INSERT, UPDATE, DELETE") -> None:
    """Enable and force RLS on `table` with the one tenant policy, and grant the app role."""
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY_NAME} ON {table} "
        f"USING ({column} = {CURRENT_SCHOOL}) WITH CHECK ({column} = {CURRENT_SCHOOL})"
    )
    op.execute(f"GRANT {privileges} ON {table} TO {APP_ROLE}")


def grant_platform(table: str, privileges: str, command: str = "ALL") -> None:
    """Let the platform role (and only it) past RLS on `table`, for `command`."""
    check = "" if command == "SELECT" else " WITH CHECK (true)"
    op.execute(
        f"CREATE POLICY {PLATFORM_POLICY_NAME} ON {table} FOR {command} TO {PLATFORM_ROLE} USING (true){check}"
    )
    op.execute(f"GRANT {privileges} ON {table} TO {PLATFORM_ROLE}")


def revoke_platform(table: str) -> None:
    op.execute(f"REVOKE ALL ON {table} FROM {PLATFORM_ROLE}")
    op.execute(f"DROP POLICY IF EXISTS {PLATFORM_POLICY_NAME} ON {table}")


def disable_tenant_rls(table: str) -> None:
    op.execute(f"REVOKE ALL ON {table} FROM {APP_ROLE}")
    op.execute(f"DROP POLICY IF EXISTS {POLICY_NAME} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")


@dataclass(frozen=True)
class RlsProblem:
    table: str
    problem: str

    def __str__(self) -> str:
        return f"{self.table}: {self.problem}"


def find_rls_problems(connection: Connection) -> list[RlsProblem]:
    """Every table in `public` must have RLS enabled and forced; every tenant table (one with a
    `school_id` column, and `schools` itself) must also have a policy on the current school."""
    rows = connection.execute(
        text(
            """
            SELECT c.relname AS table,
                   c.relrowsecurity AS enabled,
                   c.relforcerowsecurity AS forced,
                   EXISTS (SELECT 1 FROM information_schema.columns col
                           WHERE col.table_schema = 'public' AND col.table_name = c.relname
                             AND col.column_name = 'school_id') AS has_school_id,
                   EXISTS (SELECT 1 FROM pg_policies p
                           WHERE p.schemaname = 'public' AND p.tablename = c.relname
                             AND p.qual LIKE '%' || :setting || '%'
                             AND p.with_check LIKE '%' || :setting || '%') AS has_policy
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
            ORDER BY c.relname
            """
        ),
        {"setting": TENANT_SETTING},
    ).mappings()
    problems: list[RlsProblem] = [
        RlsProblem(row["tablename"], f"policy {row['policyname']} does not filter on the current school")
        for row in connection.execute(
            text(
                """
                SELECT tablename, policyname FROM pg_policies
                WHERE schemaname = 'public'
                  AND (roles && ARRAY['public', :app]::name[])
                  AND (coalesce(qual, '') NOT LIKE '%' || :setting || '%'
                       OR (cmd <> 'SELECT' AND coalesce(with_check, qual, '') NOT LIKE '%' || :setting || '%'))
                ORDER BY tablename, policyname
                """
            ),
            {"app": APP_ROLE, "setting": TENANT_SETTING},
        ).mappings()
    ]
    for row in rows:
        table = row["table"]
        if table in EXEMPT_TABLES:
            continue
        if not row["enabled"]:
            problems.append(RlsProblem(table, "row level security is not enabled"))
        if not row["forced"]:
            problems.append(RlsProblem(table, "row level security is not forced"))
        is_tenant_table = row["has_school_id"] or table == "schools"
        if is_tenant_table and not row["has_policy"]:
            problems.append(RlsProblem(table, "no policy on app.current_school_id"))
    return problems
