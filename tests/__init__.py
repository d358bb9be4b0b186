"""Project-wide tests and the test plumbing (paths, throwaway PostgreSQL in `tests.pg`)."""

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
# Real sample files nobody on the team wrote; CI puts the shared folder next to the clone.
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts"


def is_ci() -> bool:
    """True when CI=true: missing PostgreSQL or Chromium then fail instead of skipping."""
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}
