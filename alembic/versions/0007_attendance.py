"""Attendance registers: a register per class per day, a record per student in it.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE attendance_registers (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            class_id uuid NOT NULL,
            day date NOT NULL,
            taken_by uuid,
            taken_at timestamptz NOT NULL DEFAULT now(),
            updated_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (class_id, day),
            UNIQUE (id, school_id),
            FOREIGN KEY (class_id, school_id) REFERENCES classes(id, school_id) ON DELETE CASCADE,
            FOREIGN KEY (taken_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (taken_by)
        )
        """
    )
    op.execute("CREATE INDEX ix_attendance_registers_school_id ON attendance_registers (school_id)")
    op.execute("CREATE INDEX ix_attendance_registers_day ON attendance_registers (school_id, day)")
    op.execute(
        """
        CREATE TABLE attendance_records (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            register_id uuid NOT NULL,
            student_id uuid NOT NULL,
            status text NOT NULL CHECK (status IN ('present', 'absent', 'late', 'excused')),
            reason text CHECK (reason IS NULL OR length(reason) <= 200),
            UNIQUE (register_id, student_id),
            CHECK (status <> 'excused' OR length(btrim(coalesce(reason, ''))) > 0),
            FOREIGN KEY (register_id, school_id) REFERENCES attendance_registers(id, school_id) ON DELETE CASCADE,
            FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_attendance_records_school_id ON attendance_records (school_id)")
    op.execute("CREATE INDEX ix_attendance_records_student_id ON attendance_records (student_id)")
    enable_tenant_rls("attendance_registers")
    enable_tenant_rls("attendance_records")


def downgrade() -> None:
    for table in ("attendance_records", "attendance_registers"):
        disable_tenant_rls(table)
        op.execute(f"DROP TABLE {table}")
