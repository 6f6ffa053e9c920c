"""School records: years and terms, departments, subjects, classes, staff, students, guardians,
enrolments. Every table is a tenant table with its RLS policy here.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

GRADE_LEVELS = (
    "'ECD_A', 'ECD_B', 'G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7', 'F1', 'F2', 'F3', 'F4', 'F5', 'F6'"
)

TABLES = {
    "academic_years": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 40),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        is_current boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK (starts_on < ends_on),
        UNIQUE (school_id, name),
        UNIQUE (id, school_id)
    """,
    "terms": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        academic_year_id uuid NOT NULL,
        number smallint NOT NULL CHECK (number BETWEEN 1 AND 3),
        starts_on date NOT NULL,
        ends_on date NOT NULL,
        CHECK (starts_on < ends_on),
        UNIQUE (academic_year_id, number),
        FOREIGN KEY (academic_year_id, school_id) REFERENCES academic_years(id, school_id) ON DELETE CASCADE
    """,
    "departments": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        UNIQUE (school_id, name),
        UNIQUE (id, school_id)
    """,
    "subjects": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        code text NOT NULL CHECK (code ~ '^[A-Z0-9]{2,10}$'),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        level text NOT NULL CHECK (level IN ('primary', 'o_level', 'a_level')),
        department_id uuid,
        UNIQUE (school_id, code),
        UNIQUE (id, school_id),
        FOREIGN KEY (department_id, school_id) REFERENCES departments(id, school_id) ON DELETE SET NULL (department_id)
    """,
    "classes": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        academic_year_id uuid NOT NULL,
        grade_level text NOT NULL CHECK (grade_level IN ({GRADE_LEVELS})),
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 60),
        class_teacher_id uuid,
        capacity integer NOT NULL DEFAULT 40 CHECK (capacity BETWEEN 1 AND 200),
        UNIQUE (school_id, academic_year_id, name),
        UNIQUE (id, school_id),
        FOREIGN KEY (academic_year_id, school_id) REFERENCES academic_years(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (class_teacher_id, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (class_teacher_id)
    """,
    "teaching_assignments": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        class_id uuid NOT NULL,
        subject_id uuid NOT NULL,
        teacher_id uuid NOT NULL,
        UNIQUE (class_id, subject_id),
        FOREIGN KEY (class_id, school_id) REFERENCES classes(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (subject_id, school_id) REFERENCES subjects(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (teacher_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE
    """,
    "staff_profiles": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        user_id uuid NOT NULL UNIQUE,
        department_id uuid,
        employee_number text,
        job_title text,
        phone text CHECK (phone IS NULL OR phone ~ '^\\+263[0-9]{8,9}$'),
        UNIQUE (school_id, employee_number),
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (department_id, school_id) REFERENCES departments(id, school_id) ON DELETE SET NULL (department_id)
    """,
    "students": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        user_id uuid UNIQUE,
        admission_number text NOT NULL CHECK (length(btrim(admission_number)) BETWEEN 1 AND 30),
        first_name text NOT NULL CHECK (length(btrim(first_name)) BETWEEN 1 AND 100),
        last_name text NOT NULL CHECK (length(btrim(last_name)) BETWEEN 1 AND 100),
        date_of_birth date NOT NULL,
        gender text NOT NULL CHECK (gender IN ('female', 'male')),
        birth_certificate_number text,
        national_id text,
        zimsec_candidate_number text,
        home_language text,
        address text,
        medical_notes text,
        status text NOT NULL DEFAULT 'enrolled'
            CHECK (status IN ('enrolled', 'transferred', 'graduated', 'left')),
        photo bytea,
        photo_type text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, school_id),
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (user_id)
    """,
    "student_status_changes": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        from_status text,
        to_status text NOT NULL,
        reason text,
        changed_by uuid,
        changed_at timestamptz NOT NULL DEFAULT now(),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE
    """,
    "emergency_contacts": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        name text NOT NULL,
        relationship text NOT NULL,
        phone text NOT NULL CHECK (phone ~ '^\\+263[0-9]{8,9}$'),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE
    """,
    "guardians": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        user_id uuid UNIQUE,
        full_name text NOT NULL CHECK (length(btrim(full_name)) BETWEEN 1 AND 200),
        phone text NOT NULL CHECK (phone ~ '^\\+263[0-9]{8,9}$'),
        email text,
        contact_preference text NOT NULL DEFAULT 'sms' CHECK (contact_preference IN ('sms', 'whatsapp', 'email')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, school_id),
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (user_id)
    """,
    "student_guardians": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        guardian_id uuid NOT NULL,
        relationship text NOT NULL,
        is_primary boolean NOT NULL DEFAULT false,
        UNIQUE (student_id, guardian_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (guardian_id, school_id) REFERENCES guardians(id, school_id) ON DELETE CASCADE
    """,
    "enrolments": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        class_id uuid NOT NULL,
        academic_year_id uuid NOT NULL,
        enrolled_on date NOT NULL DEFAULT current_date,
        UNIQUE (student_id, academic_year_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (class_id, school_id) REFERENCES classes(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (academic_year_id, school_id) REFERENCES academic_years(id, school_id) ON DELETE CASCADE
    """,
}

INDEXES = [
    "CREATE UNIQUE INDEX ux_students_admission ON students (school_id, lower(admission_number))",
    "CREATE INDEX ix_students_name ON students (school_id, last_name, first_name)",
    "CREATE INDEX ix_enrolments_class ON enrolments (class_id)",
    "CREATE INDEX ix_student_guardians_guardian ON student_guardians (guardian_id)",
    "CREATE INDEX ix_student_guardians_student ON student_guardians (student_id)",
    "CREATE INDEX ix_classes_year ON classes (academic_year_id)",
    "CREATE INDEX ix_terms_year ON terms (academic_year_id)",
]


def upgrade() -> None:
    # References between tenant tables carry school_id too, so a row can never point into another
    # school (foreign-key checks do not go through RLS).
    op.execute("ALTER TABLE users ADD CONSTRAINT ux_users_id_school UNIQUE (id, school_id)")
    for table, columns in TABLES.items():
        op.execute(f"CREATE TABLE {table} ({columns})")
        op.execute(f"CREATE INDEX ix_{table}_school_id ON {table} (school_id)")
        enable_tenant_rls(table)
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    for table in reversed(list(TABLES)):
        disable_tenant_rls(table)
        op.execute(f"DROP TABLE {table}")
    op.execute("ALTER TABLE users DROP CONSTRAINT ux_users_id_school")
