"""Fees benchmark: a term's invoices issued to 1,000 students (the preview, the run, and the
same run again, which issues nothing); the arrears list's query over those 1,000 students (half
part-paid, a quarter of the invoices back-dated into each age) with several filters; 1,000
statement PDFs, one per student; and the cashier's search-as-you-type over the websocket
(bench/reflex_client.py) with 1,000 students: the event a keystroke sends to the state update
with the matching students. Prints figures; asserts nothing.

    .venv/bin/python bench/fees.py [--searches 200] [--port 3371] [--no-search]

Uses DATABASE_URL/REDIS_URL when set, else the embedded servers; creates and drops its own
database (one school of 1,000 students in 25 classes, bench/gradebook.py's year and classes).
"""

import argparse
import asyncio
import random
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.data import PASSWORD, as_owner, drop_data, prepare, running_app, school_admin_actor
from bench.gradebook import GRADEBOOK_SQL
from bench.reflex_client import Tab, handler_name
from bench.stats import percentiles
from oneclass import routes
from oneclass.services import arrears, fee_accounts, fees
from oneclass.services.arrears import ArrearsFilter
from oneclass.services.auth import CurrentUser
from oneclass.services.fees import ItemInput, PaymentInput
from state.auth import AuthState
from state.cashier import CashierState
from tests.conftest import apply_settings

YEAR_AND_CLASSES = [statement for statement in GRADEBOOK_SQL if "assessments" not in statement and "marks" not in statement]


def timed(function: Any, **kwargs: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = function(**kwargs)
    return (time.perf_counter() - started) * 1000, result


def invoicing(url: str, school_id: str) -> CurrentUser:
    with as_owner(url, school_id, YEAR_AND_CLASSES) as connection:
        actor = school_admin_actor(connection, school_id)
        term_id = connection.execute(text("SELECT id FROM terms")).scalar_one()
    apply_settings(DATABASE_URL=url)
    items = [ItemInput("Tuition", "tuition", "250.00"), ItemInput("SDC levy", "levy", "25.00"), ItemInput("Boarding", "tuition", "400.00", True)]
    fees.save_structure(actor=actor, term_id=term_id, grade_level="F3", currency="USD", items=items)
    elapsed, preview = timed(fees.preview_invoices, actor=actor, term_id=term_id)
    print(f"preview, {preview.students} students: {preview.new_invoices} invoices to issue, {elapsed:.0f} ms")
    elapsed, issued = timed(fees.generate_invoices, actor=actor, term_id=term_id)
    print(f"issue {issued.new_invoices} invoices ({issued.totals['USD']} USD) for {issued.students} students: {elapsed:.0f} ms")
    elapsed, again = timed(fees.generate_invoices, actor=actor, term_id=term_id)
    print(f"the same run again: {again.new_invoices} issued, {again.already_issued} already there, {elapsed:.0f} ms")
    return actor


AGED = ["UPDATE invoices SET issued_on = issued_on - (((hashtext(id::text) & 3) * 35) || ' days')::interval WHERE school_id = :s"]
ARREARS_FILTERS = [ArrearsFilter(), ArrearsFilter(overdue=60), ArrearsFilter(search="Moyo"), ArrearsFilter(minimum="200"), ArrearsFilter(currency="USD", overdue=30)]


def accounts(url: str, school_id: str, actor: CurrentUser, runs: int) -> None:
    """Half the students part-paid, invoices spread over the ages; then the arrears list's first
    page (`runs` times over the filters) and a statement PDF per student."""
    with as_owner(url, school_id, AGED) as connection:
        students = connection.execute(text("SELECT id FROM students ORDER BY admission_number")).scalars().all()
    for student_id in students[::2]:
        fees.take_payment(actor=actor, payment=PaymentInput(student_id, "100.00", "USD", "cash"))
    with as_owner(url, school_id, []) as connection:  # the statistics autovacuum would have gathered by now
        connection.execute(text("ANALYZE invoices, payments, payment_allocations, students, enrolments"))
    samples = [timed(arrears.arrears_page, actor=actor, filters=ARREARS_FILTERS[number % len(ARREARS_FILTERS)], per_page=25)[0] for number in range(runs)]
    everyone = arrears.arrears_page(actor=actor, filters=ArrearsFilter())
    print(f"arrears list, first page of 25 with totals, {everyone.total} students owing of {len(students)}: {percentiles(samples)}")
    started = time.perf_counter()
    samples = [timed(fee_accounts.statement_pdf, actor=actor, student_id=student_id)[0] for student_id in students]
    print(f"statement PDF, {len(students)} students one by one: {percentiles(samples)}, {time.perf_counter() - started:.1f} s in all")


async def searching(port: int, subdomain: str, searches: int) -> list[float]:
    tab = Tab(f"http://{subdomain}.localhost:{port}")
    await tab.connect(routes.LOGIN)
    since = tab.mark()
    await tab.send(handler_name(AuthState, "sign_in"), {"form": {"email": f"admin@{subdomain}.test", "password": PASSWORD}})
    await tab.until(AuthState, "access_token", since, accept=bool)
    await tab.navigate(routes.CASHIER)
    rng = random.Random(11)
    names = ["Moyo", "Ncube", "Sibanda", "Dube", "Mpofu", "Ndlovu", "Zhou", "Shumba", "Hove", "Tariro", "B00", "Chipo"]
    samples: list[float] = []
    for _ in range(searches):
        word = rng.choice(names)
        typed = word[: rng.randint(2, len(word))] + (str(rng.randint(1, 99)) if rng.random() < 0.5 else "")
        since = tab.mark()
        started = time.perf_counter()
        await tab.send(handler_name(CashierState, "search"), {"query": typed})
        await tab.until(CashierState, "hits", since)
        samples.append((time.perf_counter() - started) * 1000)
        tab.forget_updates()
    await tab.close()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--searches", type=int, default=200)
    parser.add_argument("--port", type=int, default=3371)
    parser.add_argument("--arrears-runs", type=int, default=50)
    parser.add_argument("--no-search", action="store_true", help="skip the websocket search (no app started)")
    args = parser.parse_args()
    server_url, redis_url, url, pairs = prepare(1, 1000)
    subdomain, school_id = pairs[0]
    try:
        actor = invoicing(url, school_id)
        accounts(url, school_id, actor, args.arrears_runs)
        if not args.no_search:
            with running_app(url, redis_url, args.port):
                samples = asyncio.run(searching(args.port, subdomain, args.searches))
            print(f"cashier search as you type, 1,000 students: {percentiles(samples)} (event sent -> matching students back)")
    finally:
        drop_data(server_url, url)


if __name__ == "__main__":
    main()
