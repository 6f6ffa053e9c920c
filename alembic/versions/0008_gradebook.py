"""The gradebook: each school's grading scales, assessments, marks, and which terms' report cards
are published (students and parents see a term's grades only then).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

LEVELS = "'primary', 'o_level', 'a_level'"

TABLES = {
    # One row per grade of a level's scale. A level without rows is marked on the ZIMSEC default
    # (oneclass.services.grading.DEFAULT_SCALES); the first edit writes the whole scale.
    "grading_bands": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        level text NOT NULL CHECK (level IN ({LEVELS})),
        grade text NOT NULL CHECK (length(btrim(grade)) BETWEEN 1 AND 3),
        lower_bound smallint NOT NULL CHECK (lower_bound BETWEEN 0 AND 100),
        upper_bound smallint NOT NULL CHECK (upper_bound BETWEEN 0 AND 100),
        points smallint NOT NULL CHECK (points BETWEEN 0 AND 99),
        outcome text NOT NULL CHECK (outcome IN ('pass', 'subsidiary', 'fail')),
        CHECK (lower_bound <= upper_bound),
        UNIQUE (school_id, level, grade),
        UNIQUE (school_id, level, lower_bound)
    """,
    "assessments": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        class_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        term_id uuid NOT NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        kind text NOT NULL CHECK (kind IN ('coursework', 'test', 'exam')),
        max_mark numeric(6, 2) NOT NULL CHECK (max_mark > 0 AND max_mark <= 1000),
        weight numeric(6, 2) NOT NULL CHECK (weight > 0 AND weight <= 1000),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, school_id),
        UNIQUE (class_id, subject_id, term_id, name),
        FOREIGN KEY (class_id, school_id) REFERENCES classes(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (subject_id, school_id) REFERENCES subjects(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (term_id, school_id) REFERENCES terms(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (created_by)
    """,
    # A blank (not yet entered) is no row; absent is a row without a mark.
    "marks": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        assessment_id uuid NOT NULL,
        student_id uuid NOT NULL,
        mark numeric(6, 2) CHECK (mark >= 0),
        absent boolean NOT NULL DEFAULT false,
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (absent = (mark IS NULL)),
        UNIQUE (assessment_id, student_id),
        FOREIGN KEY (assessment_id, school_id) REFERENCES assessments(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (updated_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (updated_by)
    """,
    "report_publications": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        term_id uuid NOT NULL,
        class_id uuid NOT NULL,
        published_by uuid,
        published_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (term_id, class_id),
        FOREIGN KEY (term_id, school_id) REFERENCES terms(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (class_id, school_id) REFERENCES classes(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (published_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (published_by)
    """,
}

INDEXES = [
    "CREATE INDEX ix_assessments_class_subject_term ON assessments (class_id, subject_id, term_id)",
    "CREATE INDEX ix_assessments_term ON assessments (term_id)",
    "CREATE INDEX ix_marks_student ON marks (student_id)",
]


def upgrade() -> None:
    # Rows that point at a term carry school_id with it, as every other reference does.
    op.execute("ALTER TABLE terms ADD CONSTRAINT ux_terms_id_school UNIQUE (id, school_id)")
    for table, columns in TABLES.items():
        op.execute(f"CREATE TABLE {table} ({columns})")
        op.execute(f"CREATE INDEX ix_{table}_school_id ON {table} (school_id)")
        enable_tenant_rls(table)
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.execute(f"DROP TABLE {table}")
    op.execute("ALTER TABLE terms DROP CONSTRAINT ux_terms_id_school")
