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
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from collections.abc import Callable
from typing import TypeVar

from django.core.cache import caches
from django.db import IntegrityError, transaction
from django.db.models import F

from .models import LedgerVersion

T = TypeVar("T")
CACHE_SECONDS = 24 * 3600  # the date is in every key: yesterday's entries are not asked again
_pending = threading.local()
_computing = threading.Lock()  # guards _locks
_locks: dict[str, threading.Lock] = {}  # key -> the lock of its computation under way


def bump(company) -> None:
    """The company's figures changed (or will, once the current transaction commits)."""
    _pending_ids().add(getattr(company, "pk", company))
    transaction.on_commit(_flush, robust=True)


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
    version = version_of(company)
    key = repr((getattr(company, "pk", company), version, parts))
    key = "relance:reports:" + hashlib.sha256(key.encode()).hexdigest()
    store = caches["reports"]  # settings.CACHES: RELANCE_REPORTS_CACHE
    value = store.get(key)
    if value is not None:
        return value
    with _computing:
        lock = _locks.setdefault(key, threading.Lock())
    try:
        with lock:
            value = store.get(key)
            if value is None:
                value = compute()
                store.set(key, value, CACHE_SECONDS)
    finally:
        with _computing:
            _locks.pop(key, None)
    return value
