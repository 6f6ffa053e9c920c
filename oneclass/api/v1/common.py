"""What every v1 route shares: the error responses it documents, and the envelope builders."""

from typing import Any

from oneclass.api.envelope import success
from oneclass.api.schemas import ErrorEnvelope

_ERROR_TEXT = {
    401: "No valid access token for this school",
    403: "Signed in, but not allowed",
    404: "Not found, or not this school's",
    409: "Conflicts with what exists",
    422: "The input was refused; `details` names the fields",
    429: "Rate limited; see Retry-After",
}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error envelopes a route may answer with."""
    return {status: {"model": ErrorEnvelope, "description": _ERROR_TEXT[status]} for status in (*statuses, 404, 429)}


__all__ = ["errors", "success"]
