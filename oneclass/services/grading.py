"""ZIMSEC grading as pure functions (no database): the default scales, a term's weighted percent
per subject, the grade a percent earns on a scale, and the summaries a report shows (O-level
passes, A-level points of the best three, the Primary aggregate).

Arithmetic is exact: marks arrive as `Decimal` (PostgreSQL numeric) and the weighted sum is
taken in `Fraction`, so 2/3 of a mark is two thirds, not 0.6666...67, and "half up" is decided
on the true value. Floats never enter. A percent is rounded half up to a whole number before a
grade is derived, and a band includes its lower bound (74.5 rounds to 75, an A).

Subjects are recognised by their ZIMSEC code, the one thing the shipped subject list
(`oneclass/data/zimsec_subjects.csv`) and the examination board agree on: English Language is
1122 and Mathematics 4004 (4008 on the older syllabus). A subject a school added under its own
code counts towards the number of passes, never as English or Mathematics.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction
from math import floor

from models.academics import GradeLevel, SubjectLevel
from oneclass.i18n import _, format_message

ENGLISH_CODES = frozenset({"1122"})
MATHEMATICS_CODES = frozenset({"4004", "4008"})
# ZIMSEC's Grade 7 aggregate adds the units of four subjects (4 is the best possible, 36 the worst).
PRIMARY_AGGREGATE_SUBJECTS = 4
A_LEVEL_BEST_OF = 3
MAX_GRADE_LENGTH = 3
MAX_POINTS = 99


class Outcome(StrEnum):
    """What a grade counts as: a pass, an A-level subsidiary pass (O), or neither."""

    passed = "pass"
    subsidiary = "subsidiary"
    failed = "fail"


@dataclass(frozen=True)
class Band:
    """One grade of a scale: the whole percents from `lower` to `upper`, both included."""

    grade: str
    lower: int
    upper: int
    points: int
    outcome: Outcome


def _bands(rows: Sequence[tuple[str, int, int, int, Outcome]]) -> tuple[Band, ...]:
    return tuple(Band(grade, lower, upper, points, outcome) for grade, lower, upper, points, outcome in rows)


P, S, F = Outcome.passed, Outcome.subsidiary, Outcome.failed
# Points mean nothing at O-level (the report counts passes); they are 0 so every band has some.
DEFAULT_SCALES: dict[SubjectLevel, tuple[Band, ...]] = {
    SubjectLevel.o_level: _bands(
        [("A", 75, 100, 0, P), ("B", 65, 74, 0, P), ("C", 50, 64, 0, P), ("D", 40, 49, 0, F), ("E", 30, 39, 0, F), ("U", 0, 29, 0, F)]
    ),
    SubjectLevel.a_level: _bands(
        [
            ("A", 75, 100, 5, P), ("B", 65, 74, 4, P), ("C", 55, 64, 3, P), ("D", 45, 54, 2, P), ("E", 40, 44, 1, P),
            ("O", 30, 39, 0, S), ("F", 0, 29, 0, F),
        ]
    ),
    # Grade 7 units: the grade is the unit and so are the points. Units 1 to 4 (50% and above)
    # pass by default, the line O-level draws at C; the school can move it.
    SubjectLevel.primary: _bands(
        [
            ("1", 80, 100, 1, P), ("2", 70, 79, 2, P), ("3", 60, 69, 3, P), ("4", 50, 59, 4, P), ("5", 45, 49, 5, F),
            ("6", 40, 44, 6, F), ("7", 35, 39, 7, F), ("8", 30, 34, 8, F), ("9", 0, 29, 9, F),
        ]
    ),
}


def scale_level(grade_level: str) -> SubjectLevel | None:
    """The scale a class's grade level is marked on; None for ECD, whose reports are descriptive
    (comments, no marks)."""
    level = GradeLevel(grade_level)
    if level in (GradeLevel.ECD_A, GradeLevel.ECD_B):
        return None
    if level in (GradeLevel.F5, GradeLevel.F6):
        return SubjectLevel.a_level
    if level.value.startswith("F"):
        return SubjectLevel.o_level
    return SubjectLevel.primary


# --- a term's percent ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One assessment's mark for one student: `mark` None and not absent is a blank (not yet
    entered, left out); absent counts as zero."""

    mark: Decimal | None
    absent: bool
    max_mark: Decimal
    weight: Decimal


def round_half_up(value: Fraction) -> int:
    """To a whole number, halves away from zero's lower side: 74.5 → 75, 74.49 → 74."""
    return floor(value + Fraction(1, 2))


def exact_percent(entries: Iterable[Entry]) -> Fraction | None:
    """Σ(mark ÷ max × weight) ÷ Σ weight × 100 over the entries with a mark (absent = 0);
    None when nothing is marked yet."""
    weighted = Fraction(0)
    weights = Fraction(0)
    for entry in entries:
        if entry.absent:
            score = Fraction(0)
        elif entry.mark is None:
            continue
        else:
            score = Fraction(entry.mark) / Fraction(entry.max_mark)
        weighted += score * Fraction(entry.weight)
        weights += Fraction(entry.weight)
    if weights == 0:
        return None
    return weighted / weights * 100


def term_percent(entries: Iterable[Entry]) -> int | None:
    """The whole percent a grade is derived from (rounded half up), or None when unmarked."""
    exact = exact_percent(entries)
    return None if exact is None else round_half_up(exact)


def band_for(scale: Sequence[Band], percent: int) -> Band:
    """The band holding `percent` (a valid scale covers 0 to 100, so there is always one)."""
    for band in scale:
        if band.lower <= percent <= band.upper:
            return band
    raise ValueError(f"{percent} is outside the scale")


# --- what a report shows -------------------------------------------------------------------


@dataclass(frozen=True)
class SubjectResult:
    code: str
    band: Band


@dataclass(frozen=True)
class OLevelSummary:
    passes: int
    english_passed: bool
    mathematics_passed: bool


def o_level_summary(results: Iterable[SubjectResult]) -> OLevelSummary:
    """How many subjects passed (C or better on the default scale), and whether English
    Language and Mathematics are among them (by ZIMSEC code)."""
    passed = {result.code for result in results if result.band.outcome == Outcome.passed}
    return OLevelSummary(len(passed), bool(passed & ENGLISH_CODES), bool(passed & MATHEMATICS_CODES))


def a_level_points(points: Iterable[int]) -> int:
    """The total points of the best three subjects (fewer subjects: all of them)."""
    return sum(sorted(points, reverse=True)[:A_LEVEL_BEST_OF])


def primary_aggregate(units: Iterable[int]) -> int | None:
    """The Grade 7 aggregate: the units of the best four subjects added (lower is better); None
    with fewer than four subjects graded, which ZIMSEC does not aggregate."""
    best = sorted(units)[:PRIMARY_AGGREGATE_SUBJECTS]
    return sum(best) if len(best) == PRIMARY_AGGREGATE_SUBJECTS else None


# --- a scale the school edits --------------------------------------------------------------


def validate_scale(bands: Sequence[Band]) -> dict[str, str]:
    """A scale's problems, one message per band (`band0`, ...) or for the whole (`scale`): each
    band a short grade of its own, bounds within 0 to 100, points 0 to 99, and together the
    bands cover every whole percent from 0 to 100 once (no gap, no overlap)."""
    errors: dict[str, str] = {}
    if not bands:
        return {"scale": _("A scale needs at least one band.")}
    seen: set[str] = set()
    for index, band in enumerate(bands):
        grade = band.grade.strip()
        if not grade or len(grade) > MAX_GRADE_LENGTH:
            errors[f"band{index}"] = format_message("Give the grade 1 to {count} characters.", count=MAX_GRADE_LENGTH)
        elif grade.upper() in seen:
            errors[f"band{index}"] = format_message("Grade {grade} appears twice.", grade=grade)
        elif not 0 <= band.lower <= band.upper <= 100:
            errors[f"band{index}"] = format_message("Grade {grade}: the range must run upwards, within 0 to 100.", grade=grade)
        elif not 0 <= band.points <= MAX_POINTS:
            errors[f"band{index}"] = format_message("Grade {grade}: points must be 0 to {most}.", grade=grade, most=MAX_POINTS)
        seen.add(grade.upper())
    if errors:
        return errors
    expected = 0
    for band in sorted(bands, key=lambda b: (b.lower, b.upper)):
        if band.lower > expected:
            return {"scale": format_message("No grade covers {low} to {high}.", low=expected, high=band.lower - 1)}
        if band.lower < expected:
            return {"scale": format_message("Grade {grade} overlaps the grade below it at {percent}.", grade=band.grade.strip(), percent=band.lower)}
        expected = band.upper + 1
    if expected <= 100:
        return {"scale": format_message("No grade covers {low} to {high}.", low=expected, high=100)}
    return {}
