"""Paynow online payment: a school's Paynow integrations (one per currency; the key stored
encrypted with a key derived from SECRET_KEY) and the online payments started through them
(reference, invoice, amount asked, poll URL, Paynow's status and reference, the payment recorded
once, and a flag when Paynow's word differs from what was asked).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

TABLES = {
    # key_ciphertext: Fernet of the integration key (oneclass/services/online_payments.py); a
    # database dump alone does not reveal it.
    "paynow_integrations": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        currency text NOT NULL CHECK (currency IN ('USD', 'ZWG')),
        integration_id text NOT NULL CHECK (integration_id ~ '^[0-9]{1,20}$'),
        key_ciphertext text NOT NULL CHECK (length(key_ciphertext) BETWEEN 1 AND 2000),
        updated_by uuid,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (school_id, currency),
        FOREIGN KEY (updated_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (updated_by)
    """,
    # One row per payment started with Paynow. payment_id is set once, under a row lock, when a
    # poll confirms it paid the amount asked: a repeated notification finds it set. `flagged`
    # says why a paid notice was not recorded (another amount, nothing owed any more).
    "paynow_transactions": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        reference text NOT NULL CHECK (reference ~ '^[A-Z0-9-]{6,40}$'),
        invoice_id uuid NOT NULL,
        student_id uuid NOT NULL,
        started_by uuid NOT NULL,
        currency text NOT NULL CHECK (currency IN ('USD', 'ZWG')),
        amount numeric(12, 2) NOT NULL CHECK (amount > 0),
        method text NOT NULL CHECK (method IN ('web', 'ecocash', 'onemoney')),
        phone text CHECK (phone ~ '^07[0-9]{8}$'),
        poll_url text NOT NULL DEFAULT '' CHECK (length(poll_url) <= 500),
        status text NOT NULL DEFAULT 'Created' CHECK (length(status) <= 40),
        paynow_reference text NOT NULL DEFAULT '' CHECK (length(paynow_reference) <= 60),
        paid_amount numeric(12, 2),
        flagged text CHECK (flagged IN ('amount', 'reference', 'not_owed')),
        payment_id uuid UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (school_id, reference),
        FOREIGN KEY (invoice_id, school_id) REFERENCES invoices(id, school_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id),
        FOREIGN KEY (started_by, school_id) REFERENCES users(id, school_id),
        FOREIGN KEY (payment_id, school_id) REFERENCES payments(id, school_id)
    """,
}

INDEXES = ["CREATE INDEX ix_paynow_transactions_invoice ON paynow_transactions (invoice_id)"]


def upgrade() -> None:
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
