"""The school calendar: the days a school does not sit (public holidays and its own closures).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE closure_days (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            day date NOT NULL,
            name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
            kind text NOT NULL CHECK (kind IN ('public_holiday', 'closure')),
            UNIQUE (school_id, day)
        )
        """
    )
    op.execute("CREATE INDEX ix_closure_days_school_id ON closure_days (school_id)")
    enable_tenant_rls("closure_days")


def downgrade() -> None:
    disable_tenant_rls("closure_days")
    op.execute("DROP TABLE closure_days")
