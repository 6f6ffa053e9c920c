"""The timetable: a school's periods of the day, and each class's weekly lessons.

A lesson (slot) belongs to a period by its number; the period cannot be removed while a lesson
uses it. A teacher, or a room, is in at most one class in a period of a day of one academic
year: the service names the clash first, and the unique indexes below keep it true when two
admins save at once. The slot's year is its class's year (the foreign key to the class says so).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE periods (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            number integer NOT NULL CHECK (number BETWEEN 1 AND 16),
            starts time NOT NULL,
            ends time NOT NULL CHECK (starts < ends),
            UNIQUE (school_id, number)
        )
        """
    )
    op.execute("CREATE INDEX ix_periods_school_id ON periods (school_id)")
    enable_tenant_rls("periods")
    # A slot names its class and the class's year together, so the year cannot disagree.
    op.execute("ALTER TABLE classes ADD CONSTRAINT classes_id_year_school_key UNIQUE (id, academic_year_id, school_id)")
    op.execute(
        """
        CREATE TABLE timetable_slots (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            class_id uuid NOT NULL,
            academic_year_id uuid NOT NULL,
            day smallint NOT NULL CHECK (day BETWEEN 1 AND 5),
            period integer NOT NULL,
            subject_id uuid NOT NULL,
            teacher_id uuid NOT NULL,
            room text CHECK (room IS NULL OR length(btrim(room)) BETWEEN 1 AND 40),
            UNIQUE (class_id, day, period),
            FOREIGN KEY (class_id, academic_year_id, school_id)
                REFERENCES classes(id, academic_year_id, school_id) ON DELETE CASCADE,
            FOREIGN KEY (school_id, period) REFERENCES periods(school_id, number) ON DELETE RESTRICT,
            FOREIGN KEY (subject_id, school_id) REFERENCES subjects(id, school_id) ON DELETE CASCADE,
            FOREIGN KEY (teacher_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_timetable_slots_school_id ON timetable_slots (school_id)")
    op.execute(
        "CREATE UNIQUE INDEX ux_timetable_slots_teacher ON timetable_slots (school_id, academic_year_id, day, period, teacher_id)"
    )
    op.execute(
        "CREATE UNIQUE INDEX ux_timetable_slots_room ON timetable_slots (school_id, academic_year_id, day, period, lower(room))"
        " WHERE room IS NOT NULL"
    )
    enable_tenant_rls("timetable_slots")


def downgrade() -> None:
    disable_tenant_rls("timetable_slots")
    op.execute("DROP TABLE timetable_slots")
    op.execute("ALTER TABLE classes DROP CONSTRAINT classes_id_year_school_key")
    disable_tenant_rls("periods")
    op.execute("DROP TABLE periods")
