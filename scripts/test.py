"""Run the whole test suite on SQLite, then on a throwaway PostgreSQL cluster.

    .venv/bin/python scripts/test.py [pytest arguments...]

Exits non-zero when either pass fails, including "no tests collected" (pytest's exit code 5).
With CI=true, PostgreSQL that cannot be started is a failure; otherwise the PostgreSQL pass is
skipped with a loud warning.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))

from tests import is_ci  # noqa: E402
from tests.pg import Cluster, PostgresUnavailable  # noqa: E402

PYTEST_ARGS = ["-q", "-ra", "--durations=5"]


def run_pytest(label: str, database_url: str | None, args: list[str]) -> tuple[int, float]:
    env = {key: value for key, value in os.environ.items() if key != "DATABASE_URL"}
    if database_url:
        env["DATABASE_URL"] = database_url
    print(f"\n===== {label} =====", flush=True)
    started = time.monotonic()
    code = subprocess.call(
        [sys.executable, "-m", "pytest", *PYTEST_ARGS, *args], cwd=REPO_ROOT, env=env
    )
    return code, time.monotonic() - started


def postgres_pass(args: list[str]) -> tuple[str, bool]:
    started = time.monotonic()
    try:
        with Cluster() as cluster:
            print(f"PostgreSQL started in {time.monotonic() - started:.1f}s at {cluster.url}")
            code, seconds = run_pytest("PostgreSQL", cluster.url, args)
    except PostgresUnavailable as error:
        message = f"PostgreSQL could not be started: {error}"
        if is_ci():
            print(f"\nERROR: {message}\nCI=true: the PostgreSQL pass is required.", flush=True)
            return "postgresql=FAILED (could not start PostgreSQL)", False
        banner = "!" * 78
        print(
            f"\n{banner}\nWARNING: {message}\nWARNING: the PostgreSQL pass is SKIPPED "
            f"(it is required when CI=true).\n{banner}",
            flush=True,
        )
        return "postgresql=SKIPPED (PostgreSQL unavailable)", True
    return describe("postgresql", code, seconds), code == 0


def describe(name: str, code: int, seconds: float) -> str:
    if code == 0:
        return f"{name}=passed ({seconds:.0f}s)"
    reason = "no tests collected" if code == 5 else f"exit code {code}"
    return f"{name}=FAILED ({reason}, {seconds:.0f}s)"


def main() -> int:
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, so the cluster is stopped and deleted.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = sys.argv[1:]
    code, seconds = run_pytest("SQLite", None, args)
    results = [(describe("sqlite", code, seconds), code == 0), postgres_pass(args)]
    verdict = "PASSED" if all(ok for _, ok in results) else "FAILED"
    print(f"\nTEST SUMMARY: {verdict}: " + ", ".join(text for text, _ in results), flush=True)
    return 0 if verdict == "PASSED" else 1


if __name__ == "__main__":
    sys.exit(main())
