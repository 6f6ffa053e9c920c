"""Paynow: a guardian starts paying an invoice online (POST /invoices/{id}/paynow), and Paynow
posts its status updates to the school's result URL (POST /paynow/result). The services decide
everything (oneclass/services/online_payments.py); the result URL answers 200 with an empty
body whatever it receives, so a sender learns nothing from it."""

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Request, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from oneclass import ratelimit
from oneclass.api.deps import client_ip, school_user
from oneclass.api.schemas import NO_NUL, Envelope
from oneclass.api.v1.common import errors, success
from oneclass.services import online_payments
from oneclass.services.auth import CurrentUser
from oneclass.settings import get_settings
from oneclass.tenancy import resolve_host

router = APIRouter(tags=["fees"])
MAX_STATUS_UPDATE_BYTES = 4096  # Paynow's update is six short fields


class PaynowIn(BaseModel):
    phone: str | None = Field(default=None, max_length=30, pattern=NO_NUL, description="for express checkout: a Zimbabwean mobile number")
    method: Literal["ecocash", "onemoney"] | None = Field(default=None, description="express checkout; none: Paynow's web checkout")


class PaynowOut(BaseModel):
    reference: str
    redirect_url: str | None = Field(description="where to send the payer (web checkout); null for express checkout")
    poll_url: str
    instructions: str = Field(default="", description="express checkout: what Paynow tells the payer to do")


@router.post(
    "/invoices/{invoice_id}/paynow", response_model=Envelope[PaynowOut], responses=errors(401, 403, 422),
    summary="Pay an invoice online with Paynow (the invoice's guardian)",
)
def start_paynow(invoice_id: UUID, actor: Annotated[CurrentUser, Depends(school_user)], body: PaynowIn | None = None) -> dict[str, Any]:
    asked = body or PaynowIn()
    started = online_payments.start_payment(actor=actor, invoice_id=invoice_id, method=asked.method or "web", phone=asked.phone or "")
    return success({"reference": started.reference, "redirect_url": started.redirect_url, "poll_url": started.poll_url, "instructions": started.instructions})


def _receive(host: str, ip: str, body: bytes) -> None:
    if not ratelimit.hit(ratelimit.Limit("ip", ip, get_settings().api_rate_per_ip)).allowed:
        return
    school = resolve_host(host).school
    if school is not None:
        online_payments.receive_status_update(school_id=school.id, body=body)


@router.post(
    "/paynow/result", response_class=Response, responses={200: {"description": "Always, with an empty body"}},
    summary="Paynow's status update (form-encoded, as Paynow sends it)",
)
async def paynow_result(request: Request) -> Response:
    body = await request.body()
    await run_in_threadpool(_receive, request.headers.get("host", ""), client_ip(request), body[:MAX_STATUS_UPDATE_BYTES])
    return Response(status_code=200)
