"""REST API v1 routes. Thin: each calls a service function."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from oneclass.api.deps import current_school
from oneclass.api.envelope import success
from oneclass.services.schools import SchoolRoute

router = APIRouter()


@router.get("/school", tags=["school"], summary="The school served at this host")
def read_school(school: Annotated[SchoolRoute, Depends(current_school)]) -> dict[str, Any]:
    return success(
        {"id": str(school.id), "name": school.name, "subdomain": school.subdomain, "level": school.level}
    )
