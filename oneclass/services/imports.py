"""The one bulk importer: students with their guardians, staff, or users (any school role, with
an optional initial password), from a CSV or Excel (.xlsx) file, with one size and row limit.

`preview_import` reads and checks every row (with the same validators as the one-at-a-time
forms) and writes nothing; `run_import` checks again and, only if no row has a problem, writes
every row in its one unit of work: a failure part-way leaves nothing. Both check the kind's
permission first. `check_file` and `import_file` are the same steps inside a caller's session
(they never commit). Large files are written in chunks of bulk INSERTs, with what the checks
need (existing admission numbers, emails, guardians, classes, departments) read once up front.

A file of `LARGE_IMPORT_ROWS` rows or more is imported by a background job instead
(`start_import_job`): the upload goes to storage, a Celery worker runs the same `import_file` in
the job's one transaction, and the page follows the job's progress. Smaller files are written at
once, in the request: `bench/jobs.py` measured 0.04 s for 200 rows in the request and 0.54 s
for 1,000, where a job adds the queue, the worker and the page's half-second polling on top.
"""

import csv
import hashlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields
from datetime import date, datetime, time
from typing import Any
from uuid import UUID, uuid4

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from sqlalchemy import insert, update
from sqlmodel import Session, col, func, select

from models import (
    Department,
    Enrolment,
    Guardian,
    Role,
    SchoolClass,
    StaffProfile,
    Student,
    StudentGuardian,
    StudentStatus,
    StudentStatusChange,
    User,
)
from oneclass import storage, validation
from oneclass.db import invalidate_on_commit, unit_of_work
from oneclass.i18n import N_, _, format_message, format_number
from oneclass.permissions import require
from oneclass.security import hash_password
from oneclass.services import audit, jobs
from oneclass.services.academics import current_year
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import ValidationFailed
from oneclass.services.exports import rows_to_csv
from oneclass.services.staff import EMPLOYEE_NUMBER_MAX, JOB_TITLE_MAX, STAFF_ROLES
from oneclass.services.students import (
    ADMISSION_TAKEN,
    ADMITTED,
    GuardianInput,
    StudentInput,
    class_full,
    clean_guardian,
    clean_student,
)
from oneclass.services.users import (
    EMAIL_TAKEN,
    ROLE_LABELS,
    field_problems,
    normalise_role,
)

STUDENTS = "students"
STAFF = "staff"
USERS = "users"
KINDS: dict[str, str] = {STUDENTS: N_("Students with guardians"), STAFF: N_("Staff"), USERS: N_("Users")}  # shown with t()
PERMISSIONS: dict[str, str] = {STUDENTS: "students.create", STAFF: "users.create", USERS: "users.create"}
IMPORTED: dict[str, str] = {STUDENTS: "students.imported", STAFF: "staff.imported", USERS: "users.imported"}
# What the person importing is told when it is done (shown as made, in their language).
IMPORT_DONE: dict[str, str] = {
    STUDENTS: N_("Imported {count} students with their guardians."),
    STAFF: N_("Imported {count} staff. Each can sign in once you send them a password reset link from Users."),
    USERS: N_("Imported {count} users. Those without an initial password sign in once you send them a reset link from Users."),
}
STUDENTS_IMPORTED, STAFF_IMPORTED, USERS_IMPORTED = IMPORTED[STUDENTS], IMPORTED[STAFF], IMPORTED[USERS]
UNKNOWN_KIND = N_("Choose students, staff or users.")

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 20_000  # every row after the header counts, blank or not: blank ones cost reading too
# An .xlsx is a zip: 10 MB of it may unpack to gigabytes. What a workbook of MAX_ROWS rows needs,
# many times over, and no more is unpacked or held.
MAX_UNPACKED_BYTES = 100 * 1024 * 1024
MAX_WORKBOOK_PARTS = 1_000
MAX_SHARED_STRINGS = 1_000_000
MAX_COLUMNS = 200
CHUNK_ROWS = 200  # rows written per batch of INSERTs; progress is reported after each
IMPORT_JOB = "import"
# From this many rows a file is imported by a background job (see the module's docstring).
LARGE_IMPORT_ROWS = 1_000
SAMPLE_ROWS = 10
# Hashing a password takes a good fraction of a second and happens inside the import's one
# transaction: a file may set this many initial passwords; the others get reset links.
MAX_PASSWORDS = 200


def too_many_passwords() -> str:
    return format_message(
        "A file may set at most {count} initial passwords. Leave this one empty and send a reset link from Users.", count=MAX_PASSWORDS
    )


# The files' column names are data, not words: a file is read the same whatever the reader's
# language, so they stay English everywhere (header, template, the problems' column cell); the
# messages about them are translated.
STUDENT_COLUMNS = (
    "admission_number", "first_name", "last_name", "date_of_birth", "gender", "class",
    "birth_certificate_number", "national_id", "zimsec_candidate_number", "home_language", "address", "medical_notes",
    "guardian_name", "guardian_phone", "guardian_relationship", "guardian_email", "guardian_contact_preference",
)
STUDENT_REQUIRED = (
    "admission_number", "first_name", "last_name", "date_of_birth", "gender", "guardian_name", "guardian_phone", "guardian_relationship",
)
GUARDIAN_COLUMNS = ("guardian_name", "guardian_phone", "guardian_relationship", "guardian_email", "guardian_contact_preference")
STAFF_COLUMNS = ("email", "full_name", "role", "department", "job_title", "employee_number", "phone")
STAFF_REQUIRED = ("email", "full_name", "role")
USER_COLUMNS = ("email", "full_name", "role", "password")
USER_REQUIRED = ("email", "full_name", "role")
COLUMNS: dict[str, tuple[str, ...]] = {STUDENTS: STUDENT_COLUMNS, STAFF: STAFF_COLUMNS, USERS: USER_COLUMNS}
REQUIRED: dict[str, tuple[str, ...]] = {STUDENTS: STUDENT_REQUIRED, STAFF: STAFF_REQUIRED, USERS: USER_REQUIRED}
EXAMPLES: dict[str, dict[str, str]] = {
    STUDENTS: {
        "admission_number": "2027-0001", "first_name": "Tariro", "last_name": "Moyo", "date_of_birth": "2015-03-14",
        "gender": "female", "class": "", "birth_certificate_number": "63-123456A75", "national_id": "",
        "zimsec_candidate_number": "", "home_language": "Shona", "address": "12 Jacaranda Road, Avondale, Harare",
        "medical_notes": "", "guardian_name": "Chipo Moyo", "guardian_phone": "0771234567", "guardian_relationship": "Mother",
        "guardian_email": "chipo.moyo@example.com", "guardian_contact_preference": "sms",
    },
    STAFF: {
        "email": "t.ncube@example.com", "full_name": "Themba Ncube", "role": "teacher", "department": "",
        "job_title": "Mathematics teacher", "employee_number": "EMP-101", "phone": "0712345678",
    },
    USERS: {"email": "r.dube@example.com", "full_name": "Rumbidzai Dube", "role": "teacher", "password": ""},
}
# clean_guardian names its errors after GuardianInput's fields; the file's column is named otherwise.
_GUARDIAN_ERROR_COLUMNS = {"guardian_full_name": "guardian_name"}
ROW_TOO_LONG = N_("This row has more cells than the header has columns.")
NOT_A_WORKBOOK = N_("The file could not be read as an Excel workbook. Save it again as .xlsx, or as CSV UTF-8.")
# What openpyxl raises for a zip that is not a workbook, or a workbook with broken XML.
UNREADABLE_WORKBOOK = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError, IndexError, SyntaxError, OSError)


# The messages with numbers in them, made in the reader's language when a file is checked.
def too_many_rows() -> str:
    return format_message(
        "The file has more than {count} rows (blank rows count too). Split it into smaller files.", count=format_number(MAX_ROWS)
    )


def workbook_too_large() -> str:
    return format_message(
        "The workbook unpacks to more than {size} MB or holds more than {count} different texts, more than an import can hold. "
        "Save the sheet as CSV UTF-8 or split it into smaller files.",
        size=MAX_UNPACKED_BYTES // (1024 * 1024),
        count=format_number(MAX_SHARED_STRINGS),
    )


def too_many_columns() -> str:
    return format_message("The file has cells beyond column {count}. Delete the extra columns and save it again.", count=MAX_COLUMNS)


# The start of a shared string (<si>, perhaps with a namespace prefix) in a workbook's XML.
_SHARED_STRING_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_TAG_LOOKAHEAD = 256  # a tag cut by a read boundary is re-read whole with the next block


# --- what a preview shows -------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str  # the file's column name; "" for the row as a whole
    message: str


@dataclass(frozen=True)
class ImportPreview:
    """What an import of the file would do. `problems` are about the file as a whole (type,
    size, header); `errors` about single rows. Nothing may be imported unless `ok`."""

    kind: str
    filename: str
    rows: int = 0  # data rows, blank rows not counted
    rows_with_errors: int = 0
    errors: list[RowError] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    sample_columns: list[str] = field(default_factory=list)
    sample: list[list[str]] = field(default_factory=list)  # the first valid rows, as text

    @property
    def valid_rows(self) -> int:
        return self.rows - self.rows_with_errors

    @property
    def ok(self) -> bool:
        return not self.problems and not self.errors and self.rows > 0


class FileProblem(Exception):
    """The file as a whole cannot be read; the message is for the user."""


# --- reading a file -------------------------------------------------------------------------


def _column_name(cell: str) -> str:
    """'First name', 'first-name' and 'FIRST_NAME' all mean first_name."""
    return "_".join(cell.replace("-", " ").lower().split())


def _cell_text(value: object, column: str) -> str:
    """An Excel cell as the text a CSV file would have held."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and column.endswith("phone") and len(str(value)) in (8, 9):
        return f"0{value}"  # Excel drops the leading 0 of a phone number typed as a number
    return str(value).strip()


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.decode("utf-8-sig")  # Excel writes a byte-order mark
    except UnicodeDecodeError:
        raise FileProblem(_('The file is not UTF-8 text. In your spreadsheet, save it as "CSV UTF-8" or as .xlsx.')) from None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","  # some locales' Excel
    try:
        yield from csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    except csv.Error as error:
        raise FileProblem(format_message("The file is not valid CSV: {error}.", error=error)) from None


def _shared_strings_in(archive: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    """How many shared strings `part` starts, read a block at a time (never whole)."""
    count, carry = 0, b""
    with archive.open(part) as stream:
        while block := stream.read(1024 * 1024):
            text = carry + block
            cut = text.rfind(b"<")
            if cut == -1 or len(text) - cut > _TAG_LOOKAHEAD:
                cut = len(text)
            count += len(_SHARED_STRING_TAG.findall(text, 0, cut))
            carry = text[cut:]
    return count + len(_SHARED_STRING_TAG.findall(carry))


def _check_unpacked_size(content: bytes) -> None:
    """Refuse a zip bomb before openpyxl unpacks it (it reads the shared strings whole). The sizes
    the zip's directory declares bound what is read: zipfile stops at a part's declared size and
    fails its checksum if the data says otherwise. Shared strings are counted in every XML part,
    since the workbook, not the part's name, says which one holds them."""
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            parts = archive.infolist()
            if len(parts) > MAX_WORKBOOK_PARTS or sum(part.file_size for part in parts) > MAX_UNPACKED_BYTES:
                raise FileProblem(workbook_too_large())
            strings = 0
            for part in parts:
                if part.filename.lower().endswith(".xml"):
                    strings += _shared_strings_in(archive, part)
                    if strings > MAX_SHARED_STRINGS:
                        raise FileProblem(workbook_too_large())
    except UNREADABLE_WORKBOOK:
        raise FileProblem(_(NOT_A_WORKBOOK)) from None


def _xlsx_rows(content: bytes) -> Iterator[list[object]]:
    """The first sheet's rows, read without loading the whole workbook into memory."""
    _check_unpacked_size(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except UNREADABLE_WORKBOOK:
        raise FileProblem(_(NOT_A_WORKBOOK)) from None
    try:
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some programs write a wrong size; read every row there is
        # One row past the limit is enough to refuse: a missing row numbered 1,048,576 would
        # otherwise be filled in with every empty row before it.
        for values in sheet.iter_rows(max_row=MAX_ROWS + 2, values_only=True):
            if len(values) > MAX_COLUMNS:
                if any(value is not None for value in values[MAX_COLUMNS:]):
                    raise FileProblem(too_many_columns())
                values = values[:MAX_COLUMNS]  # an empty cell far to the right, formatted once
            yield list(values)
    except UNREADABLE_WORKBOOK:
        raise FileProblem(_(NOT_A_WORKBOOK)) from None
    finally:
        workbook.close()


def _raw_rows(filename: str, content: bytes) -> tuple[Iterator[list[Any]], bool]:
    """The file's rows, and whether they came from Excel (cells with types) or CSV (text)."""
    name = filename.lower()
    if zipfile.is_zipfile(io.BytesIO(content)):
        return _xlsx_rows(content), True
    if name.endswith(".xlsx"):
        raise FileProblem(_(NOT_A_WORKBOOK))
    if name.endswith(".xls"):
        raise FileProblem(_("Old Excel files (.xls) cannot be read. In Excel, save the file as .xlsx or as CSV UTF-8."))
    if not name.endswith(".csv"):
        raise FileProblem(_("Upload a .csv or .xlsx file."))
    return _csv_rows(content), False


def _header(kind: str, cells: list[Any]) -> list[str]:
    names = [_column_name(str(cell or "")) for cell in cells]
    while names and not names[-1]:
        names.pop()
    allowed, required = COLUMNS[kind], REQUIRED[kind]
    unknown = [
        name or format_message("(column {number} has no name)", number=index) for index, name in enumerate(names, start=1) if name not in allowed
    ]
    missing = [name for name in required if name not in names]
    repeated = sorted({name for name in names if name and names.count(name) > 1})
    if missing or unknown or repeated:
        parts = []
        if missing:
            parts.append(format_message("missing column(s): {columns}", columns=", ".join(missing)))
        if unknown:
            parts.append(format_message("unknown column(s): {columns}", columns=", ".join(unknown)))
        if repeated:
            parts.append(format_message("repeated column(s): {columns}", columns=", ".join(repeated)))
        raise FileProblem(
            format_message(
                "The first row must be the header, as in the template. This file has {problems}. Allowed columns: {columns}.",
                problems="; ".join(parts),
                columns=", ".join(allowed),
            )
        )
    return names


@dataclass(frozen=True)
class _Record:
    number: int
    values: dict[str, str]
    too_long: bool


def _records(kind: str, filename: str, content: bytes) -> Iterator[_Record]:
    """Each non-blank data row keyed by column. Raises FileProblem for an unreadable file."""
    if not content:
        raise FileProblem(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise FileProblem(format_message("The file is larger than {size} MB. Split it into smaller files.", size=MAX_BYTES // (1024 * 1024)))
    rows, from_excel = _raw_rows(filename, content)
    header: list[str] | None = None
    data_rows = 0
    for number, cells in enumerate(rows, start=1):
        if number > MAX_ROWS + 1:
            raise FileProblem(too_many_rows())
        if header is None:
            header = _header(kind, cells)
            continue
        texts = [
            _cell_text(cell, header[i] if i < len(header) else "") if from_excel else cell.replace("\x00", "").strip()
            for i, cell in enumerate(cells)
        ]
        if not any(texts):
            continue
        data_rows += 1
        values = {name: texts[i] if i < len(texts) else "" for i, name in enumerate(header)}
        yield _Record(number, values, any(texts[len(header):]))
    if header is None:
        raise FileProblem(_("The file is empty."))
    if data_rows == 0:
        raise FileProblem(_("The file has a header but no rows."))


# --- checking rows --------------------------------------------------------------------------


@dataclass(slots=True)
class _StudentRow:
    student: dict[str, Any]
    guardian: dict[str, Any] | None
    class_id: UUID | None
    year_id: UUID | None


@dataclass(slots=True)
class _StaffRow:
    email: str
    full_name: str
    role: str
    department_id: UUID | None
    job_title: str | None
    employee_number: str | None
    phone: str | None


@dataclass(slots=True)
class _UserRow:
    email: str
    full_name: str
    role: str
    password: str | None  # hashed only when written; never shown


@dataclass
class _Checked:
    preview: ImportPreview
    rows: list[Any]  # _StudentRow, _StaffRow or _UserRow, one per valid row, when the preview is ok


def _optional(errors: dict[str, str], column: str, check: Callable[[str], Any], value: str) -> Any:
    if not value.strip():
        return None
    try:
        return check(value)
    except validation.InvalidValue as problem:
        errors[column] = str(problem)
        return None


def _matching(names: list[str], wanted: str) -> str:
    shown = ", ".join(sorted(names)[:12]) + (" …" if len(names) > 12 else "")
    return format_message("{problem} Yours: {names}.", problem=wanted, names=shown) if names else wanted


class _StudentChecks:
    """What checking student rows needs from the database, read once per file."""

    def __init__(self, session: Session) -> None:
        self.taken = set(session.exec(select(func.lower(Student.admission_number))).all())
        year = current_year(session)
        self.year_id = year.id if year else None
        classes = session.exec(select(SchoolClass).where(SchoolClass.academic_year_id == self.year_id)).all() if year else []
        self.classes = {" ".join(c.name.lower().split()): c for c in classes}
        counts = session.exec(
            select(Enrolment.class_id, func.count()).where(col(Enrolment.class_id).in_([c.id for c in classes])).group_by(Enrolment.class_id)  # type: ignore[arg-type]
        ).all() if classes else []
        self.places = {c.id: c.capacity for c in classes}
        for class_id, enrolled in counts:
            self.places[class_id] -= enrolled
        self.seen: dict[str, int] = {}

    def check(self, record: _Record, errors: dict[str, str]) -> _StudentRow:
        cells = record.values
        student = clean_student(StudentInput(**{f.name: cells.get(f.name, "") for f in fields(StudentInput)}), errors)
        guardian = None
        if any(cells.get(name) for name in GUARDIAN_COLUMNS):
            guardian_errors: dict[str, str] = {}
            guardian = clean_guardian(
                GuardianInput(
                    full_name=cells.get("guardian_name", ""),
                    phone=cells.get("guardian_phone", ""),
                    relationship=cells.get("guardian_relationship", ""),
                    email=cells.get("guardian_email", ""),
                    contact_preference=cells.get("guardian_contact_preference", ""),
                ),
                guardian_errors,
            )
            errors.update({_GUARDIAN_ERROR_COLUMNS.get(key, key): message for key, message in guardian_errors.items()})
        number = (student["admission_number"] or "").lower()
        if number:
            if number in self.taken:
                errors["admission_number"] = _(ADMISSION_TAKEN)
            elif number in self.seen:
                errors["admission_number"] = format_message("The same admission number is also on row {row}.", row=self.seen[number])
            self.seen.setdefault(number, record.number)
        class_id = self._class(" ".join(cells.get("class", "").split()), errors)
        return _StudentRow(student, guardian, class_id, self.year_id if class_id else None)

    def _class(self, name: str, errors: dict[str, str]) -> UUID | None:
        if not name:
            return None
        if self.year_id is None:
            errors["class"] = _("Your school has no current year yet: set one under Years and terms, or leave the class empty.")
            return None
        school_class = self.classes.get(name.lower())
        if school_class is None:
            errors["class"] = _matching([c.name for c in self.classes.values()], format_message("No class named “{name}” this year.", name=name))
            return None
        if self.places[school_class.id] <= 0:
            errors["class"] = class_full(school_class)
            return None
        self.places[school_class.id] -= 1
        return school_class.id


class _NewLogins:
    """Emails for new users: valid, not the school's already, not twice in the file."""

    def __init__(self, session: Session) -> None:
        self.taken = set(session.exec(select(func.lower(User.email))).all())
        self.seen: dict[str, int] = {}

    def check(self, email: str, number: int, errors: dict[str, str]) -> None:
        if "email" in errors:
            return
        if email in self.taken:
            errors["email"] = _(EMAIL_TAKEN)
        elif email in self.seen:
            errors["email"] = format_message("The same email is also on row {row}.", row=self.seen[email])
        self.seen.setdefault(email, number)


class _UserChecks:
    """A user row: the same checks as the Users page's form (roles a school may give, the
    password rules when a password is given)."""

    def __init__(self, session: Session) -> None:
        self.logins = _NewLogins(session)
        self.passwords = 0

    def check(self, record: _Record, errors: dict[str, str]) -> _UserRow:
        cells = record.values
        email, full_name = cells.get("email", "").lower(), " ".join(cells.get("full_name", "").split())
        role, password = normalise_role(cells.get("role", "")), cells.get("password", "")
        errors.update(field_problems(email=email, full_name=full_name, role=role, password=password or None))
        self.logins.check(email, record.number, errors)
        self.passwords += bool(password)
        if password and self.passwords > MAX_PASSWORDS:
            errors["password"] = too_many_passwords()
        return _UserRow(email=email, full_name=full_name, role=role, password=password or None)


class _StaffChecks:
    def __init__(self, session: Session) -> None:
        self.logins = _NewLogins(session)
        numbers = session.exec(select(StaffProfile.employee_number).where(col(StaffProfile.employee_number).is_not(None))).all()
        self.numbers_taken = {number.lower() for number in numbers if number}
        self.departments = {d.name.lower(): d for d in session.exec(select(Department)).all()}
        self.seen_numbers: dict[str, int] = {}

    def check(self, record: _Record, errors: dict[str, str]) -> _StaffRow:
        cells = record.values
        email, full_name, role = cells.get("email", "").lower(), cells.get("full_name", ""), normalise_role(cells.get("role", ""))
        errors.update(field_problems(email=email, full_name=full_name, role=role))
        if role not in STAFF_ROLES:
            errors["role"] = _("Choose teacher or staff.")
        self.logins.check(email, record.number, errors)
        department_id = None
        department = " ".join(cells.get("department", "").split())
        if department:
            found = self.departments.get(department.lower())
            if found is None:
                errors["department"] = _matching(
                    [d.name for d in self.departments.values()], format_message("No department named “{name}”.", name=department)
                )
            department_id = found.id if found else None
        employee_number = cells.get("employee_number", "")
        if len(employee_number) > EMPLOYEE_NUMBER_MAX:
            errors["employee_number"] = format_message("Use at most {count} characters.", count=EMPLOYEE_NUMBER_MAX)
        elif employee_number:
            key = employee_number.lower()
            if key in self.numbers_taken:
                errors["employee_number"] = _("Another member of staff has this employee number.")
            elif key in self.seen_numbers:
                errors["employee_number"] = format_message("The same employee number is also on row {row}.", row=self.seen_numbers[key])
            self.seen_numbers.setdefault(key, record.number)
        job_title = " ".join(cells.get("job_title", "").split())
        if len(job_title) > JOB_TITLE_MAX:
            errors["job_title"] = format_message("Use at most {count} characters.", count=JOB_TITLE_MAX)
        return _StaffRow(
            email=email,
            full_name=" ".join(full_name.split()),
            role=role,
            department_id=department_id,
            job_title=job_title or None,
            employee_number=employee_number or None,
            phone=_optional(errors, "phone", validation.phone, cells.get("phone", "")),
        )


def _sample_columns(kind: str) -> list[str]:
    if kind == STUDENTS:
        return [_("Row"), _("Admission number"), _("Name"), _("Date of birth"), _("Gender"), _("Class"), _("Guardian")]
    if kind == USERS:
        return [_("Row"), _("Email"), _("Full name"), _("Role"), _("Initial password")]
    return [_("Row"), _("Email"), _("Full name"), _("Role"), _("Department"), _("Job title")]


def _sample(kind: str, number: int, record: _Record, row: Any) -> list[str]:
    cells = record.values
    if kind == STUDENTS:
        guardian = f"{row.guardian['full_name']} ({row.guardian['phone']})" if row.guardian else ""
        student = row.student
        return [
            str(number), student["admission_number"], f"{student['first_name']} {student['last_name']}",
            student["date_of_birth"].isoformat(), student["gender"], cells.get("class", ""), guardian,
        ]
    if kind == USERS:
        return [str(number), row.email, row.full_name, _(ROLE_LABELS[row.role]), _("Yes") if row.password else _("No")]
    return [str(number), row.email, row.full_name, row.role, cells.get("department", ""), row.job_title or ""]


_CHECKS: dict[str, Callable[[Session], _StudentChecks | _StaffChecks | _UserChecks]] = {
    STUDENTS: _StudentChecks, STAFF: _StaffChecks, USERS: _UserChecks,
}


def _check_file(session: Session, *, kind: str, filename: str, content: bytes) -> _Checked:
    """Read and check every row; keeps the clean rows only while no row has a problem."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": _(UNKNOWN_KIND)})
    checks = _CHECKS[kind](session)
    rows: list[Any] = []
    errors: list[RowError] = []
    sample: list[list[str]] = []
    count = rows_with_errors = 0
    try:
        for record in _records(kind, filename, content):
            count += 1
            row_errors: dict[str, str] = {}
            if record.too_long:
                row_errors[""] = _(ROW_TOO_LONG)
            row = checks.check(record, row_errors)
            if row_errors:
                rows_with_errors += 1
                errors.extend(RowError(record.number, column, message) for column, message in row_errors.items())
                rows.clear()  # nothing will be written: stop holding rows
                continue
            if not errors:
                rows.append(row)
            if len(sample) < SAMPLE_ROWS:
                sample.append(_sample(kind, record.number, record, row))
    except FileProblem as problem:
        return _Checked(ImportPreview(kind, filename, problems=[str(problem)]), [])
    preview = ImportPreview(
        kind, filename, rows=count, rows_with_errors=rows_with_errors, errors=errors,
        sample_columns=_sample_columns(kind), sample=sample,
    )
    return _Checked(preview, rows if preview.ok else [])


def _require_kind(actor: CurrentUser, kind: str) -> None:
    # An unknown kind asks the strictest permission: nobody learns anything without it.
    require(actor, PERMISSIONS.get(kind, "users.create"))


def preview_import(*, actor: CurrentUser, kind: str, filename: str, content: bytes) -> ImportPreview:
    """Read and check an upload without writing anything, so every problem (with its row and
    column) is seen before anything is imported."""
    _require_kind(actor, kind)
    with unit_of_work(actor) as session:
        return check_file(session, actor=actor, kind=kind, filename=filename, content=content)


def check_file(session: Session, *, actor: CurrentUser, kind: str, filename: str, content: bytes) -> ImportPreview:
    """`preview_import` inside the caller's session."""
    _require_kind(actor, kind)
    return _check_file(session, kind=kind, filename=filename, content=content).preview


# --- writing --------------------------------------------------------------------------------


@dataclass
class _Batch:
    """One chunk's rows, per table, written together in dependency order."""

    users: list[dict[str, Any]] = field(default_factory=list)
    guardians: dict[UUID, dict[str, Any]] = field(default_factory=dict)
    guardian_logins: list[dict[str, Any]] = field(default_factory=list)  # existing guardians given a login
    students: list[dict[str, Any]] = field(default_factory=list)
    status_changes: list[dict[str, Any]] = field(default_factory=list)
    links: list[dict[str, Any]] = field(default_factory=list)
    enrolments: list[dict[str, Any]] = field(default_factory=list)
    staff_profiles: list[dict[str, Any]] = field(default_factory=list)

    def write(self, session: Session) -> None:
        for model, rows in (
            (User, self.users),
            (Guardian, list(self.guardians.values())),
            (Student, self.students),
            (StudentStatusChange, self.status_changes),
            (StudentGuardian, self.links),
            (Enrolment, self.enrolments),
            (StaffProfile, self.staff_profiles),
        ):
            if rows:
                # The table, not the ORM entity: psycopg pipelines the rows of one executemany,
                # where the ORM's bulk path would split them by which values are None.
                session.execute(insert(model.__table__), rows)  # type: ignore[union-attr]  # SQLModel's metaclass leaves __table__ undeclared
        if self.guardian_logins:
            session.execute(update(Guardian), self.guardian_logins)  # bulk UPDATE by primary key


class _Guardians:
    """Guardians found or added by the rules of `students.find_or_add_guardian` (by the parent
    login's email first, then by phone; an email gives the guardian a parent login), but with
    the school's guardians and logins read once instead of once per row."""

    def __init__(self, session: Session, school_id: UUID) -> None:
        self.school_id = school_id
        self.logins = {email: (user_id, role) for user_id, email, role in session.exec(select(User.id, func.lower(User.email), User.role)).all()}
        self.by_phone: dict[str, UUID] = {}
        self.by_login: dict[UUID, UUID] = {}
        for guardian_id, phone, user_id in session.exec(select(Guardian.id, Guardian.phone, Guardian.user_id).order_by(col(Guardian.created_at))).all():
            self.by_phone.setdefault(phone, guardian_id)
            if user_id:
                self.by_login[user_id] = guardian_id
        self.with_login = set(self.by_login.values())
        self.added = self.logins_added = 0

    def find_or_add(self, values: dict[str, Any], batch: _Batch) -> UUID:
        email = values["email"]
        login = self.logins.get(email) if email else None
        guardian_id = (self.by_login.get(login[0]) if login else None) or self.by_phone.get(values["phone"])
        if guardian_id is None:
            guardian_id = uuid4()
            batch.guardians[guardian_id] = {
                "id": guardian_id, "school_id": self.school_id, "user_id": None, "full_name": values["full_name"],
                "phone": values["phone"], "email": email, "contact_preference": values["contact_preference"],
            }
            self.by_phone[values["phone"]] = guardian_id
            self.added += 1
        if email and guardian_id not in self.with_login:
            if login is None:
                login = (uuid4(), Role.parent.value)
                batch.users.append(
                    {"id": login[0], "school_id": self.school_id, "email": email, "full_name": values["full_name"], "role": Role.parent.value}
                )
                self.logins[email] = login
                self.logins_added += 1
            if login[1] == Role.parent.value:
                if guardian_id in batch.guardians:
                    batch.guardians[guardian_id]["user_id"] = login[0]
                else:
                    batch.guardian_logins.append({"id": guardian_id, "user_id": login[0]})
                self.by_login[login[0]] = guardian_id
                self.with_login.add(guardian_id)
        return guardian_id


def _write_students(session: Session, actor: CurrentUser, rows: list[_StudentRow], progress: Callable[[int, int], None]) -> dict[str, int]:
    assert actor.school_id is not None
    school_id = actor.school_id
    guardians = _Guardians(session, school_id)
    for start in range(0, len(rows), CHUNK_ROWS):
        batch = _Batch()
        for row in rows[start:start + CHUNK_ROWS]:
            student_id = uuid4()
            batch.students.append({"id": student_id, "school_id": school_id, **row.student})
            batch.status_changes.append(
                {"id": uuid4(), "school_id": school_id, "student_id": student_id, "from_status": None,
                 "to_status": StudentStatus.enrolled.value, "reason": ADMITTED, "changed_by": actor.id}
            )
            if row.guardian:
                guardian_id = guardians.find_or_add(row.guardian, batch)
                batch.links.append(
                    {"id": uuid4(), "school_id": school_id, "student_id": student_id, "guardian_id": guardian_id,
                     "relationship": row.guardian["relationship"], "is_primary": True}
                )
            if row.class_id:
                batch.enrolments.append(
                    {"id": uuid4(), "school_id": school_id, "student_id": student_id, "class_id": row.class_id,
                     "academic_year_id": row.year_id, "enrolled_on": date.today()}
                )
        batch.write(session)
        progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    return {"guardians_added": guardians.added, "parent_logins_added": guardians.logins_added}


def _write_staff(session: Session, actor: CurrentUser, rows: list[_StaffRow], progress: Callable[[int, int], None]) -> dict[str, int]:
    assert actor.school_id is not None
    school_id = actor.school_id
    for start in range(0, len(rows), CHUNK_ROWS):
        batch = _Batch()
        for row in rows[start:start + CHUNK_ROWS]:
            user_id = uuid4()
            batch.users.append({"id": user_id, "school_id": school_id, "email": row.email, "full_name": row.full_name, "role": row.role})
            batch.staff_profiles.append(
                {"id": uuid4(), "school_id": school_id, "user_id": user_id, "department_id": row.department_id,
                 "employee_number": row.employee_number, "job_title": row.job_title, "phone": row.phone}
            )
        batch.write(session)
        progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    return {}


def _write_users(session: Session, actor: CurrentUser, rows: list[_UserRow], progress: Callable[[int, int], None]) -> dict[str, Any]:
    assert actor.school_id is not None
    school_id = actor.school_id
    for start in range(0, len(rows), CHUNK_ROWS):
        batch = _Batch()
        for row in rows[start:start + CHUNK_ROWS]:
            batch.users.append({
                "id": uuid4(), "school_id": school_id, "email": row.email, "full_name": row.full_name, "role": row.role,
                # Hashing takes a moment per password: it happens here, chunk by chunk, as progress shows.
                "password_hash": hash_password(row.password) if row.password else None,
            })
        batch.write(session)
        progress(min(start + CHUNK_ROWS, len(rows)), len(rows))
    roles = {role: count for role in ROLE_LABELS if (count := sum(1 for row in rows if row.role == role))}
    # Who was made an administrator stays on the record by name, as when added one at a time.
    return {"roles": roles, "administrators": [row.email for row in rows if row.role == Role.school_admin.value]}


_WRITERS: dict[str, Callable[[Session, CurrentUser, list[Any], Callable[[int, int], None]], dict[str, Any]]] = {
    STUDENTS: _write_students, STAFF: _write_staff, USERS: _write_users,
}
# What each kind writes (for the caches: bulk INSERTs are not noticed by the ORM's hooks).
_TABLES: dict[str, tuple[str, ...]] = {
    STUDENTS: ("users", "guardians", "students", "student_status_changes", "student_guardians", "enrolments"),
    STAFF: ("users", "staff_profiles"),
    USERS: ("users",),
}


def _no_progress(_done: int, _total: int) -> None:
    return None


def run_import(
    *,
    actor: CurrentUser,
    kind: str,
    filename: str,
    content: bytes,
    ip: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write every row of the file in one transaction, or nothing: any problem in any row
    (checked again here) refuses the whole file, and a failure part-way leaves nothing.
    `progress(done, total)` is called after each chunk. Returns the rows written."""
    _require_kind(actor, kind)
    with unit_of_work(actor) as session:
        return import_file(session, actor=actor, kind=kind, filename=filename, content=content, ip=ip, progress=progress)


def import_file(
    session: Session,
    *,
    actor: CurrentUser,
    kind: str,
    filename: str,
    content: bytes,
    ip: str | None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """`run_import` inside the caller's transaction: the caller commits, or rolls back on any
    exception and nothing is left."""
    _require_kind(actor, kind)
    assert actor.school_id is not None
    checked = _check_file(session, kind=kind, filename=filename, content=content)
    preview = checked.preview
    if not preview.ok:
        problems = len(preview.problems) + len(preview.errors)
        raise ValidationFailed(
            {"file": format_message("The file has {count} problem(s); nothing was imported. Fix the file and upload it again.", count=problems)}
        )
    report = progress or _no_progress
    report(0, preview.rows)
    detail = _WRITERS[kind](session, actor, checked.rows, report)
    invalidate_on_commit(session, actor.school_id, *_TABLES[kind])
    audit.record(
        session, school_id=actor.school_id, action=IMPORTED[kind], actor=actor.actor(ip), target=filename,
        detail={"rows": preview.rows, **detail},
    )
    session.flush()
    return preview.rows


# --- large files, in the background -------------------------------------------------------


def start_import_job(*, actor: CurrentUser, kind: str, filename: str, content: bytes, ip: str | None) -> str:
    """Queue the import of a checked file as a background job; returns the job's id. The same
    file (same kind, same bytes) is one job: asking twice follows the job already there."""
    _require_kind(actor, kind)
    assert actor.school_id is not None
    digest = hashlib.sha256(kind.encode() + b"\0" + content).hexdigest()
    upload = storage.school_key(actor.school_id, "imports", f"{digest}.upload")
    storage.put(actor, upload, content)  # before the job exists: a worker may start it at once
    with unit_of_work(actor) as session:
        started = jobs.start(
            session, actor=actor, kind=IMPORT_JOB, key=f"import:{kind}:{digest}",
            params={"kind": kind, "filename": filename, "ip": ip, jobs.UPLOAD: upload},
        )
    jobs.enqueue(started)
    return str(started.id)


@jobs.handler(IMPORT_JOB)
def _import_job(session: Session, job: jobs.RunningJob) -> jobs.Outcome:
    kind = job.params["kind"]
    content = storage.get(job.actor, job.params[jobs.UPLOAD])
    count = import_file(
        session, actor=job.actor, kind=kind, filename=job.params["filename"], content=content, ip=job.params.get("ip"), progress=job.progress
    )
    return jobs.Outcome(format_message(IMPORT_DONE[kind], count=count))


# --- templates ------------------------------------------------------------------------------


def import_template(kind: str) -> bytes:
    """A CSV file with the header and one example row, to fill in."""
    if kind not in KINDS:
        raise ValidationFailed({"kind": _(UNKNOWN_KIND)})
    return rows_to_csv({name: name for name in COLUMNS[kind]}, [EXAMPLES[kind]])  # the header: column names, never translated


def problems_report(*, actor: CurrentUser, kind: str, filename: str, content: bytes) -> bytes:
    """The file checked again, every problem of it as a CSV file (row, column, problem)."""
    return error_report(preview_import(actor=actor, kind=kind, filename=filename, content=content))


def error_report(preview: ImportPreview) -> bytes:
    """Every problem of a preview as a CSV file (row, column, problem), to work through."""
    rows: list[dict[str, object]] = [{"row": "", "column": "", "problem": problem} for problem in preview.problems]
    rows += [{"row": error.row, "column": error.column, "problem": error.message} for error in preview.errors]
    return rows_to_csv({"row": _("Row"), "column": _("Column"), "problem": _("Problem")}, rows)
