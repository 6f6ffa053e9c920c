"""Jobs left unfinished by a worker that died whole (killed, its machine lost): a function that
lists every school's unfinished jobs (ids only), so that a worker starting sends their messages
again (`oneclass.services.jobs.requeue_unfinished`) rather than leaving them to the broker's
visibility timeout, hours later.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.db import APP_ROLE

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # SECURITY DEFINER runs as the owner (BYPASSRLS), as routing's function does, and returns
    # what sending a job's message needs: its id, its school and who started it.
    op.execute(
        """
        CREATE FUNCTION unfinished_jobs()
        RETURNS TABLE (id uuid, school_id uuid, created_by uuid)
        LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp
        AS $$
            SELECT j.id, j.school_id, j.created_by FROM jobs j
            WHERE j.status IN ('queued', 'running')
            ORDER BY j.created_at
        $$
        """
    )
    op.execute("REVOKE ALL ON FUNCTION unfinished_jobs() FROM PUBLIC")
    op.execute(f"GRANT EXECUTE ON FUNCTION unfinished_jobs() TO {APP_ROLE}")


def downgrade() -> None:
    op.execute("DROP FUNCTION unfinished_jobs()")
