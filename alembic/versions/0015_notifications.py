"""Notifications: the messages the school sends (absence alerts, payment receipts, fee reminders,
announcement notices), which are at once every user's in-app list and the outbox the worker
delivers from; the ledger that makes each (recipient, kind, subject) notified once; and each
guardian's or user's choice of channel. The outgoing log (`outgoing_mail`, where messages go
while no mail server or SMS gateway is configured) gains the channel and the notification.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None

CHANNEL = "text NOT NULL CHECK (channel IN ('in_app', 'email', 'sms'))"

TABLES = {
    # One message to one person. `user_id` is whose in-app list holds it (a guardian without a
    # login has none); `channel` and `address` say how it leaves the school; `status` is the
    # outbox: pending until the worker has sent it (or written it to the outgoing log).
    "notifications": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        user_id uuid,
        guardian_id uuid,
        kind text NOT NULL CHECK (kind IN ('absence', 'payment', 'fee_reminder', 'announcement')),
        group_key text NOT NULL DEFAULT '',
        subject text NOT NULL CHECK (length(subject) BETWEEN 1 AND 200),
        body text NOT NULL CHECK (length(body) BETWEEN 1 AND 4000),
        channel {CHANNEL},
        address text,
        language text NOT NULL DEFAULT 'en',
        status text NOT NULL CHECK (status IN ('pending', 'sent', 'logged', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        read_at timestamptz,
        CHECK (user_id IS NOT NULL OR guardian_id IS NOT NULL),
        UNIQUE (id, school_id),
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (guardian_id, school_id) REFERENCES guardians(id, school_id) ON DELETE CASCADE
    """,
    # The ledger: a recipient ("guardian:<id>" or "user:<id>") is told about a subject of a kind
    # (an absence is "<student>:<day>") at most once, whatever saves or clicks come again. A key
    # names its notification before the notification is written (checked at the commit).
    "notification_keys": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        recipient text NOT NULL,
        kind text NOT NULL,
        subject_key text NOT NULL,
        notification_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (school_id, recipient, kind, subject_key),
        FOREIGN KEY (notification_id, school_id) REFERENCES notifications(id, school_id) ON DELETE CASCADE
            DEFERRABLE INITIALLY DEFERRED
    """,
    # A guardian's (their family's messages) or a user's (their own) choice; no row: the defaults.
    "notification_preferences": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        user_id uuid UNIQUE,
        guardian_id uuid UNIQUE,
        channel {CHANNEL},
        sms_opt_out boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CHECK (num_nonnulls(user_id, guardian_id) = 1),
        FOREIGN KEY (user_id, school_id) REFERENCES users(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (guardian_id, school_id) REFERENCES guardians(id, school_id) ON DELETE CASCADE
    """,
}

INDEXES = [
    "CREATE INDEX ix_notifications_user ON notifications (user_id, created_at DESC)",
    "CREATE INDEX ix_notifications_guardian ON notifications (guardian_id)",
    "CREATE INDEX ix_notifications_pending ON notifications (created_at) WHERE status = 'pending'",
    "CREATE INDEX ix_notification_keys_notification ON notification_keys (notification_id)",
    "CREATE INDEX ix_outgoing_mail_created ON outgoing_mail (school_id, created_at DESC)",
]


def upgrade() -> None:
    for table, columns in TABLES.items():
        op.execute(f"CREATE TABLE {table} ({columns})")
        op.execute(f"CREATE INDEX ix_{table}_school_id ON {table} (school_id)")
        enable_tenant_rls(table)
    # The outgoing log takes SMS as well as mail, and names the notification it stands in for.
    op.execute("ALTER TABLE outgoing_mail ADD COLUMN channel text NOT NULL DEFAULT 'email' CHECK (channel IN ('email', 'sms'))")
    op.execute("ALTER TABLE outgoing_mail ADD COLUMN notification_id uuid")
    for statement in INDEXES:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP INDEX ix_outgoing_mail_created")
    op.execute("ALTER TABLE outgoing_mail DROP COLUMN notification_id")
    op.execute("ALTER TABLE outgoing_mail DROP COLUMN channel")
    for table in reversed(TABLES):
        disable_tenant_rls(table)
        op.execute(f"DROP TABLE {table}")
