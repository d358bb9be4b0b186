"""scripts/audit: without the vulnerability service it fails and says so (it never passes
without having looked); with it, it runs pip-audit over the whole lock file, strictly."""

from __future__ import annotations

import http.server
import os
import subprocess
import threading

from tests import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "audit"


def audit(**env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(SCRIPT)], cwd=REPO_ROOT, env={**os.environ, **env}, capture_output=True, text=True
    )


def test_without_the_service_the_audit_is_not_run_and_fails():
    result = audit(AUDIT_SERVICE_URL="http://127.0.0.1:9/pypi/aiosmtpd/1.4.6/json")
    assert result.returncode == 3
    assert result.stderr.startswith("audit not run: no network")


def test_a_mirror_without_the_release_json_is_no_service_and_says_why():
    """A proxy that serves the project's JSON but answers 404 for a release's (as the one in
    front of PyPI here does): pip-audit could audit nothing, so the audit is not run."""
    server = http.server.HTTPServer(("127.0.0.1", 0), NotFound)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/pypi/aiosmtpd/1.4.6/json"
        result = audit(AUDIT_SERVICE_URL=url)
    finally:
        server.shutdown()
    assert result.returncode == 3
    assert result.stderr.startswith("audit not run: no network")
    assert result.stderr.strip().endswith("HTTP Error 404: Not Found)")


def test_with_the_service_pip_audit_checks_every_pinned_package(tmp_path):
    fake = tmp_path / "pip-audit"
    fake.write_text('#!/bin/sh\necho "pip-audit $*"\n')
    fake.chmod(0o755)
    server = http.server.HTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/pypi/aiosmtpd/1.4.6/json"
        result = audit(AUDIT_SERVICE_URL=url, PIP_AUDIT=str(fake))
    finally:
        server.shutdown()
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == (
        "pip-audit --requirement requirements.lock --no-deps --strict --progress-spinner off"
    )


class Answer(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


class NotFound(Answer):
    def do_GET(self):  # noqa: N802 (the standard library's name)
        self.send_response(404)
        self.end_headers()
