"""A report card as a PDF (fpdf2), in the language of the request: the school's name and logo,
the student, the subjects with percent, grade and points, positions, the level's summary,
attendance, the comments and the next term's opening date.

The text is set in DejaVu Sans, shipped in `oneclass/data/fonts` (its licence beside it): a
TrueType font whose Latin covers every letter Shona and Ndebele names are written with, which
the PDF core fonts (Latin-1 only) do not. The files are subsets (Latin with Extended-A/B and
Additional, IPA, combining marks, punctuation, currency, letterlike symbols, arrows: U+0000-036F,
U+1E00-1EFF, U+2000-215F, U+2190-21FF), cut with fontTools' pyftsubset: fpdf2 parses the font
anew for every document, and the whole font made parsing 60% of a card's time.
"""

import io
from functools import lru_cache
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from oneclass.i18n import N_, _, current_language, format_date, format_message
from oneclass.services.report_card import Position, ReportCard

FONTS = Path(__file__).resolve().parent.parent / "data" / "fonts"
FONT = "DejaVu"
LINE = 7.0
NO_MARKS = N_("No marks were entered this term.")


@lru_cache(maxsize=1)
def _font_files() -> tuple[str, str]:
    return str(FONTS / "DejaVuSans.ttf"), str(FONTS / "DejaVuSans-Bold.ttf")


def _place(position: Position) -> str:
    return format_message("{place} of {count}", place=position.place, count=position.of)


class Document(FPDF):
    """An A4 page in DejaVu Sans with the helpers every school document uses (report cards,
    receipts, statements)."""

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font(FONT, "B", 11)
        self.cell(0, LINE, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, "", 10)

    def pair(self, label: str, value: str) -> None:
        self.set_font(FONT, "B", 10)
        self.cell(55, LINE, label)
        self.set_font(FONT, "", 10)
        self.multi_cell(0, LINE, value or "—", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def document(*, title: str, school_name: str, subtitle: str, logo: bytes | None) -> Document:
    """A new document in the current language (`oneclass.i18n`), its first page begun with the
    school's letterhead: the logo, the school's name and `subtitle`."""
    pdf = Document(format="A4")
    regular, bold = _font_files()
    pdf.add_font(FONT, "", regular)
    pdf.add_font(FONT, "B", bold)
    pdf.set_title(title)
    pdf.set_author(school_name)
    pdf.set_lang(current_language())
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    if logo:
        try:
            pdf.image(io.BytesIO(logo), x=pdf.l_margin, y=10, h=20)
            pdf.set_left_margin(pdf.l_margin + 25)
            pdf.set_x(pdf.l_margin)
        except Exception:  # a logo fpdf cannot read must not cost anyone their document
            pass
    pdf.set_font(FONT, "B", 16)
    pdf.cell(0, 10, school_name, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, "", 12)
    pdf.cell(0, LINE, subtitle, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_left_margin(10)
    pdf.set_y(max(pdf.get_y(), 32))
    pdf.ln(3)
    return pdf


def render(card: ReportCard, *, logo: bytes | None = None) -> bytes:
    """The card as PDF bytes; labels in the current language (`oneclass.i18n`)."""
    facts = card.facts
    pdf = document(
        title=format_message("Report card: {name}", name=facts.student_name), school_name=facts.school_name,
        subtitle=format_message("Report card: {term}, {year}", term=facts.term_name, year=facts.year_name), logo=logo,
    )
    pdf.pair(_("Student"), facts.student_name)
    pdf.pair(_("Admission number"), facts.admission_number)
    pdf.pair(_("Class"), facts.class_name)
    pdf.pair(_("Class teacher"), facts.class_teacher)
    if not card.descriptive:
        _subjects(pdf, card)
    pdf.heading(_("Attendance"))
    if facts.attendance_rate is None:
        pdf.pair(_("Attendance"), _("No registers were taken this term."))
    else:
        pdf.pair(
            _("Attendance"),
            format_message("{rate}% ({present} of {days} days)", rate=facts.attendance_rate, present=facts.days_present, days=facts.days_recorded),
        )
    pdf.heading(_("Comments"))
    pdf.pair(_("Class teacher's comment"), facts.teacher_comment)
    pdf.pair(_("Head's comment"), facts.head_comment)
    pdf.ln(2)
    pdf.pair(_("Next term opens"), format_date(facts.next_term_opens) if facts.next_term_opens else "")
    return bytes(pdf.output())


def _subjects(pdf: Document, card: ReportCard) -> None:
    pdf.heading(_("Subjects"))
    if not card.lines:
        pdf.multi_cell(0, LINE, _(NO_MARKS), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        widths = (100.0, 30.0, 30.0, 30.0)
        pdf.set_font(FONT, "B", 10)
        for width, label in zip(widths, (_("Subject"), _("Percent"), _("Grade"), _("Points")), strict=True):
            pdf.cell(width, LINE, label, border="B")
        pdf.ln(LINE)
        pdf.set_font(FONT, "", 10)
        for line in card.lines:
            for width, value in zip(widths, (line.subject, f"{line.percent}%", line.grade, str(line.points)), strict=True):
                pdf.cell(width, LINE, value)
            pdf.ln(LINE)
    pdf.ln(2)
    if card.class_position is not None:
        pdf.pair(_("Position in class"), _place(card.class_position))
    if card.level_position is not None:
        pdf.pair(_("Position in the level"), _place(card.level_position))
    if card.o_level is not None:
        pdf.pair(_("Passes"), str(card.o_level.passes))
        pdf.pair(_("English Language passed"), _("Yes") if card.o_level.english_passed else _("No"))
        pdf.pair(_("Mathematics passed"), _("Yes") if card.o_level.mathematics_passed else _("No"))
    if card.a_level_points is not None:
        pdf.pair(_("Points (best three)"), str(card.a_level_points))
    if card.primary_aggregate is not None:
        pdf.pair(_("Aggregate (best four units)"), str(card.primary_aggregate))
