"""GET /school: the school served at this host."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from oneclass.api.deps import current_school
from oneclass.api.schemas import CurrentSchoolOut, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.tenancy import SchoolRoute

router = APIRouter(tags=["school"])


@router.get("/school", response_model=Envelope[CurrentSchoolOut], responses=errors(), summary="The school served at this host")
def read_school(school: Annotated[SchoolRoute, Depends(current_school)]) -> dict[str, Any]:
    return success({"id": str(school.id), "name": school.name, "subdomain": school.subdomain, "level": school.level})
