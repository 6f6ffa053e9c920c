"""Identity: refresh tokens, password resets, TOTP, audit log, outgoing mail, the platform role.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from alembic import op
from oneclass.db import PLATFORM_ROLE
from oneclass.rls import disable_tenant_rls, enable_tenant_rls, grant_platform, revoke_platform

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MFA_COLUMNS = """
    ADD COLUMN totp_secret text,
    ADD COLUMN totp_enabled boolean NOT NULL DEFAULT false,
    ADD COLUMN recovery_code_hashes jsonb NOT NULL DEFAULT '[]'::jsonb,
    ADD COLUMN password_changed_at timestamptz
"""


def upgrade() -> None:
    op.execute(f"ALTER TABLE users {MFA_COLUMNS}")
    op.execute(f"ALTER TABLE platform_users {MFA_COLUMNS}")
    op.execute("ALTER TABLE schools ADD COLUMN require_admin_mfa boolean NOT NULL DEFAULT false")

    op.execute(
        """
        CREATE TABLE refresh_tokens (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            family_id uuid NOT NULL,
            token_hash text NOT NULL UNIQUE,
            expires_at timestamptz NOT NULL,
            used_at timestamptz,
            revoked_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_refresh_tokens_school_id ON refresh_tokens (school_id)")
    op.execute("CREATE INDEX ix_refresh_tokens_family_id ON refresh_tokens (family_id)")
    enable_tenant_rls("refresh_tokens")

    op.execute(
        """
        CREATE TABLE platform_refresh_tokens (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            platform_user_id uuid NOT NULL REFERENCES platform_users(id) ON DELETE CASCADE,
            family_id uuid NOT NULL,
            token_hash text NOT NULL UNIQUE,
            expires_at timestamptz NOT NULL,
            used_at timestamptz,
            revoked_at timestamptz,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_platform_refresh_tokens_family_id ON platform_refresh_tokens (family_id)")

    op.execute(
        """
        CREATE TABLE password_reset_tokens (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
            token_hash text NOT NULL UNIQUE,
            expires_at timestamptz NOT NULL,
            used_at timestamptz,
            created_by uuid,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_password_reset_tokens_school_id ON password_reset_tokens (school_id)")
    enable_tenant_rls("password_reset_tokens")

    op.execute(
        """
        CREATE TABLE outgoing_mail (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            recipient text NOT NULL,
            subject text NOT NULL,
            body text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_outgoing_mail_school_id ON outgoing_mail (school_id)")
    enable_tenant_rls("outgoing_mail", privileges="SELECT, INSERT")

    op.execute(
        """
        CREATE TABLE audit_events (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            actor_id uuid,
            actor_email text,
            action text NOT NULL,
            target text,
            detail jsonb NOT NULL DEFAULT '{}'::jsonb,
            ip text,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_audit_events_school_id ON audit_events (school_id, created_at DESC)")
    # An audit trail is appended to, never edited.
    enable_tenant_rls("audit_events", privileges="SELECT, INSERT")

    op.execute(
        """
        CREATE TABLE platform_audit_events (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            subject_school_id uuid REFERENCES schools(id) ON DELETE SET NULL,
            actor_id uuid,
            actor_email text,
            action text NOT NULL,
            target text,
            detail jsonb NOT NULL DEFAULT '{}'::jsonb,
            ip text,
            created_at timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    op.execute("CREATE INDEX ix_platform_audit_events_created_at ON platform_audit_events (created_at DESC)")

    for table in ("platform_refresh_tokens", "platform_audit_events"):
        op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")

    # The platform role's whole reach: the platform's own tables, schools, and reading audit.
    grant_platform("schools", "SELECT, INSERT, UPDATE")
    grant_platform("platform_users", "SELECT, INSERT, UPDATE")
    grant_platform("platform_refresh_tokens", "SELECT, INSERT, UPDATE")
    grant_platform("platform_audit_events", "SELECT, INSERT")
    grant_platform("audit_events", "SELECT", command="SELECT")
    op.execute(f"GRANT EXECUTE ON FUNCTION find_school_for_host(text, text) TO {PLATFORM_ROLE}")


def downgrade() -> None:
    op.execute(f"REVOKE EXECUTE ON FUNCTION find_school_for_host(text, text) FROM {PLATFORM_ROLE}")
    for table in ("audit_events", "platform_audit_events", "platform_refresh_tokens", "platform_users", "schools"):
        revoke_platform(table)
    op.execute("DROP TABLE platform_audit_events")
    for table in ("audit_events", "outgoing_mail", "password_reset_tokens", "refresh_tokens"):
        disable_tenant_rls(table)
        op.execute(f"DROP TABLE {table}")
    op.execute("DROP TABLE platform_refresh_tokens")
    op.execute("ALTER TABLE schools DROP COLUMN require_admin_mfa")
    for table in ("users", "platform_users"):
        op.execute(
            f"ALTER TABLE {table} DROP COLUMN totp_secret, DROP COLUMN totp_enabled, "
            "DROP COLUMN recovery_code_hashes, DROP COLUMN password_changed_at"
        )
