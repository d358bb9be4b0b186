import zipfile

import pytest
from django.core.management import CommandError, call_command

from relance.evidence.models import EvidenceExport

pytestmark = pytest.mark.django_db


def test_writes_the_zip_and_logs_it(world, tmp_path):
    output = tmp_path / "preuves.zip"
    call_command(
        "evidence", "export", "--company", "acme", "--customer", "C001", "--output", str(output)
    )
    assert "synthese.pdf" in zipfile.ZipFile(output).namelist()
    assert EvidenceExport.objects.get().user is None


def test_refuses_an_unknown_customer(world, tmp_path):
    with pytest.raises(CommandError, match="client inconnu"):
        call_command(
            "evidence",
            "export",
            "--company",
            "acme",
            "--customer",
            "NOPE",
            "--output",
            str(tmp_path / "x.zip"),
        )
