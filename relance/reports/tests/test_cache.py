"""The ledger version and the cache of the dashboard's figures."""

import threading
import time

import pytest
from django.db import transaction

from relance.ledger import services as ledger
from relance.reports import cache
from relance.reports.models import LedgerVersion

pytestmark = pytest.mark.django_db


def test_a_version_starts_at_random_so_a_rebuilt_database_meets_no_old_entry():
    first = ledger.create_company("V1", "Un")
    second = ledger.create_company("V2", "Deux")
    assert cache.version_of(first) != cache.version_of(second)
    assert cache.version_of(first) == LedgerVersion.objects.get(company=first).version


def test_a_bump_outside_a_transaction_moves_the_version_at_once():
    company = ledger.create_company("V3", "Trois")
    before = cache.version_of(company)
    cache._pending_ids().clear()  # what earlier tests' rolled-back transactions left
    cache._flush()  # what on_commit runs; nothing pending: nothing moves
    assert cache.version_of(company) == before
    cache._pending_ids().add(company.pk)
    cache._flush()
    assert cache.version_of(company) == before + 1


def test_a_transaction_rolled_back_moves_nothing(django_capture_on_commit_callbacks):
    company = ledger.create_company("V4", "Quatre")
    before = cache.version_of(company)
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        cache.bump(company)
        raise RuntimeError("rolled back")
    assert callbacks == [] and cache.version_of(company) == before
    cache._pending_ids().clear()  # left for the next flush: one bump too many, harmless


def test_simultaneous_requests_compute_the_missing_figures_once(monkeypatch):
    monkeypatch.setattr(cache, "version_of", lambda company: 7)
    calls = []

    def slow():
        calls.append(1)
        time.sleep(0.2)
        return {"figures": len(calls)}

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.cached(999, ("x",), slow)))
        for _ in range(6)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(calls) == 1 and results == [{"figures": 1}] * 6
    assert cache.cached(999, ("x",), slow) == {"figures": 1}  # and then from the cache
    assert cache.cached(999, ("y",), slow) == {"figures": 2}  # other figures: computed
