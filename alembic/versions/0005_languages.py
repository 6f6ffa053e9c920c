"""Languages: a school's default, and each person's own choice.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from alembic import op
from oneclass.db import APP_ROLE

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

LANGUAGE_CHECK = "language IN ('en', 'sn', 'nd')"


def _find_school_for_host(columns: str) -> str:
    # The host lookup runs before any tenant is set, so it is the only way the app role reads a
    # school's routing facts; the page's language is one of them now.
    return f"""
        CREATE FUNCTION find_school_for_host(p_subdomain text, p_domain text)
        RETURNS TABLE ({columns})
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
            SELECT s.id, s.name, s.subdomain, s.level, s.status{", s.language" if "language" in columns else ""}
            FROM schools s
            WHERE s.subdomain = lower(p_subdomain) OR s.domain = lower(p_domain)
            ORDER BY (s.subdomain = lower(p_subdomain)) DESC
            LIMIT 1
        $$
    """


def _replace_find_school_for_host(columns: str) -> None:
    op.execute("DROP FUNCTION find_school_for_host(text, text)")
    op.execute(_find_school_for_host(columns))
    op.execute("REVOKE ALL ON FUNCTION find_school_for_host(text, text) FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION find_school_for_host(text, text) TO {APP_ROLE}")


def upgrade() -> None:
    op.execute(f"ALTER TABLE schools ADD COLUMN language text NOT NULL DEFAULT 'en' CHECK ({LANGUAGE_CHECK})")
    op.execute(f"ALTER TABLE users ADD COLUMN language text CHECK ({LANGUAGE_CHECK})")
    op.execute(f"ALTER TABLE platform_users ADD COLUMN language text CHECK ({LANGUAGE_CHECK})")
    # A school admin sets the school's default language among its own settings.
    op.execute(f"GRANT UPDATE (language) ON schools TO {APP_ROLE}")
    _replace_find_school_for_host("id uuid, name text, subdomain text, level text, status text, language text")


def downgrade() -> None:
    _replace_find_school_for_host("id uuid, name text, subdomain text, level text, status text")
    op.execute(f"REVOKE UPDATE (language) ON schools FROM {APP_ROLE}")
    op.execute("ALTER TABLE platform_users DROP COLUMN language")
    op.execute("ALTER TABLE users DROP COLUMN language")
    op.execute("ALTER TABLE schools DROP COLUMN language")
