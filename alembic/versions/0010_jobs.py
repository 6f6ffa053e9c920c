"""Background jobs (what a Celery worker does for a school, its progress and its outcome), and
student photos moved out of the `students` row into storage (`oneclass/storage.py`).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import sqlalchemy as sa

from alembic import op
from oneclass import storage
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE jobs (
            id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
            school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
            kind text NOT NULL CHECK (length(kind) BETWEEN 1 AND 50),
            key text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
            status text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'succeeded', 'failed')),
            done integer NOT NULL DEFAULT 0 CHECK (done >= 0),
            total integer NOT NULL DEFAULT 0 CHECK (total >= 0),
            message text NOT NULL DEFAULT '',
            result text,
            params jsonb NOT NULL DEFAULT '{}',
            attempts integer NOT NULL DEFAULT 0,
            created_by uuid NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            finished_at timestamptz,
            UNIQUE (school_id, key),
            FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE
        )
        """
    )
    op.execute("CREATE INDEX ix_jobs_school_id ON jobs (school_id)")
    enable_tenant_rls("jobs")
    _move_photos_to_storage()


def downgrade() -> None:
    _move_photos_back()
    disable_tenant_rls("jobs")
    op.execute("DROP TABLE jobs")


def _move_photos_to_storage() -> None:
    """Every student query read the photo's bytes with the row: they move to storage, one file a
    photo, and the row keeps its key. Written before the column goes, so a failure keeps both."""
    op.execute("ALTER TABLE students ADD COLUMN photo_key text")
    connection = op.get_bind()
    photos = connection.execute(sa.text("SELECT id, school_id, photo, photo_type FROM students WHERE photo IS NOT NULL")).all()
    for student_id, school_id, photo, photo_type in photos:
        key = storage.photo_key(school_id, student_id, bytes(photo))
        storage.backend().put(key, bytes(photo), photo_type or "image/png")
        connection.execute(sa.text("UPDATE students SET photo_key = :key WHERE id = :id"), {"key": key, "id": student_id})
    op.execute("ALTER TABLE students DROP COLUMN photo")


def _move_photos_back() -> None:
    op.execute("ALTER TABLE students ADD COLUMN photo bytea")
    connection = op.get_bind()
    for student_id, key in connection.execute(sa.text("SELECT id, photo_key FROM students WHERE photo_key IS NOT NULL")).all():
        photo = storage.backend().get(key)
        connection.execute(sa.text("UPDATE students SET photo = :photo WHERE id = :id"), {"photo": photo, "id": student_id})
    op.execute("ALTER TABLE students DROP COLUMN photo_key")
