"""The test plumbing itself: sample data, throwaway PostgreSQL, headless Chromium."""

import shutil

import psycopg
import pytest

from tests import is_ci
from tests.pg import Cluster


def test_shared_data_holds_the_real_sample_files(shared_data):
    assert any(shared_data.iterdir())


@pytest.mark.skipif(
    shutil.which("initdb") is None and not is_ci(), reason="PostgreSQL binaries are missing"
)
def test_throwaway_postgres_starts_listens_locally_and_is_deleted():
    with Cluster() as cluster:
        root = cluster.root
        with psycopg.connect(cluster.url.replace("/relance", "/postgres")) as connection:
            fsync, listen = connection.execute(
                "SELECT current_setting('fsync'), current_setting('listen_addresses')"
            ).fetchone()
    assert (fsync, listen) == ("off", "127.0.0.1")
    assert not root.exists()


@pytest.mark.browser
def test_admin_login_page_opens_in_chromium(live_server, page, artifacts_dir):
    page.goto(live_server.url + "/admin/login/")
    assert page.title().startswith("Connexion")  # French first: LANGUAGE_CODE and the locale
    assert page.locator("#id_username").is_visible()
    page.screenshot(path=artifacts_dir / "admin-login.png")
