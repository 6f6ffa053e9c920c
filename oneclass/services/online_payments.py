"""Online payment of invoices through Paynow: a school's integrations (one per currency, set by
its admin on the settings page, the key write-only and stored sealed), a guardian starting a
payment of an invoice (web or EcoCash/OneMoney express checkout), Paynow's status updates and
the return page's check, which record the payment once.

The rules (also in docs/fees.md):
- Online payment is offered for a family invoice that owes something, in a currency the school
  has an integration for; with none, it is hidden. Only the invoice's guardians may start one
  (anyone else, another school's id: not found). The amount asked is the invoice's balance.
- A status update is believed only with the right hash (`oneclass.paynow`); a wrong or missing
  one changes nothing and is logged. Even then it is only a prompt: the payment is recorded
  once a poll of the poll URL saved when the payment started (never the one a message names)
  says paid (`Paid`, `Awaiting Delivery`, `Delivered`) with our reference and the amount asked.
- Recording happens under the transaction's row lock and sets its `payment_id`: a repeated
  notification, or the return page's check racing it, records nothing more.
- A paid answer for another amount or reference, or for invoices that no longer owe it (paid at
  the cashier meanwhile), is flagged on the transaction and in the audit trail for the bursar,
  never recorded silently.
- The payment is recorded as `fees.record_payment` records any: method `mobile_money` (the REST
  contract's methods are cash, bank and mobile money), reference `Paynow <Paynow's reference>`,
  received by the guardian who paid, allocated to the invoice paid for first (then, should the
  amount ever exceed it, to the family's oldest open invoices).
"""

import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlmodel import Session, select

from models import Currency, Invoice, OnlineMethod, PaymentMethod, PaynowFlag, PaynowIntegration, PaynowTransaction, User
from oneclass import paynow, routes
from oneclass.db import unit_of_work
from oneclass.i18n import N_, _, format_message
from oneclass.paynow import PaynowClient, PaynowError, StatusReport
from oneclass.permissions import require
from oneclass.security import seal, unseal
from oneclass.services import audit, fees
from oneclass.services.auth import CurrentUser
from oneclass.services.errors import NotFound, ValidationFailed
from oneclass.services.schools import get_current_school
from oneclass.services.students import children_of
from oneclass.settings import get_settings

log = logging.getLogger(__name__)

MANAGE_SETTINGS = "school.update"
PAY_ONLINE = "fees.read"  # and being the invoice's guardian

INTEGRATION_CHANGED = "fees.paynow_integration_changed"
PAYMENT_FLAGGED = "fees.paynow_flagged"
KEY_MAX = 200
INTEGRATION_ID_MAX = 20
RESULT_PATH = "/api/v1/paynow/result"
METHODS: dict[str, str] = {"web": N_("Paynow (card, bank, wallet)"), "ecocash": N_("EcoCash"), "onemoney": N_("OneMoney")}

NO_SUCH_INVOICE = N_("No such invoice, or not one of yours.")
NO_SUCH_PAYMENT = N_("No such online payment.")


@dataclass(frozen=True)
class IntegrationRow:
    """What the settings page shows of an integration: never the key, only that one is set."""

    currency: str
    integration_id: str
    key_set: bool


@dataclass(frozen=True)
class Started:
    reference: str
    redirect_url: str | None  # web checkout: where to send the payer; None for express
    poll_url: str
    instructions: str  # express checkout: what Paynow tells the payer to do


@dataclass(frozen=True)
class OnlineStatus:
    reference: str
    invoice_id: str
    status: str  # Paynow's word (`Created`, `Sent`, `Paid`, ...)
    recorded: bool  # a payment is recorded for it
    flagged: str  # "" or a PaynowFlag


# --- the school's integrations ------------------------------------------------------------------


def _integration(session: Session, currency: str) -> PaynowIntegration | None:
    return session.exec(select(PaynowIntegration).where(PaynowIntegration.currency == currency)).first()


def online_currencies(session: Session) -> set[str]:
    """The currencies the actor's school takes online (each with an integration)."""
    return set(session.exec(select(PaynowIntegration.currency)).all())


def integrations(*, actor: CurrentUser) -> list[IntegrationRow]:
    require(actor, MANAGE_SETTINGS)
    with unit_of_work(actor) as session:
        found = {row.currency: row for row in session.exec(select(PaynowIntegration)).all()}
    return [
        IntegrationRow(currency=currency, integration_id=found[currency].integration_id if currency in found else "", key_set=currency in found)
        for currency in Currency.__members__.values()
    ]


def set_integration(session: Session, *, school_id: UUID, currency: str, integration_id: str, key: str, updated_by: UUID | None) -> None:
    """Write an integration (the demo seed's way in; the page's is `save_integration`)."""
    row = _integration(session, currency) or PaynowIntegration(school_id=school_id, currency=Currency(currency), integration_id="", key_ciphertext="")
    row.integration_id = integration_id
    if key:
        row.key_ciphertext = seal(key)
    row.updated_by, row.updated_at = updated_by, datetime.now(UTC)
    session.add(row)


def save_integration(*, actor: CurrentUser, currency: str, integration_id: str, key: str = "", ip: str | None = None) -> IntegrationRow:
    """Set the school's Paynow integration for `currency`. A key left blank keeps the one saved
    (it is never shown again); a new integration needs one."""
    require(actor, MANAGE_SETTINGS)
    integration_id, key = integration_id.strip(), key.strip()
    errors: dict[str, str] = {}
    if currency not in Currency.__members__.values():
        errors["currency"] = _("Choose USD or ZWG.")
    if not re.fullmatch(rf"[0-9]{{1,{INTEGRATION_ID_MAX}}}", integration_id):
        errors["integration_id"] = _("Give the integration ID Paynow shows: digits only.")
    if len(key) > KEY_MAX or any(character.isspace() for character in key):
        errors["key"] = _("Give the integration key exactly as Paynow shows it.")
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        existing = _integration(session, currency)
        if existing is None and not key:
            raise ValidationFailed({"key": _("Give the integration key.")})
        set_integration(session, school_id=actor.school_id, currency=currency, integration_id=integration_id, key=key, updated_by=actor.id)
        audit.record(
            session, school_id=actor.school_id, action=INTEGRATION_CHANGED, actor=actor.actor(ip), target=currency,
            detail={"integration_id": integration_id, "key_replaced": bool(key)},  # never the key
        )
    return IntegrationRow(currency=currency, integration_id=integration_id, key_set=True)


def remove_integration(*, actor: CurrentUser, currency: str, ip: str | None = None) -> None:
    """Stop taking `currency` online (payments already started can still be checked: their
    transactions keep what they need, but not the key, so they are checked once set again)."""
    require(actor, MANAGE_SETTINGS)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        existing = _integration(session, currency)
        if existing is None:
            return
        session.delete(existing)
        audit.record(session, school_id=actor.school_id, action=INTEGRATION_CHANGED, actor=actor.actor(ip), target=currency, detail={"removed": True})


def _client(session: Session, currency: str) -> PaynowClient | None:
    """A client of the school's integration for `currency`; None without one (or when its key was
    sealed under another SECRET_KEY, which is logged: the admin enters it again)."""
    integration = _integration(session, currency)
    if integration is None:
        return None
    key = unseal(integration.key_ciphertext)
    if key is None:
        log.error("the Paynow key for %s cannot be unsealed (SECRET_KEY changed?): enter it again", currency)
        return None
    return PaynowClient(get_settings().paynow_url, integration.integration_id, key)


# --- a guardian pays --------------------------------------------------------------------------


def _guardians_invoice(session: Session, actor: CurrentUser, invoice_id: UUID) -> Invoice:
    """The family invoice of one of the actor's children; not found for anyone else's."""
    invoice = session.get(Invoice, invoice_id)
    children = {child.id for child in children_of(session, user_id=actor.id)}
    if invoice is None or invoice.student_id not in children or invoice.sponsor_id is not None:
        raise NotFound(_(NO_SUCH_INVOICE))
    return invoice


def _new_reference() -> str:
    return f"OC-{secrets.token_hex(6).upper()}"


def start_payment(*, actor: CurrentUser, invoice_id: UUID, method: str = "web", phone: str = "") -> Started:
    """Start paying an invoice's balance with Paynow: web checkout (the payer goes to
    `redirect_url`) or express (`ecocash`, `onemoney`: Paynow asks the phone to approve)."""
    require(actor, PAY_ONLINE)
    errors: dict[str, str] = {}
    if method not in METHODS:
        errors["method"] = _("Choose Paynow, EcoCash or OneMoney.")
    local = ""
    if method in paynow.EXPRESS_METHODS:
        try:
            local = paynow.local_phone(phone)
        except PaynowError:
            errors["phone"] = _("Give a Zimbabwean mobile number, such as 0771 234 567.")
    if errors:
        raise ValidationFailed(errors)
    assert actor.school_id is not None
    with unit_of_work(actor) as session:
        invoice = _guardians_invoice(session, actor, invoice_id)
        client = _client(session, invoice.currency)
        if client is None:
            raise ValidationFailed({"form": format_message("The school does not take {currency} online.", currency=invoice.currency)})
        amount = fees.invoice_balance(session, invoice)
        if amount <= 0:
            raise ValidationFailed({"form": _("Nothing is owed on this invoice.")})
        school = get_current_school(session)
        assert school is not None
        origin = routes.school_origin(school.subdomain)
        row = PaynowTransaction(
            school_id=actor.school_id, reference=_new_reference(), invoice_id=invoice.id, student_id=invoice.student_id, started_by=actor.id,
            currency=invoice.currency, amount=amount, method=OnlineMethod(method), phone=local or None,
        )
        info, return_url, result_url = f"{school.name}: {invoice.account} {invoice.currency}", f"{origin}{routes.CHILD_FEES}?paynow={row.reference}", f"{origin}{RESULT_PATH}"
        try:
            if local:
                started = client.initiate_express(
                    reference=row.reference, amount=amount, additional_info=info, return_url=return_url, result_url=result_url,
                    auth_email=actor.email, phone=local, method=method,
                )
            else:
                started = client.initiate(reference=row.reference, amount=amount, additional_info=info, return_url=return_url, result_url=result_url)
        except PaynowError as error:
            log.warning("Paynow refused to start %s: %s", row.reference, error)
            raise ValidationFailed({"form": _("Paynow could not start the payment. Try again in a moment.")}) from error
        row.poll_url, row.status, row.paynow_reference = started.poll_url, "Sent", started.paynow_reference[:60]
        session.add(row)
        return Started(reference=row.reference, redirect_url=started.redirect_url, poll_url=started.poll_url, instructions=started.instructions)


# --- Paynow answers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _School:
    school_id: UUID


def _payer(session: Session, row: PaynowTransaction) -> CurrentUser:
    """The guardian who started the payment, as the payment's receiver of record."""
    user = session.get(User, row.started_by)
    assert user is not None  # a payment's starter cannot be deleted (foreign key)
    return CurrentUser(id=user.id, school_id=row.school_id, email=user.email, full_name=user.full_name, role=user.role, family_id=UUID(int=0))


def _flag(session: Session, row: PaynowTransaction, flag: PaynowFlag, report: StatusReport) -> None:
    row.flagged, row.paid_amount = flag, report.amount
    audit.record(
        session, school_id=row.school_id, action=PAYMENT_FLAGGED, actor=audit.Actor(), target=row.reference,
        detail={"flag": flag.value, "asked": fees.money_text(row.amount), "paid": fees.money_text(report.amount), "paynow_reference": report.paynow_reference},
    )
    log.warning("Paynow payment %s flagged (%s): asked %s, Paynow says %s", row.reference, flag.value, row.amount, report.amount)


def _settle(session: Session, reference: str, report: StatusReport) -> PaynowTransaction:
    """Apply a poll's answer (hash checked) to the transaction, under its row lock: a paid answer
    for the amount asked records the payment, once."""
    row = session.exec(
        select(PaynowTransaction).where(PaynowTransaction.reference == reference).with_for_update().execution_options(populate_existing=True)
    ).one()
    if row.payment_id is not None or row.flagged is not None:
        return row  # recorded already, or waiting for a person
    row.status, row.updated_at = report.status[:40], datetime.now(UTC)
    row.paynow_reference = report.paynow_reference[:60] or row.paynow_reference
    session.add(row)
    if not report.paid:
        return row
    if report.reference != row.reference:
        _flag(session, row, PaynowFlag.reference, report)
        return row
    if report.amount != row.amount:
        _flag(session, row, PaynowFlag.amount, report)
        return row
    payment = fees.PaymentInput(
        student_id=row.student_id, amount=str(row.amount), currency=row.currency, method=PaymentMethod.mobile_money.value,
        reference=f"Paynow {row.paynow_reference or row.reference}", for_invoice=row.invoice_id,
    )
    try:
        with session.begin_nested():
            recorded = fees.record_payment(session, actor=_payer(session, row), payment=payment)
    except ValidationFailed:
        _flag(session, row, PaynowFlag.not_owed, report)
        return row
    row.payment_id, row.paid_amount = UUID(recorded["id"]), report.amount
    session.add(row)
    return row


def _poll(session: Session, row: PaynowTransaction) -> StatusReport | None:
    """Ask Paynow how the payment stands at the poll URL saved when it started."""
    client = _client(session, row.currency)
    if client is None or not row.poll_url:
        return None
    try:
        return client.poll(row.poll_url)
    except PaynowError as error:
        log.warning("Paynow poll for %s not believed: %s", row.reference, error)
        return None


def receive_status_update(*, school_id: UUID, body: bytes) -> None:
    """Paynow's status update posted to the school's result URL. Answers nothing: whatever came,
    the caller learns nothing. A message with a wrong or missing hash changes nothing and is
    logged; a paid one is confirmed by polling before anything is recorded."""
    fields = paynow.parse_message(body)
    reference = next((value for name, value in fields if name.lower() == "reference"), "")
    with unit_of_work(_School(school_id)) as session:
        row = session.exec(select(PaynowTransaction).where(PaynowTransaction.reference == reference[:40])).first() if reference else None
        if row is None:
            log.warning("Paynow status update for an unknown reference %r ignored", reference[:40])
            return
        client = _client(session, row.currency)
        if client is None:
            log.warning("Paynow status update for %s: no integration for %s to check it with", row.reference, row.currency)
            return
        try:
            update = paynow.status_report(fields, client.integration_key)
        except PaynowError as error:
            log.warning("Paynow status update for %s refused: %s", row.reference, error)
            return
        if not update.paid:
            _settle(session, row.reference, update)
            return
        confirmed = _poll(session, row)
        if confirmed is not None:
            _settle(session, row.reference, confirmed)


def check_payment(*, actor: CurrentUser, reference: str) -> OnlineStatus:
    """How an online payment stands, for the guardian who started it (the return page): polled
    from Paynow unless it is recorded or flagged already, and recorded once paid."""
    require(actor, PAY_ONLINE)
    with unit_of_work(actor) as session:
        row = session.exec(select(PaynowTransaction).where(PaynowTransaction.reference == reference[:40])).first()
        if row is None or row.started_by != actor.id:
            raise NotFound(_(NO_SUCH_PAYMENT))
        if row.payment_id is None and row.flagged is None:
            report = _poll(session, row)
            if report is not None:
                row = _settle(session, row.reference, report)
        return OnlineStatus(
            reference=row.reference, invoice_id=str(row.invoice_id), status=row.status, recorded=row.payment_id is not None, flagged=row.flagged or "",
        )


def currencies_online(*, actor: CurrentUser) -> list[str]:
    """The currencies the actor's school takes online (the parent's page offers "Pay online" for
    invoices in these)."""
    require(actor, PAY_ONLINE)
    with unit_of_work(actor) as session:
        return sorted(online_currencies(session))
