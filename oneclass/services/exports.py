"""Lists as files people open in a spreadsheet: CSV (UTF-8 with a byte-order mark, so Excel
reads the accents right) and Excel workbooks (.xlsx). Generic: `columns` maps each row's keys
to the headings written, in order; a missing key is an empty cell.

A CSV cell that starts like a formula (`=`, `@`, or `+`/`-` followed by something other than a
number such as +263 77 123 4567) gets a leading `'`, so a spreadsheet shows it instead of running
it. In a workbook every text cell is stored as text, never as a formula.
"""

import csv
import io
import re
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

NUMBER_LIKE = re.compile(r"^[+-][\d\s().]*$")
MAX_COLUMN_WIDTH = 60


def _csv_cell(value: Any) -> str:
    text = "" if value is None else str(value)
    if text[:1] in ("=", "@", "\t", "\r") or (text[:1] in ("+", "-") and not NUMBER_LIKE.match(text)):
        return "'" + text
    return text


def rows_to_csv(columns: Mapping[str, str], rows: Iterable[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns.values())
    for row in rows:
        writer.writerow([_csv_cell(row.get(key)) for key in columns])
    return buffer.getvalue().encode("utf-8-sig")


def rows_to_xlsx(columns: Mapping[str, str], rows: Iterable[Mapping[str, Any]], sheet: str) -> bytes:
    """One worksheet named `sheet` (cut to Excel's 31 characters): a bold, frozen heading row."""
    workbook = Workbook()
    worksheet = workbook.active
    assert worksheet is not None
    worksheet.title = sheet[:31]
    widths = {key: len(heading) for key, heading in columns.items()}
    for number, heading in enumerate(columns.values(), start=1):
        worksheet.cell(row=1, column=number, value=heading).font = Font(bold=True)
    for row_number, row in enumerate(rows, start=2):
        for number, key in enumerate(columns, start=1):
            value = row.get(key)
            cell = worksheet.cell(row=row_number, column=number, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
            widths[key] = max(widths[key], len(str(value or "")))
    for number, width in enumerate(widths.values(), start=1):
        worksheet.column_dimensions[get_column_letter(number)].width = min(width + 2, MAX_COLUMN_WIDTH)
    worksheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
