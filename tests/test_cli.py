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
