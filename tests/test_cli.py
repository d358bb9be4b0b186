import subprocess
import sys

import pytest
from django.contrib.auth.models import User


def run(*args):
    return subprocess.run(
        [sys.executable, "-m", "relance", *args], capture_output=True, text=True, timeout=120
    )


def test_help_lists_relance_commands_and_django_ones():
    result = run("--help")
    assert result.returncode == 0, result.stderr
    for command in ("import", "demo", "generate", "company", "customers"):
        assert f"  {command} " in result.stdout
    assert "migrate" in result.stdout


@pytest.mark.django_db
def test_admin_is_for_superusers_only(client):
    staff = User.objects.create_user("staff", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get("/admin/").status_code == 302
    boss = User.objects.create_superuser("boss", password="x")
    client.force_login(boss)
    assert client.get("/admin/").status_code == 200


def test_a_database_error_is_said_in_french_without_a_traceback(tmp_path):
    """A database that is not there (here: a file never migrated; in production a server down
    or restarted, see relance/dunning/tests/test_database_restart.py): exit 75 (EX_TEMPFAIL,
    a scheduler may try again), the database's own words, nothing else."""
    import os

    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'vide.sqlite3'}"}
    result = subprocess.run(
        [sys.executable, "-m", "relance", "run", "--company", "ACME"],
        capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert result.returncode == 75
    assert result.stderr.startswith("relance run : erreur de la base de données : no such table")
    assert "annulé" in result.stderr and "Traceback" not in result.stderr
