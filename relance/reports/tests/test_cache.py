"""The ledger version and the cache of the dashboard's figures."""

import threading
import time

import pytest
from django.db import transaction
from django.db.models import F

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


# --- After a change: the latest figures while the current ones are computed ---------------


def _move(company) -> None:
    """What a change does once committed (cache.bump's flush)."""
    LedgerVersion.objects.filter(company=company).update(version=F("version") + 1)


def _settled(timeout: float = 10) -> None:
    """Waits for the background computations of this process to end."""
    deadline = time.monotonic() + timeout
    while cache._refreshing and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not cache._refreshing


@pytest.mark.django_db(transaction=True)  # a background thread sees only what is committed
def test_after_a_change_the_latest_figures_are_shown_while_the_new_ones_are_computed():
    company = ledger.create_company("S1", "Un")
    gate, calls = threading.Event(), []

    def compute():
        calls.append(1)
        if len(calls) > 1:
            assert gate.wait(10)
        return len(calls)

    first = cache.current_or_recent(company, ("x",), compute, wait=0.05)
    assert (first.value, first.is_current, len(calls)) == (1, True, 1)
    _move(company)
    stale = cache.current_or_recent(company, ("x",), compute, wait=0.05)
    assert (stale.value, stale.is_current) == (1, False)
    assert stale.computed_at == first.computed_at  # the page says when they were computed
    again = cache.current_or_recent(company, ("x",), compute, wait=0.05)
    assert not again.is_current and len(calls) == 2  # one computation under way, not two
    gate.set()
    _settled()
    fresh = cache.current_or_recent(company, ("x",), compute, wait=0.05)
    assert (fresh.value, fresh.is_current, len(calls)) == (2, True, 2)
    assert fresh.computed_at > first.computed_at


@pytest.mark.django_db(transaction=True)
def test_new_figures_computed_within_the_wait_are_shown_at_once():
    company = ledger.create_company("S2", "Deux")
    answers = iter(["before", "after"])
    assert cache.current_or_recent(company, ("x",), lambda: next(answers), wait=5).value == "before"
    _move(company)
    fresh = cache.current_or_recent(company, ("x",), lambda: next(answers), wait=5)
    assert (fresh.value, fresh.is_current) == ("after", True)


@pytest.mark.django_db(transaction=True)
def test_a_failed_background_computation_is_logged_and_tried_again(caplog):
    company = ledger.create_company("S3", "Trois")
    cache.current_or_recent(company, ("x",), lambda: "before", wait=0.05)
    _move(company)

    def broken():
        raise RuntimeError("base indisponible")

    stale = cache.current_or_recent(company, ("x",), broken, wait=5)
    assert (stale.value, stale.is_current) == ("before", False)
    _settled()
    assert "dashboard figures could not be computed" in caplog.text
    fresh = cache.current_or_recent(company, ("x",), lambda: "after", wait=5)
    assert (fresh.value, fresh.is_current) == ("after", True)


def test_inside_a_transaction_the_figures_are_computed_inline():
    """Another thread could not see what the caller has not committed yet."""
    company = ledger.create_company("S4", "Quatre")
    cache.current_or_recent(company, ("x",), lambda: "before", wait=0.05)
    _move(company)
    threads = threading.active_count()
    found = cache.current_or_recent(company, ("x",), lambda: "after", wait=0)
    assert (found.value, found.is_current) == ("after", True)
    assert threading.active_count() == threads and not cache._refreshing


@pytest.mark.django_db(transaction=True)
def test_without_a_wait_the_current_figures_are_always_computed():
    company = ledger.create_company("S5", "Cinq")
    cache.current_or_recent(company, ("x",), lambda: "before", wait=None)
    _move(company)
    found = cache.current_or_recent(company, ("x",), lambda: "after", wait=None)
    assert (found.value, found.is_current) == ("after", True) and not cache._refreshing


@pytest.mark.django_db(transaction=True)
def test_figures_another_process_computes_are_not_computed_again():
    """The server's processes share the cache: one computes, the others show the latest
    figures and then read the new ones from the cache."""
    from django.core.cache import caches
    from django.utils import timezone

    company = ledger.create_company("S6", "Six")
    cache.current_or_recent(company, ("x",), lambda: "before", wait=0.05)
    _move(company)
    key = cache._key(company, cache.version_of(company), ("x",))
    store = caches["reports"]
    assert store.add(key + ":computing", 4242, 60)  # another process has started
    calls = []
    stale = cache.current_or_recent(company, ("x",), lambda: calls.append(1), wait=0.2)
    assert (stale.value, stale.is_current, calls, cache._refreshing) == ("before", False, [], {})
    store.set(key, cache.Cached("after", timezone.now()))  # what the other process stores
    store.delete(key + ":computing")
    fresh = cache.current_or_recent(company, ("x",), lambda: calls.append(1), wait=0.2)
    assert (fresh.value, fresh.is_current, calls) == ("after", True, [])


def test_latest_figures_of_another_life_of_the_database_are_not_shown():
    """A database rebuilt or restored (its versions start elsewhere at random) may give a
    company the key of another: the figures kept for that key are not its own."""
    company = ledger.create_company("S7", "Sept")
    cache.current_or_recent(company, ("x",), lambda: "theirs", wait=0.05)
    LedgerVersion.objects.filter(company=company).update(version=F("version") - 5)
    found = cache.current_or_recent(company, ("x",), lambda: "mine", wait=0.05)
    assert (found.value, found.is_current) == ("mine", True)
