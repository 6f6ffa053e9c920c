"""One student's report card for a term, assembled as a pure function (no database): what the
card shows, worked out from the facts the report-cards service reads.

- Each subject with its term percent, grade and points on the school's scale for the level
  (`oneclass.services.grading`); subjects with nothing marked are left out.
- Positions: a student's average is the mean of their subjects' whole percents (what the card
  shows), exact; the class position ranks it among the class, the level position among every
  stream of the grade level. Equal averages share a place and the next place is skipped
  (1, 2, 2, 4). A student with nothing marked has no average and no place. Shown only when the
  school chooses to show them.
- The summary per level: O-level passes and whether English and Mathematics are among them,
  A-level points of the best three, the Grade 7 aggregate of the best four; ECD is descriptive
  (comments only, no subjects).
"""

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TypeVar

from models.academics import SubjectLevel
from oneclass.services.grading import (
    Band,
    Entry,
    OLevelSummary,
    SubjectResult,
    a_level_points,
    band_for,
    o_level_summary,
    primary_aggregate,
    term_percent,
)

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class SubjectMarks:
    """A subject's marked assessments for the student this term."""

    subject: str
    code: str
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Position:
    place: int
    of: int  # how many were ranked


@dataclass(frozen=True)
class ReportFacts:
    """Everything a report card is made from. `level` None: an ECD class (descriptive)."""

    school_name: str
    student_name: str
    admission_number: str
    class_name: str
    term_name: str
    year_name: str
    level: SubjectLevel | None
    scale: tuple[Band, ...]
    subjects: tuple[SubjectMarks, ...]
    class_position: Position | None
    level_position: Position | None
    show_positions: bool
    attendance_rate: int | None
    days_present: int
    days_recorded: int
    class_teacher: str
    teacher_comment: str
    head_comment: str
    next_term_opens: date | None


@dataclass(frozen=True)
class SubjectLine:
    subject: str
    percent: int
    grade: str
    points: int


@dataclass(frozen=True)
class ReportCard:
    facts: ReportFacts
    lines: tuple[SubjectLine, ...]
    class_position: Position | None
    level_position: Position | None
    o_level: OLevelSummary | None
    a_level_points: int | None
    primary_aggregate: int | None

    @property
    def descriptive(self) -> bool:
        return self.facts.level is None


def subject_percents(subjects: Sequence[SubjectMarks]) -> dict[str, int]:
    """Each marked subject's whole percent, by subject name."""
    percents = {s.subject: term_percent(s.entries) for s in subjects}
    return {subject: percent for subject, percent in percents.items() if percent is not None}


def average(percents: Sequence[int]) -> Fraction | None:
    """The exact mean of whole percents; None with none."""
    return Fraction(sum(percents), len(percents)) if percents else None


def positions(averages: Mapping[K, Fraction]) -> dict[K, Position]:
    """Competition ranking, highest average first: equal averages share a place and the places
    after them are skipped (1, 2, 2, 4)."""
    ordered = sorted(averages.values(), reverse=True)
    first_place: dict[Fraction, int] = {}
    for index, value in enumerate(ordered, start=1):
        first_place.setdefault(value, index)
    return {key: Position(first_place[value], len(ordered)) for key, value in averages.items()}


def assemble(facts: ReportFacts) -> ReportCard:
    """The report card the facts make: subject lines, positions (if the school shows them) and
    the summary of the student's level."""
    if facts.level is None:
        return ReportCard(facts, (), None, None, None, None, None)
    lines: list[SubjectLine] = []
    results: list[SubjectResult] = []
    for subject in sorted(facts.subjects, key=lambda s: s.subject):
        percent = term_percent(subject.entries)
        if percent is None:
            continue
        band = band_for(facts.scale, percent)
        lines.append(SubjectLine(subject.subject, percent, band.grade, band.points))
        results.append(SubjectResult(subject.code, band))
    shown = facts.show_positions and bool(lines)
    return ReportCard(
        facts=facts,
        lines=tuple(lines),
        class_position=facts.class_position if shown else None,
        level_position=facts.level_position if shown else None,
        o_level=o_level_summary(results) if facts.level == SubjectLevel.o_level else None,
        a_level_points=a_level_points(line.points for line in lines) if facts.level == SubjectLevel.a_level else None,
        primary_aggregate=primary_aggregate(line.points for line in lines) if facts.level == SubjectLevel.primary else None,
    )
