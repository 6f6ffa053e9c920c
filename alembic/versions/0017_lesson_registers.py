"""Registers per lesson: a school chooses whether its registers are taken once a day (the
default) or per lesson, and a register may name the timetable period it was taken in.

Existing registers keep a NULL period: they stay the daily registers they were. The register's
uniqueness becomes (class, day, period) with NULLS NOT DISTINCT, so a class still has at most one
daily register a day, and at most one per lesson. The table's RLS policy is unchanged.

Revision ID: 0017
Revises: 0015
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.db import APP_ROLE

revision = "0017"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE schools ADD COLUMN registers_per_lesson boolean NOT NULL DEFAULT false")
    # A school admin sets it among the school's own settings.
    op.execute(f"GRANT UPDATE (registers_per_lesson) ON schools TO {APP_ROLE}")
    op.execute("ALTER TABLE attendance_registers ADD COLUMN period integer CHECK (period IS NULL OR period BETWEEN 1 AND 16)")
    op.execute("ALTER TABLE attendance_registers DROP CONSTRAINT attendance_registers_class_id_day_key")
    op.execute(
        "ALTER TABLE attendance_registers ADD CONSTRAINT attendance_registers_class_day_period_key "
        "UNIQUE NULLS NOT DISTINCT (class_id, day, period)"
    )


def downgrade() -> None:
    # A daily school has no lesson registers: they go with the column (their records cascade).
    op.execute("DELETE FROM attendance_registers WHERE period IS NOT NULL")
    op.execute("ALTER TABLE attendance_registers DROP CONSTRAINT attendance_registers_class_day_period_key")
    op.execute("ALTER TABLE attendance_registers ADD CONSTRAINT attendance_registers_class_id_day_key UNIQUE (class_id, day)")
    op.execute("ALTER TABLE attendance_registers DROP COLUMN period")
    op.execute(f"REVOKE UPDATE (registers_per_lesson) ON schools FROM {APP_ROLE}")
    op.execute("ALTER TABLE schools DROP COLUMN registers_per_lesson")
