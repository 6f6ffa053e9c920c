"""A school may change only its own settings columns, never its status, name or address.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from alembic import op
from oneclass.db import APP_ROLE

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Suspension and renaming are the platform's (its own role); a school admin's session may
    # only switch the school's own settings.
    op.execute(f"REVOKE UPDATE ON schools FROM {APP_ROLE}")
    op.execute(f"GRANT UPDATE (require_admin_mfa, updated_at) ON schools TO {APP_ROLE}")


def downgrade() -> None:
    op.execute(f"REVOKE UPDATE (require_admin_mfa, updated_at) ON schools FROM {APP_ROLE}")
    op.execute(f"GRANT UPDATE ON schools TO {APP_ROLE}")
