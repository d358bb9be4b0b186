"""The dashboard's cached figures, and the per-company ledger version that invalidates them.

Every service that changes what the dashboard reads (items, payments, allocations, a
customer's portfolio or handover, a reminder's history) calls `bump(company)`. The version
is raised once per transaction, after it commits (`on_commit`), with one UPDATE for every
company the transaction touched: an import of a million lines or a matching run raises it
once, never per row.

Cached figures are keyed on (company, version, what was asked). A reader takes the version
*before* reading the ledger, so it can never store old figures under a new version:
- a change commits, then the version moves: a reader in between stores new figures under the
  old version, which nobody asks for once the version has moved;
- a reader reads the version, then a change commits before it reads the ledger: it stores the
  new figures under the old version, same thing.
If the process dies between the commit and the UPDATE, figures cached by other processes stay
until the next change or the cache's timeout (CACHE_SECONDS).

The heavy figures of a large ledger take seconds to compute (docs/performance.md), and any
change (a payment, a reminder sent by the worker) makes them unreachable. `current_or_recent`
therefore keeps, beside each version's entry, the latest figures computed for the same
question: after a change it computes the new ones in a background thread and waits for them
at most `wait` seconds; past that it answers with the latest ones, marked as such with the time
they were computed (the page says so and reloads itself). A caller inside a transaction gets
its figures computed inline: another thread could not see what it has not committed.
"""

from __future__ import annotations

import hashlib
import logging
import os
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

from django.core.cache import caches
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.utils import timezone

from .models import LedgerVersion

T = TypeVar("T")
log = logging.getLogger(__name__)
POLL_SECONDS = 0.1
# Versions start at random (see the model): the latest figures kept for a company are its own
# only when its version is at most this many changes ahead of theirs.
SAME_LEDGER = 10**9
CLAIM_SECONDS = 600  # a computation under way in one process, as the others see it
CACHE_SECONDS = 24 * 3600  # the date is in every key: yesterday's entries are not asked again
_pending = threading.local()
_computing = threading.Lock()  # guards _locks
_locks: dict[str, threading.Lock] = {}  # key -> the lock of its computation under way


def bump(company) -> None:
    """The company's figures changed (or will, once the current transaction commits)."""
    _pending_ids().add(getattr(company, "pk", company))
    if not getattr(_pending, "deferred", 0):
        transaction.on_commit(_flush, robust=True)


@contextmanager
def bumps_deferred() -> Iterator[None]:
    """For work that commits many small transactions in a row (a sending pass: several per
    reminder): the versions of the companies it bumps are raised once, when it ends (also on
    an error), instead of after each commit. Outside any transaction of its own."""
    _pending.deferred = getattr(_pending, "deferred", 0) + 1
    try:
        yield
    finally:
        _pending.deferred -= 1
        if not _pending.deferred:
            _flush()


def _pending_ids() -> set[int]:
    ids = getattr(_pending, "ids", None)
    if ids is None:
        ids = _pending.ids = set()
    return ids


def _flush() -> None:
    """One UPDATE for every company bumped since the last flush (several on_commit calls of a
    transaction all land here: the first does the work, the others find nothing left)."""
    ids = _pending_ids()
    if not ids:
        return
    chosen = sorted(ids)
    ids.clear()
    LedgerVersion.objects.filter(company_id__in=chosen).update(version=F("version") + 1)


def version_of(company) -> int:
    """The company's ledger version; created on first use at a random value (see the model)."""
    company_id = getattr(company, "pk", company)
    rows = LedgerVersion.objects.filter(company_id=company_id).values_list("version", flat=True)
    version = rows.first()
    if version is not None:
        return version
    try:
        with transaction.atomic():
            return LedgerVersion.objects.create(
                company_id=company_id, version=secrets.randbits(62)
            ).version
    except IntegrityError:  # another request created it meanwhile
        return LedgerVersion.objects.get(company_id=company_id).version


def cached(company, parts: tuple, compute: Callable[[], T]) -> T:
    """`compute()`'s result for `parts` at the company's current ledger version. Requests of
    one process asking for the same missing figures at once wait for the first one's
    computation instead of each computing them (after a change, every open dashboard asks)."""
    return current_or_recent(company, parts, compute, wait=None).value


@dataclass(frozen=True)
class Cached(Generic[T]):
    """Figures, when they were computed, and whether they are those of the company's
    current ledger version (False: the latest ones, while the current ones are computed)."""

    value: T
    computed_at: datetime
    is_current: bool = True


def current_or_recent(
    company, parts: tuple, compute: Callable[[], T], *, wait: float | None
) -> Cached[T]:
    """The figures of `parts` at the current ledger version; when they are missing but earlier
    ones exist, computed in the background for at most `wait` seconds, else the earlier ones
    (see the module's docstring). `wait=None`: always the current ones, computed inline."""
    version = version_of(company)
    key = _key(company, version, parts)
    store = caches["reports"]  # settings.CACHES: RELANCE_REPORTS_CACHE
    found = store.get(key)
    if found is not None:
        return found
    latest_key = _key(company, None, parts)
    latest = store.get(latest_key) if wait is not None else None
    if latest is not None and not 0 <= version - latest[0] < SAME_LEDGER:
        latest = None  # figures of another life of the database (rebuilt, restored)
    if latest is None or connection.in_atomic_block:
        return _compute_once(key, latest_key, version, compute)
    done = _in_background(key, latest_key, version, compute)
    if done is not None:
        done.wait(wait)
    else:  # another process computes them: look for them in the shared cache meanwhile
        deadline = time.monotonic() + wait
        while store.get(key) is None and time.monotonic() < deadline:
            time.sleep(POLL_SECONDS)
    found = store.get(key)
    if found is not None:
        return found
    _version, figures = latest
    return Cached(figures.value, figures.computed_at, is_current=False)


def _key(company, version: int | None, parts: tuple) -> str:
    key = repr((getattr(company, "pk", company), version, parts))
    return "relance:reports:2:" + hashlib.sha256(key.encode()).hexdigest()


def _compute_once(key: str, latest_key: str, version: int, compute: Callable[[], T]) -> Cached[T]:
    """Computed by one thread of the process at a time: the others wait for its result."""
    store = caches["reports"]
    with _computing:
        lock = _locks.setdefault(key, threading.Lock())
    try:
        with lock:
            found = store.get(key)
            if found is None:
                found = Cached(compute(), timezone.now())
                store.set(key, found, CACHE_SECONDS)
                _keep_latest(latest_key, version, found)
    finally:
        with _computing:
            _locks.pop(key, None)
    return found


def _keep_latest(latest_key: str, version: int, figures: Cached) -> None:
    """The latest figures of a question, unless newer ones (a later version of the same
    ledger) are there."""
    store = caches["reports"]
    latest = store.get(latest_key)
    if latest is not None and 0 < latest[0] - version < SAME_LEDGER:
        return  # newer figures of the same ledger are there
    store.set(latest_key, (version, figures), CACHE_SECONDS)


_refreshing: dict[str, threading.Event] = {}  # key -> set once its computation has ended


def _in_background(
    key: str, latest_key: str, version: int, compute: Callable[[], T]
) -> threading.Event | None:
    """The event of the computation of `key` under way in this process, started if none is;
    None when another process sharing the cache computes it."""
    with _computing:
        done = _refreshing.get(key)
        if done is not None:
            return done
        done = _refreshing[key] = threading.Event()
    store, claim = caches["reports"], key + ":computing"
    # One computation for all the processes sharing the cache (the server's workers): the
    # others show the latest figures until it is stored. A claim outlives a dead process by
    # CLAIM_SECONDS at most.
    if not store.add(claim, os.getpid(), CLAIM_SECONDS):
        with _computing:
            _refreshing.pop(key, None)
        done.set()
        return None

    def refresh() -> None:
        try:
            _compute_once(key, latest_key, version, compute)
        except Exception:  # the request already answered: the error goes to the log
            log.exception("dashboard figures could not be computed")
        finally:
            store.delete(claim)
            connections.close_all()  # this thread's connections only
            with _computing:
                _refreshing.pop(key, None)
            done.set()

    threading.Thread(target=refresh, name="relance-reports-refresh", daemon=True).start()
    return done
