"""Background jobs: what a Celery worker does for a school, its progress and its outcome.

Revision ID: 0009
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE jobs (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
            key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
            status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
            done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
            total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
            message text NOT NULL DEFAULT '',
            result text,
            params jsonb NOT NULL DEFAULT '{}',
            attempts integer NOT NULL DEFAULT 0,
            created_by uuid NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            UNIQUE (school_id, key),
            FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_jobs_school_id ON jobs (school_id)")
    enable_tenant_rls("jobs")


def downgrade() -> None:
    disable_tenant_rls("jobs")
    op.execute("DROP TABLE jobs")
