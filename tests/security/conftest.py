"""Rate limits (login, debtor's pages, API) count in Django's cache, which outlives a test:
each security test starts and ends with empty counters, whatever ran before or after it."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_counters():
    cache.clear()
    yield
    cache.clear()
