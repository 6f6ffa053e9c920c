"""The gradebook over REST: a class's assessments in a subject and term, setting one, saving
its marks as one grid (all or nothing), and a student's term grades.

Teachers reach the classes and subjects they teach (another: 404); parents only their children,
students themselves, and both only once the term's report cards are published (before that, an
empty list); another school's ids are 404. The shapes are part of the contract in issue 10.
"""

from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from oneclass.api.deps import school_user_with
from oneclass.api.schemas import NO_NUL, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import gradebook
from oneclass.services.auth import CurrentUser
from oneclass.services.gradebook import ENTER_MARKS, READ_GRADES, AssessmentInput, MarkInput

router = APIRouter(tags=["gradebook"])
MAX_GRID = 500  # a class holds at most 200 students; room for a client that repeats itself, no more


class AssessmentIn(BaseModel):
    class_id: UUID
    subject_id: UUID
    term_id: UUID
    name: str = Field(pattern=NO_NUL, min_length=1, max_length=100)
    kind: Literal["coursework", "test", "exam"]
    max_mark: Decimal = Field(description="above 0, at most 1000, two decimals at most")
    weight: Decimal = Field(description="the assessment's share of the term: above 0, at most 1000")


class AssessmentOut(BaseModel):
    id: str
    class_id: str
    subject_id: str
    term_id: str
    name: str
    kind: str
    max_mark: float
    weight: float
    marked: int = Field(description="students with a mark or marked absent")


class MarkIn(BaseModel):
    student_id: UUID
    mark: Decimal | None = Field(default=None, description="0 to the maximum; null: not yet entered (or absent)")
    absent: bool = False


class MarksIn(BaseModel):
    marks: list[MarkIn] = Field(max_length=MAX_GRID)


class MarkOut(BaseModel):
    student_id: str
    name: str
    admission_number: str
    mark: float | None
    absent: bool
    percent: int | None = Field(description="the student's term percent in this subject so far")
    grade: str | None


class MarkGridOut(BaseModel):
    assessment: AssessmentOut
    marks: list[MarkOut]


class GradeOut(BaseModel):
    subject_id: str
    subject: str
    percent: int
    grade: str
    points: int


def _grid_out(grid: gradebook.MarkGrid) -> dict[str, Any]:
    return {
        "assessment": grid.assessment,
        "marks": [
            {
                **row,
                "mark": row["mark"] or None,
                "percent": int(row["percent"]) if row["percent"] else None,
                "grade": row["grade"] or None,
            }
            for row in grid.rows
        ],
    }


@router.get("/assessments", response_model=Envelope[list[AssessmentOut]], responses=errors(401, 403, 422), summary="A class's assessments")
def list_assessments(
    actor: Annotated[CurrentUser, Depends(school_user_with(ENTER_MARKS))],
    class_id: Annotated[UUID, Query()],
    subject_id: Annotated[UUID, Query()],
    term_id: Annotated[UUID, Query()],
) -> dict[str, Any]:
    rows = gradebook.list_assessments(actor=actor, class_id=class_id, subject_id=subject_id, term_id=term_id)
    return success(rows, meta={"total": len(rows), "page": 1, "per_page": max(len(rows), 1)})


@router.post("/assessments", status_code=201, response_model=Envelope[AssessmentOut], responses=errors(401, 403, 422), summary="Set an assessment")
def create_assessment(body: AssessmentIn, actor: Annotated[CurrentUser, Depends(school_user_with(ENTER_MARKS))]) -> dict[str, Any]:
    data = AssessmentInput(name=body.name, kind=body.kind, max_mark=body.max_mark, weight=body.weight)
    return success(gradebook.create_assessment(actor=actor, class_id=body.class_id, subject_id=body.subject_id, term_id=body.term_id, data=data))


@router.put(
    "/assessments/{assessment_id}/marks", response_model=Envelope[MarkGridOut], responses=errors(401, 403, 409, 422),
    summary="Save an assessment's marks (all or nothing)",
)
def save_marks(assessment_id: UUID, body: MarksIn, actor: Annotated[CurrentUser, Depends(school_user_with(ENTER_MARKS))]) -> dict[str, Any]:
    marks = [MarkInput(student_id=m.student_id, mark=m.mark, absent=m.absent) for m in body.marks]
    return success(_grid_out(gradebook.save_marks(actor=actor, assessment_id=assessment_id, marks=marks)))


@router.get("/students/{student_id}/grades", response_model=Envelope[list[GradeOut]], responses=errors(401, 403, 422), summary="A student's term grades")
def student_grades(student_id: UUID, actor: Annotated[CurrentUser, Depends(school_user_with(READ_GRADES))], term_id: Annotated[UUID, Query()]) -> dict[str, Any]:
    rows = gradebook.student_grades(actor=actor, student_id=student_id, term_id=term_id)
    return success(rows, meta={"total": len(rows), "page": 1, "per_page": max(len(rows), 1)})
