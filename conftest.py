"""Fixtures shared by every test in the project (relance/*/tests and tests/).

- `shared_data`: Path to the real sample files in ../shared/data (never edit them).
- `browser`, `page`: headless Debian Chromium driven by Playwright; use with `live_server`
  and mark the test `@pytest.mark.browser`. `artifacts_dir` is where screenshots go; a failing
  browser test leaves a screenshot there automatically.
"""

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import ARTIFACTS_DIR, SHARED_DATA, is_ci

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Each test's reports by phase, so `page` can tell whether the test failed.
REPORTS = pytest.StashKey[dict[str, pytest.TestReport]]()


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Browser tests run last: once Playwright's event loop exists, Django's async-safety check
    # has to be switched off (see `playwright`), and the other tests should keep it.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    item.stash.setdefault(REPORTS, {})[report.when] = report
    return report


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The directory of real sample files (FEC, CFONB, CAMT, Factur-X...): ../shared/data."""
    if not SHARED_DATA.is_dir():
        pytest.fail(
            f"Shared sample data not found at {SHARED_DATA}: the repository must sit next to a "
            "`shared` directory holding `data/` (on the team machines, /work/shared)."
        )
    return SHARED_DATA


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """test-artifacts/ (gitignored): screenshots and other files worth looking at after a run."""
    ARTIFACTS_DIR.mkdir(exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def playwright() -> Iterator[Any]:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: run `make install` (installs Debian's chromium)"
        if is_ci():
            pytest.fail(f"CI=true: browser tests are required. {message}")
        pytest.skip(message)
    # Playwright's sync API keeps an asyncio loop running in this thread, so Django would
    # refuse ORM calls here (SynchronousOnlyOperation); the usual pytest-django workaround.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Any) -> Iterator[Any]:
    """One headless Chromium for the session (Debian's; Playwright cannot download its own)."""
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Any, artifacts_dir: Path, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh page in its own context (no shared cookies); screenshot kept if the test fails."""
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    reports = request.node.stash.get(REPORTS, {})
    if "call" in reports and reports["call"].failed:
        page.screenshot(path=artifacts_dir / f"{safe_name(request.node.nodeid)}-failed.png")
    context.close()


def safe_name(nodeid: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", nodeid).strip("_")
