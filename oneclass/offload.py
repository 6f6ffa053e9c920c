"""Running blocking work (a service call: SQL, password hashing) off the event loop.

Reflex runs every tab's events on one asyncio loop per worker; a handler that waits for the
database on that loop makes every other tab wait too. Handlers `await offload(service, ...)`
instead: the call runs on a bounded pool of threads sized with the database pool, so at most as
many calls wait on PostgreSQL as there are connections for them, and the rest queue here rather
than inside the pool. Services stay plain synchronous functions, callable from the REST API's
threads, the CLI and tests alike (bench/offload.py measured this choice against async sessions).
"""

import asyncio
import contextvars
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache, partial
from typing import ParamSpec, TypeVar

from oneclass.settings import get_settings

P = ParamSpec("P")
R = TypeVar("R")


@lru_cache
def _executor() -> ThreadPoolExecutor:
    # Per process (each Reflex worker has its own): nothing here must agree across workers.
    return ThreadPoolExecutor(max_workers=sum(get_settings().pool_share()), thread_name_prefix="service")


async def offload(function: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs) -> R:
    """`function(*args, **kwargs)` on the service threads; the caller's context (request id,
    school, user for the logs) goes with it."""
    context = contextvars.copy_context()
    call = partial(context.run, function, *args, **kwargs)
    return await asyncio.get_running_loop().run_in_executor(_executor(), call)
