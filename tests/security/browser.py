"""Helpers for browser tests that must prove a page breaks no rule of the Content-Security-
Policy: every console error, uncaught exception and `securitypolicyviolation` event (in any
frame) is collected, and a test asserts there were none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client

# Runs in every frame before the page's own scripts (Playwright injects it, the policy does
# not apply to it): each violation is kept where the test can read it back.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(
    `${event.violatedDirective} blocked ${event.blockedURI || "inline"} at ` +
    `${event.sourceFile || location.href}:${event.lineNumber}`);
});
"""


@dataclass
class PageWatch:
    """What went wrong on the pages a test visited, page by page."""

    page: Any
    problems: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.add_init_script(RECORD_VIOLATIONS)
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.problems.append(f"exception: {error}"))
        self.page.on("response", self._response)

    def _console(self, message) -> None:
        # A failed request is reported by `_response`, with its address.
        if message.type in {"error", "warning"} and "Failed to load resource" not in message.text:
            self.problems.append(f"console {message.type}: {message.text}")

    def _response(self, response) -> None:
        # /favicon.ico is the browser's own guess, not something a page asks for.
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            self.problems.append(f"{response.status} for {response.url}")

    def violations(self) -> list[str]:
        """The violations recorded in every frame of the current page."""
        found = []
        for frame in self.page.frames:
            try:
                found += frame.evaluate("() => window.__cspViolations || []")
            except Exception as error:  # a frame gone meanwhile
                found.append(f"frame not readable: {error}")
        return found

    def visit(self, url: str) -> list[str]:
        """Open `url`, wait for it to settle; the problems seen on it (and clear them)."""
        response = self.page.goto(url)
        self.page.wait_for_load_state("networkidle")
        problems = self.problems + self.violations()
        self.problems = []
        status = response.status if response else None
        if status != 200:
            problems.append(f"status {status}")
        return problems


def log_in(page, live_server, user) -> None:
    """A session for `user` in the browser, without typing a password (no hashing)."""
    client = Client()
    client.force_login(user)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": live_server.url}])


def charts_with_ink(page, ids: list[str]) -> list[str]:
    """The ids of the charts whose canvas holds drawn (non-transparent) pixels."""
    return page.evaluate(
        """(ids) => ids.filter((id) => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext("2d")
                .getImageData(0, 0, canvas.width, canvas.height).data;
            for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) return true;
            return false;
        })""",
        ids,
    )
