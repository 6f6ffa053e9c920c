"""Report cards: the class teacher's and the head's comments per student and term, whether a
school shows class and level positions on its report cards, and its logo (a storage key).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.db import APP_ROLE
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE schools ADD COLUMN show_report_positions boolean NOT NULL DEFAULT true")
    op.execute("ALTER TABLE schools ADD COLUMN logo_key text")
    # A school admin sets both among the school's own settings.
    op.execute(f"GRANT UPDATE (show_report_positions, logo_key) ON schools TO {APP_ROLE}")
    op.execute(
        """
        CREATE TABLE report_comments (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            term_id uuid NOT NULL,
            student_id uuid NOT NULL,
            teacher_comment text NOT NULL DEFAULT '' CHECK (length(teacher_comment) <= 600),
            head_comment text NOT NULL DEFAULT '' CHECK (length(head_comment) <= 600),
            updated_by uuid,
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (term_id, student_id),
            FOREIGN KEY (term_id, school_id) REFERENCES terms(id, school_id) ON DELETE CASCADE,
            FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE,
            FOREIGN KEY (updated_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (updated_by)
        )
        """
    )
    op.execute("CREATE INDEX ix_report_comments_school_id ON report_comments (school_id)")
    enable_tenant_rls("report_comments")


def downgrade() -> None:
    disable_tenant_rls("report_comments")
    op.execute("DROP TABLE report_comments")
    op.execute(f"REVOKE UPDATE (show_report_positions, logo_key) ON schools FROM {APP_ROLE}")
    op.execute("ALTER TABLE schools DROP COLUMN logo_key")
    op.execute("ALTER TABLE schools DROP COLUMN show_report_positions")
