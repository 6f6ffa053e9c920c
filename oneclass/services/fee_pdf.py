"""Receipts and statements: what each says, and as PDFs (fpdf2) drawn on the report cards' document
(`report_pdf.document`: DejaVu Sans, the school's letterhead) with labels in the reader's
language. Money is written as the pages write it, two places and the currency code."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from fpdf.enums import XPos, YPos

from oneclass.i18n import _, format_date, format_message
from oneclass.services.fees import money_text
from oneclass.services.report_pdf import FONT, LINE, Document, document

# --- what the documents say (fee_accounts fills them) ---------------------------------------


@dataclass(frozen=True)
class ReceiptLine:
    """What a payment paid of one invoice, in the invoice's currency."""

    description: str
    currency: str
    amount: Decimal


@dataclass(frozen=True)
class Receipt:
    school_name: str
    number: str
    received_on: date
    payer: str  # the student, or the sponsor
    admission_number: str  # "" for a sponsor
    amount: Decimal
    currency: str
    method: str  # translated
    reference: str
    exchange_rate: Decimal | None
    rate_source: str
    rate_date: date | None
    lines: list[ReceiptLine]
    balance_after: dict[str, Decimal]  # per currency the payer was invoiced in
    received_by: str
    reversed: bool
    reversal_reason: str


@dataclass(frozen=True)
class StatementEntry:
    day: date
    description: str
    charged: Decimal
    paid: Decimal
    balance: Decimal


@dataclass(frozen=True)
class StatementSection:
    currency: str
    entries: list[StatementEntry]
    balance: Decimal  # what is owed at the end (negative: paid ahead)


@dataclass(frozen=True)
class Statement:
    school_name: str
    title: str  # "Statement", "Family statement", "Sponsor's statement"
    holder: str  # the student, the family's children, or the sponsor
    students: list[tuple[str, str]]  # name, admission number
    made_on: date
    sections: list[StatementSection]


STATEMENT_WIDTHS = (25.0, 95.0, 23.0, 23.0, 24.0)  # date, description, charged, paid, balance: 190 mm


def _table_heading(pdf: Document, widths: tuple[float, ...], labels: tuple[str, ...]) -> None:
    pdf.set_font(FONT, "B", 9)
    for number, (width, label) in enumerate(zip(widths, labels, strict=True)):
        pdf.cell(width, LINE, label, border="B", align="L" if number < 2 else "R")
    pdf.ln(LINE)
    pdf.set_font(FONT, "", 9)


def render_receipt(receipt: Receipt, *, logo: bytes | None = None) -> bytes:
    pdf = document(
        title=format_message("Receipt {number}", number=receipt.number), school_name=receipt.school_name,
        subtitle=format_message("Receipt {number}", number=receipt.number), logo=logo,
    )
    if receipt.reversed:
        pdf.set_font(FONT, "B", 12)
        pdf.multi_cell(0, LINE, format_message("Reversed: {reason}", reason=receipt.reversal_reason), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.pair(_("Receipt number"), receipt.number)
    pdf.pair(_("Date"), format_date(receipt.received_on))
    pdf.pair(_("Received from"), receipt.payer)
    if receipt.admission_number:
        pdf.pair(_("Admission number"), receipt.admission_number)
    pdf.pair(_("Amount"), f"{money_text(receipt.amount)} {receipt.currency}")
    pdf.pair(_("Currency"), receipt.currency)
    pdf.pair(_("Method"), receipt.method)
    pdf.pair(_("Reference"), receipt.reference)
    if receipt.exchange_rate is not None:
        source = ", ".join(part for part in (receipt.rate_source, format_date(receipt.rate_date)) if part)
        pdf.pair(_("Exchange rate"), f"{receipt.exchange_rate} ({source})" if source else str(receipt.exchange_rate))
    pdf.pair(_("Received by"), receipt.received_by)
    pdf.heading(_("Paid towards"))
    widths = (130.0, 25.0, 35.0)
    _table_heading(pdf, widths, (_("Invoice"), _("Currency"), _("Amount")))
    for line in receipt.lines:
        pdf.cell(widths[0], LINE, line.description)
        pdf.cell(widths[1], LINE, line.currency, align="R")
        pdf.cell(widths[2], LINE, money_text(line.amount), align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.heading(_("Balance after this payment"))
    for currency, amount in sorted(receipt.balance_after.items()):
        pdf.pair(currency, money_text(amount))
    return bytes(pdf.output())


def render_statement(statement: Statement, *, logo: bytes | None = None) -> bytes:
    pdf = document(
        title=f"{statement.title}: {statement.holder}", school_name=statement.school_name, subtitle=statement.title, logo=logo,
    )
    pdf.pair(_("For"), statement.holder)
    for name, admission in statement.students:
        pdf.pair(_("Student"), f"{name} · {admission}")
    pdf.pair(_("Date"), format_date(statement.made_on))
    if not statement.sections:
        pdf.heading(_("No invoices yet"))
    for section in statement.sections:
        pdf.heading(section.currency)
        labels = (_("Date"), _("Description"), _("Charged"), _("Paid"), _("Balance"))
        _table_heading(pdf, STATEMENT_WIDTHS, labels)
        for entry in section.entries:
            date_w, words_w, charged_w, paid_w, balance_w = STATEMENT_WIDTHS
            lines = pdf.multi_cell(words_w, LINE, entry.description, dry_run=True, output="LINES")
            height = LINE * (len(lines) if isinstance(lines, list) else 1)
            if pdf.will_page_break(height):
                pdf.add_page()
            top = pdf.get_y()
            pdf.cell(date_w, LINE, format_date(entry.day))
            pdf.multi_cell(words_w, LINE, entry.description, new_x=XPos.RIGHT, new_y=YPos.TOP)
            pdf.cell(charged_w, LINE, money_text(entry.charged) if entry.charged else "", align="R")
            pdf.cell(paid_w, LINE, money_text(entry.paid) if entry.paid else "", align="R")
            pdf.cell(balance_w, LINE, money_text(entry.balance), align="R")
            pdf.set_xy(pdf.l_margin, top + height)
        pdf.set_font(FONT, "B", 10)
        pdf.cell(0, LINE, format_message("Balance owed: {amount} {currency}", amount=money_text(section.balance), currency=section.currency),
                 new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font(FONT, "", 10)
    return bytes(pdf.output())
