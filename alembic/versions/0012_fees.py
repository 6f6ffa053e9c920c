"""Fees: fee structures per term and grade level with their items, optional items given per
student, discounts and bursaries, sponsors (BEAM, a church, a company) and what they pay,
invoices with their lines, payments, and how each payment is allocated to invoices; and the
duties a staff member may be given (the bursar's opens `fees.*` work, `oneclass/permissions.py`).

Money is numeric(12, 2) in the row's currency (USD or ZWG); an exchange rate is numeric(18, 8).
Rounding rules: `oneclass/services/fees.py`.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from alembic import op
from oneclass.rls import disable_tenant_rls, enable_tenant_rls

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

CURRENCY = "text NOT NULL CHECK (currency IN ('USD', 'ZWG'))"
MONEY = "numeric(12, 2) NOT NULL"

# A reference with no ON DELETE (NO ACTION, checked at the statement's end): a student, invoice,
# sponsor or user that money went through cannot be deleted, while deleting a whole school
# (which cascades to both sides at once) still can.
TABLES = {
    "sponsors": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 120),
        kind text NOT NULL CHECK (kind IN ('government', 'church', 'company', 'other')),
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, school_id),
        UNIQUE (school_id, name)
    """,
    "fee_structures": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        term_id uuid NOT NULL,
        grade_level text NOT NULL,
        currency {CURRENCY},
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (id, school_id),
        UNIQUE (term_id, grade_level, currency),
        FOREIGN KEY (term_id, school_id) REFERENCES terms(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (created_by)
    """,
    # account: tuition or levy (a levy such as the SDC's is invoiced and accounted apart).
    # optional: charged only to the students given the item (boarding, transport, uniform).
    "fee_items": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        structure_id uuid NOT NULL,
        name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
        account text NOT NULL CHECK (account IN ('tuition', 'levy')),
        optional boolean NOT NULL DEFAULT false,
        amount {MONEY} CHECK (amount > 0),
        UNIQUE (id, school_id),
        UNIQUE (structure_id, name),
        FOREIGN KEY (structure_id, school_id) REFERENCES fee_structures(id, school_id) ON DELETE CASCADE
    """,
    "student_fee_items": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        fee_item_id uuid NOT NULL,
        UNIQUE (student_id, fee_item_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (fee_item_id, school_id) REFERENCES fee_items(id, school_id) ON DELETE CASCADE
    """,
    # A discount or bursary on a student's tuition for a term; a sponsorship moves part of it to
    # the sponsor's own invoice. Exactly one of percent and amount (an amount in its currency:
    # it applies to the tuition invoice in that currency; a percent to every tuition invoice).
    "fee_adjustments": """
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        term_id uuid NOT NULL,
        kind text NOT NULL CHECK (kind IN ('discount', 'bursary', 'sponsorship')),
        sponsor_id uuid,
        percent numeric(5, 2) CHECK (percent > 0 AND percent <= 100),
        amount numeric(12, 2) CHECK (amount > 0),
        currency text CHECK (currency IN ('USD', 'ZWG')),
        reason text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        CHECK ((percent IS NULL) <> (amount IS NULL)),
        CHECK ((amount IS NULL) = (currency IS NULL)),
        CHECK ((kind = 'sponsorship') = (sponsor_id IS NOT NULL)),
        UNIQUE (id, school_id),
        UNIQUE NULLS NOT DISTINCT (student_id, term_id, kind, sponsor_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (term_id, school_id) REFERENCES terms(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (sponsor_id, school_id) REFERENCES sponsors(id, school_id),
        FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (created_by)
    """,
    # One invoice per student, term, currency, account and payer (the family: no sponsor): the
    # unique key that makes generating a term's invoices twice add nothing.
    "invoices": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid NOT NULL,
        term_id uuid NOT NULL,
        currency {CURRENCY},
        account text NOT NULL CHECK (account IN ('tuition', 'levy')),
        sponsor_id uuid,
        total {MONEY} CHECK (total >= 0),
        issued_on date NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        voided_at timestamptz,
        voided_by uuid,
        void_reason text,
        CHECK ((voided_at IS NULL) = (void_reason IS NULL)),
        UNIQUE (id, school_id),
        UNIQUE NULLS NOT DISTINCT (student_id, term_id, currency, account, sponsor_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id),
        FOREIGN KEY (term_id, school_id) REFERENCES terms(id, school_id),
        FOREIGN KEY (sponsor_id, school_id) REFERENCES sponsors(id, school_id),
        FOREIGN KEY (created_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (created_by),
        FOREIGN KEY (voided_by, school_id) REFERENCES users(id, school_id) ON DELETE SET NULL (voided_by)
    """,
    # A line may be negative: a discount, a bursary, the part a sponsor pays.
    "invoice_lines": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        invoice_id uuid NOT NULL,
        position smallint NOT NULL,
        description text NOT NULL CHECK (length(btrim(description)) BETWEEN 1 AND 200),
        amount {MONEY} CHECK (amount <> 0),
        fee_item_id uuid,
        adjustment_id uuid,
        UNIQUE (invoice_id, position),
        FOREIGN KEY (invoice_id, school_id) REFERENCES invoices(id, school_id) ON DELETE CASCADE,
        FOREIGN KEY (fee_item_id, school_id) REFERENCES fee_items(id, school_id) ON DELETE SET NULL (fee_item_id),
        FOREIGN KEY (adjustment_id, school_id) REFERENCES fee_adjustments(id, school_id) ON DELETE SET NULL (adjustment_id)
    """,
    # Paid by a student's family (student_id) or by a sponsor (sponsor_id). A reversal keeps the
    # row and its allocations and says who, when and why; nothing is ever deleted.
    "payments": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        student_id uuid,
        sponsor_id uuid,
        amount {MONEY} CHECK (amount > 0),
        currency {CURRENCY},
        method text NOT NULL CHECK (method IN ('cash', 'bank', 'mobile_money')),
        reference text NOT NULL DEFAULT '' CHECK (length(reference) <= 100),
        exchange_rate numeric(18, 8) CHECK (exchange_rate > 0),
        rate_source text CHECK (length(rate_source) <= 100),
        rate_date date,
        received_by uuid NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        received_on date NOT NULL,
        reversed_at timestamptz,
        reversed_by uuid,
        reversal_reason text,
        CHECK ((student_id IS NULL) <> (sponsor_id IS NULL)),
        CHECK ((exchange_rate IS NULL) = (rate_date IS NULL)),
        CHECK ((reversed_at IS NULL) = (reversal_reason IS NULL)),
        UNIQUE (id, school_id),
        FOREIGN KEY (student_id, school_id) REFERENCES students(id, school_id),
        FOREIGN KEY (sponsor_id, school_id) REFERENCES sponsors(id, school_id),
        FOREIGN KEY (received_by, school_id) REFERENCES users(id, school_id),
        FOREIGN KEY (reversed_by, school_id) REFERENCES users(id, school_id)
    """,
    # What a payment paid of one invoice, in the invoice's currency.
    "payment_allocations": f"""
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        school_id uuid NOT NULL REFERENCES schools(id) ON DELETE CASCADE,
        payment_id uuid NOT NULL,
        invoice_id uuid NOT NULL,
        amount {MONEY} CHECK (amount > 0),
        UNIQUE (payment_id, invoice_id),
        FOREIGN KEY (payment_id, school_id) REFERENCES payments(id, school_id),
        FOREIGN KEY (invoice_id, school_id) REFERENCES invoices(id, school_id)
    """,
}

# What a payment paid is written once and never changed (a reversal marks the payment).
PRIVILEGES = {"payment_allocations": "SELECT, INSERT"}

INDEXES = [
    "CREATE INDEX ix_fee_items_structure ON fee_items (structure_id)",
    "CREATE INDEX ix_invoices_student ON invoices (student_id)",
    "CREATE INDEX ix_invoices_term ON invoices (term_id)",
    "CREATE INDEX ix_invoice_lines_invoice ON invoice_lines (invoice_id)",
    "CREATE INDEX ix_payments_student ON payments (student_id)",
    "CREATE INDEX ix_payments_received_on ON payments (received_on, received_by)",
    "CREATE INDEX ix_payment_allocations_invoice ON payment_allocations (invoice_id)",
]


def upgrade() -> None:
    # Duties given to a staff member beyond their role; `bursar` opens the fees work.
    op.execute("ALTER TABLE users ADD COLUMN duties text[] NOT NULL DEFAULT '{}' CHECK (duties <@ ARRAY['bursar']::text[])")
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
    op.execute("ALTER TABLE users DROP COLUMN duties")
