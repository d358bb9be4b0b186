"""Running `relance` commands in child processes on the test database, for the fault tests
(processes killed, started at once, cut off from their database).

A child is a real separate process: its own interpreter, its own database connection, no
state shared with the test but the database itself.
"""

from __future__ import annotations

import os
import subprocess
import sys
from urllib.parse import quote

from django.db import connection

from tests import REPO_ROOT


def database_url(settings_dict: dict | None = None) -> str:
    """The test database (not the development one) as a child's DATABASE_URL."""
    db = settings_dict or connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    host, port = db["HOST"] or "localhost", db["PORT"] or "5432"
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


def child_env(database: str | None = None, **extra: str) -> dict[str, str]:
    env = {**os.environ, "DATABASE_URL": database or database_url(), **extra}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def start(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen:
    """`relance <args>` in the background, its output captured as text."""
    return subprocess.Popen(
        [sys.executable, "-m", "relance", *args],
        cwd=REPO_ROOT,
        env=env or child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def run(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess:
    """`relance <args>`, waited for."""
    return subprocess.run(
        [sys.executable, "-m", "relance", *args],
        cwd=REPO_ROOT,
        env=env or child_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
