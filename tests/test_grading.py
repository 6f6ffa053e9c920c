"""ZIMSEC grading, table-driven: each default scale's boundaries, rounding half up, weighted
totals with absent and blank marks, A-level points, O-level passes, the Primary aggregate, and
what makes a scale valid."""

from decimal import Decimal

import pytest

from models import GradeLevel, SubjectLevel
from oneclass.services.grading import (
    DEFAULT_SCALES,
    Band,
    Entry,
    Outcome,
    SubjectResult,
    a_level_points,
    band_for,
    exact_percent,
    o_level_summary,
    primary_aggregate,
    round_half_up,
    scale_level,
    term_percent,
    validate_scale,
)

O_LEVEL, A_LEVEL, PRIMARY = (DEFAULT_SCALES[level] for level in (SubjectLevel.o_level, SubjectLevel.a_level, SubjectLevel.primary))


@pytest.mark.parametrize(
    ("percent", "grade", "outcome"),
    [
        (100, "A", "pass"), (75, "A", "pass"), (74, "B", "pass"), (65, "B", "pass"), (64, "C", "pass"), (50, "C", "pass"),
        (49, "D", "fail"), (40, "D", "fail"), (39, "E", "fail"), (30, "E", "fail"), (29, "U", "fail"), (0, "U", "fail"),
    ],
)
def test_o_level_boundaries(percent: int, grade: str, outcome: str) -> None:
    band = band_for(O_LEVEL, percent)
    assert (band.grade, band.outcome) == (grade, outcome)


@pytest.mark.parametrize(
    ("percent", "grade", "points", "outcome"),
    [
        (100, "A", 5, "pass"), (75, "A", 5, "pass"), (74, "B", 4, "pass"), (65, "B", 4, "pass"), (64, "C", 3, "pass"),
        (55, "C", 3, "pass"), (54, "D", 2, "pass"), (45, "D", 2, "pass"), (44, "E", 1, "pass"), (40, "E", 1, "pass"),
        (39, "O", 0, "subsidiary"), (30, "O", 0, "subsidiary"), (29, "F", 0, "fail"), (0, "F", 0, "fail"),
    ],
)
def test_a_level_boundaries_and_points(percent: int, grade: str, points: int, outcome: str) -> None:
    band = band_for(A_LEVEL, percent)
    assert (band.grade, band.points, band.outcome) == (grade, points, outcome)


@pytest.mark.parametrize(
    ("percent", "unit"),
    [
        (100, 1), (80, 1), (79, 2), (70, 2), (69, 3), (60, 3), (59, 4), (50, 4), (49, 5), (45, 5), (44, 6), (40, 6),
        (39, 7), (35, 7), (34, 8), (30, 8), (29, 9), (0, 9),
    ],
)
def test_primary_units_are_grade_and_points(percent: int, unit: int) -> None:
    band = band_for(PRIMARY, percent)
    assert (band.grade, band.points) == (str(unit), unit)


def test_the_default_scales_are_valid() -> None:
    for scale in DEFAULT_SCALES.values():
        assert validate_scale(scale) == {}


@pytest.mark.parametrize(
    ("grade_level", "level"),
    [("ECD_A", None), ("ECD_B", None), ("G1", "primary"), ("G7", "primary"), ("F1", "o_level"), ("F4", "o_level"), ("F5", "a_level"), ("F6", "a_level")],
)
def test_which_scale_a_class_is_marked_on(grade_level: str, level: str | None) -> None:
    assert scale_level(GradeLevel(grade_level)) == level


def _e(mark: str | None, max_mark: str = "100", weight: str = "1", absent: bool = False) -> Entry:
    return Entry(None if mark is None else Decimal(mark), absent, Decimal(max_mark), Decimal(weight))


@pytest.mark.parametrize(
    ("entries", "percent"),
    [
        ([], None),
        ([_e(None)], None),  # blank: nothing marked yet
        ([_e("74.5")], 75),  # half up
        ([_e("74.49")], 74),
        ([_e("64.5")], 65),
        ([_e("49.5")], 50),
        ([_e("29.5")], 30),
        ([_e("29.4")], 29),
        ([_e("44.5")], 45),
        ([_e("149", "200")], 75),  # 74.5% of 200 marks
        ([_e("2", "3")], 67),  # 66.67: exact thirds, not a float
        ([_e("1", "8")], 13),  # 12.5 exactly: up
        ([_e("30", "40"), _e("60", "100")], 68),  # (75 + 60) / 2 = 67.5 → 68
        ([_e("30", "40", "1"), _e("60", "100", "3")], 64),  # (0.75 + 1.8) / 4 = 63.75
        ([_e("50", "50", "0.2"), _e("0", "100", "0.8")], 20),
        ([_e("80"), _e(None, absent=True)], 40),  # absent counts as zero
        ([_e("80"), _e(None)], 80),  # blank is left out
        ([_e("80"), _e("0")], 40),  # a real zero counts like absent
        ([_e(None, absent=True)], 0),
        ([_e("15", "20", "1"), _e(None, "50", "2"), _e(None, "30", "1", absent=True)], 38),  # (0.75 + 0) / 2 = 37.5
    ],
)
def test_term_percent(entries: list[Entry], percent: int | None) -> None:
    assert term_percent(entries) == percent


def test_percent_is_exact_before_rounding() -> None:
    assert exact_percent([_e("2", "3")]) * 3 == 200  # type: ignore[operator]
    assert [round_half_up(x) for x in (exact_percent([_e(m)]) for m in ("0.5", "1.5", "2.5", "99.5"))] == [1, 2, 3, 100]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("percent", "grade"),
    [("74.5", "A"), ("74.4", "B"), ("64.5", "B"), ("64.4", "C"), ("49.5", "C"), ("49.4", "D"), ("29.5", "E"), ("29.4", "U")],
)
def test_rounding_decides_the_grade(percent: str, grade: str) -> None:
    whole = term_percent([_e(percent)])
    assert whole is not None and band_for(O_LEVEL, whole).grade == grade


def _o(code: str, grade: str) -> SubjectResult:
    return SubjectResult(code, next(b for b in O_LEVEL if b.grade == grade))


@pytest.mark.parametrize(
    ("results", "passes", "english", "maths"),
    [
        ([], 0, False, False),
        ([_o("1122", "C"), _o("4004", "A"), _o("5006", "D")], 2, True, True),
        ([_o("1122", "D"), _o("4004", "B"), _o("5006", "C")], 2, False, True),
        ([_o("1122", "B"), _o("4008", "U"), _o("2167", "A"), _o("2248", "C")], 3, True, False),
        ([_o("1122", "E"), _o("4004", "U")], 0, False, False),
        ([_o("ENG", "A"), _o("MATHS", "A")], 2, False, False),  # the school's own codes: passes, not English/Maths
    ],
)
def test_o_level_passes(results: list[SubjectResult], passes: int, english: bool, maths: bool) -> None:
    summary = o_level_summary(results)
    assert (summary.passes, summary.english_passed, summary.mathematics_passed) == (passes, english, maths)


@pytest.mark.parametrize(
    ("points", "total"),
    [([], 0), ([5], 5), ([5, 4], 9), ([5, 4, 3], 12), ([2, 5, 1, 4], 11), ([5, 5, 5, 5], 15), ([0, 0, 1, 0], 1)],
)
def test_a_level_points_of_the_best_three(points: list[int], total: int) -> None:
    assert a_level_points(points) == total


@pytest.mark.parametrize(
    ("units", "aggregate"),
    [([1, 1, 1, 1], 4), ([9, 9, 9, 9], 36), ([1, 2, 3, 4, 9, 9], 10), ([5, 1, 7, 2, 3], 11), ([1, 2, 3], None), ([], None)],
)
def test_primary_aggregate_of_the_best_four(units: list[int], aggregate: int | None) -> None:
    assert primary_aggregate(units) == aggregate


def _b(grade: str, lower: int, upper: int, points: int = 0) -> Band:
    return Band(grade, lower, upper, points, Outcome.failed)


@pytest.mark.parametrize(
    ("bands", "key", "words"),
    [
        ([], "scale", "at least one band"),
        ([_b("A", 50, 100), _b("B", 0, 48)], "scale", "No grade covers 49 to 49"),
        ([_b("A", 50, 100), _b("B", 1, 49)], "scale", "No grade covers 0 to 0"),
        ([_b("A", 50, 99), _b("B", 0, 49)], "scale", "No grade covers 100 to 100"),
        ([_b("A", 50, 100), _b("B", 0, 50)], "scale", "overlaps"),
        ([_b("A", 50, 100), _b("a", 0, 49)], "band1", "appears twice"),
        ([_b("A", 50, 100), _b("", 0, 49)], "band1", "characters"),
        ([_b("ABCD", 50, 100), _b("B", 0, 49)], "band0", "characters"),
        ([_b("A", 60, 50), _b("B", 0, 49)], "band0", "upwards"),
        ([_b("A", 50, 101), _b("B", 0, 49)], "band0", "upwards"),
        ([_b("A", 50, 100, 100), _b("B", 0, 49)], "band0", "points"),
    ],
)
def test_a_scale_that_is_refused(bands: list[Band], key: str, words: str) -> None:
    errors = validate_scale(bands)
    assert words in errors.get(key, ""), errors


def test_a_scale_of_the_schools_own() -> None:
    assert validate_scale([_b("PASS", 50, 100)]) != {}  # four characters
    assert validate_scale([_b("P", 50, 100), _b("F", 0, 49)]) == {}
    assert validate_scale([_b("X", 0, 100)]) == {}
