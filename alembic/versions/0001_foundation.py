"""Foundation: schools, users, platform users, RLS, and the subdomain lookup.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from alembic import op
from oneclass.db import APP_ROLE
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE schools (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
            subdomain text NOT NULL UNIQUE
                CHECK (subdomain ~ '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$'),
            domain text UNIQUE,
            level text NOT NULL CHECK (level IN ('primary', 'secondary', 'combined')),
            currency text NOT NULL DEFAULT 'USD' CHECK (currency IN ('USD', 'ZiG')),
            timezone text NOT NULL DEFAULT 'Africa/Harare',
            status text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended')),
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    # A school sees its own row only; the platform path comes with its own role.
    enable_tenant_rls("schools", column="id", privileges="SELECT, UPDATE")

    op.execute(
        """
        CREATE TABLE users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            email text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
            full_name text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 200),
            role text NOT NULL
                CHECK (role IN ('school_admin', 'teacher', 'student', 'parent', 'staff')),
            password_hash text,
            is_active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_users_school_id ON users (school_id)")
    op.execute("CREATE UNIQUE INDEX ux_users_school_email ON users (school_id, lower(email))")
    enable_tenant_rls("users")

    op.execute(
        """
        CREATE TABLE platform_users (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            email text NOT NULL CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+$'),
            full_name text NOT NULL,
            password_hash text,
            is_active boolean NOT NULL DEFAULT true,
            created_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE UNIQUE INDEX ux_platform_users_email ON platform_users (lower(email))")
    # No policy: the app role sees no platform user until the platform path has its own role.
    op.execute("ALTER TABLE platform_users ENABLE ROW LEVEL SECURITY")
    op.execute("ALTER TABLE platform_users FORCE ROW LEVEL SECURITY")

    # Routing runs before any tenant is known. SECURITY DEFINER runs as the owner (BYPASSRLS),
    # and returns only what routing needs.
    op.execute(
        """
        CREATE FUNCTION find_school_for_host(p_subdomain text, p_domain text)
        RETURNS TABLE (id uuid, name text, subdomain text, level text, status text)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
            SELECT s.id, s.name, s.subdomain, s.level, s.status FROM schools s
            WHERE s.subdomain = lower(p_subdomain) OR s.domain = lower(p_domain)
            ORDER BY (s.subdomain = lower(p_subdomain)) DESC
            LIMIT 1
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION find_school_for_host(text, text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION find_school_for_host(text, text) TO {APP_ROLE}")
    # Health reports whether the schema is at head.
    op.execute(f"GRANT SELECT ON alembic_version TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION find_school_for_host(text, text)")
    op.execute("DROP TABLE platform_users")
    disable_tenant_rls("users")
    op.execute("DROP TABLE users")
    disable_tenant_rls("schools")
    op.execute("DROP TABLE schools")
