"""A student's report card over REST: `GET /students/{id}/report-card?term_id=` → the PDF.

Whoever may see the student gets it (a teacher, the classes they teach); a student or a parent
only once the term is published for the student's class: until then, as for another school's
ids, 404. The card is made on request, its labels in the language of `Accept-Language`."""

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from oneclass.api.deps import school_user_with
from oneclass.api.v1.common import errors
from oneclass.services import report_cards
from oneclass.services.auth import CurrentUser
from oneclass.services.gradebook import READ_GRADES

router = APIRouter(tags=["report cards"])


@router.get(
    "/students/{student_id}/report-card",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}, "description": "The report card"}, **errors(401, 403, 422)},
    summary="A student's report card for a term, as a PDF",
)
def report_card(student_id: UUID, actor: Annotated[CurrentUser, Depends(school_user_with(READ_GRADES))], term_id: Annotated[UUID, Query()]) -> Response:
    card = report_cards.report_card_pdf(actor=actor, student_id=student_id, term_id=term_id)
    return Response(card.content, media_type=card.mime_type, headers={"Content-Disposition": f'attachment; filename="{card.filename}"'})
