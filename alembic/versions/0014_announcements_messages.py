"""Announcements and messages: an announcement to the whole school, a grade level, a class or a
role (with an optional attachment kept in the object store) and who has read it; threads of
messages between two people of a school (a parent and a teacher or an administrator), each
participant's last read time, and the messages themselves.

Who may write to whom is the service's rule (`oneclass/services/messages.py`); the tables keep
every row inside its school (RLS, and foreign keys that include `school_id`).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

TABLES = {
    # audience: 'school' (everyone), 'level' (grade_level), 'class' (class_id) or 'role' (role).
    # A parent belongs to their children's level and class audiences and to the role 'parent'.
    "announcements": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        author_id uuid,
        audience text NOT NULL CHECK (audience IN ('school', 'level', 'class', 'role')),
        grade_level text,
        class_id uuid,
        role text CHECK (role IN ('school_admin', 'teacher', 'student', 'parent', 'staff')),
        title text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
        attachment_key text,
        attachment_name text,
        attachment_type text,
        attachment_size integer CHECK (attachment_size > 0),
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((audience = 'level') = (grade_level IS NOT NULL)),
        CHECK ((audience = 'class') = (class_id IS NOT NULL)),
        CHECK ((audience = 'role') = (role IS NOT NULL)),
        CHECK ((attachment_key IS NULL) = (attachment_name IS NULL)),
        UNIQUE (id, school_id),
        FOREIGN KEY (class_id, school_id) REFERENCES classes(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (author_id, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (author_id)
    """,
    "announcement_reads": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        announcement_id uuid NOT NULL,
        user_id uuid NOT NULL,
        read_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (announcement_id, user_id),
        FOREIGN KEY (announcement_id, school_id) REFERENCES announcements(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE
    """,
    "message_threads": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        subject text NOT NULL CHECK (length(btrim(subject)) BETWEEN 1 AND 200),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_message_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, school_id),
        FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (created_by)
    """,
    # last_read_at: the newest message this participant has seen (NULL: none yet).
    "thread_participants": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        thread_id uuid NOT NULL,
        user_id uuid NOT NULL,
        last_read_at timestamptz,
        UNIQUE (thread_id, user_id),
        FOREIGN KEY (thread_id, school_id) REFERENCES message_threads(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE
    """,
    "messages": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        thread_id uuid NOT NULL,
        sender_id uuid,
        body text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        FOREIGN KEY (thread_id, school_id) REFERENCES message_threads(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (sender_id, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (sender_id)
    """,
}

# A message, once sent, is not edited: the app may add and read them (a thread's deletion
# with its school still cascades, as the owner).
PRIVILEGES = {"messages": "SELECT, INSERT"}

INDEXES = [
    "CREATE INDEX ix_announcements_created ON announcements (created_at DESC)",
    "CREATE INDEX ix_announcements_class ON announcements (class_id)",
    "CREATE INDEX ix_announcement_reads_user ON announcement_reads (user_id)",
    "CREATE INDEX ix_thread_participants_user ON thread_participants (user_id)",
    "CREATE INDEX ix_messages_thread_created ON messages (thread_id, created_at)",
]


def upgrade() -> None:
    for table, columns in TABLES.items():
        op.execute(f"CREATE TABLE {table} ({columns})")
        op.execute(f"CREATE INDEX ix_{table}_school_id ON {table} (school_id)")
        enable_tenant_rls(table, privileges=PRIVILEGES.get(table, "SELECT, INSERT, UPDATE, DELETE"))
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.execute(f"DROP TABLE {table}")
