"""`relance import bank FILE` and `relance import einvoice FILE...`."""

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from relance.banking import services
from relance.banking.models import BankLine
from relance.core.bank.records import BankFileError
from relance.ledger import services as ledger
from relance.ledger.models import Invoice

from .factories import bank_line, reader_of, statement

pytestmark = pytest.mark.django_db
FNFE = Path("einvoices/ZUGFeRD__corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples")


@pytest.fixture
def company(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return ledger.create_company("ACME", "Acme SAS", siren="999999998")


@pytest.fixture
def bank_file(tmp_path, monkeypatch):
    """A statement file; the reader is replaced by one returning a known statement."""
    path = tmp_path / "releve.xml"
    path.write_bytes(b"<Document/>")
    wrong = statement([bank_line(3, "250.00", "VIR B")], closing="1300.00", reference="X")
    good = statement([bank_line(3, "250.00", "VIR B"), bank_line(4, "-5.00", "FRAIS")])

    def read(data, name):
        if b"broken" in data:
            raise BankFileError("balise Stmt attendue", line=3)
        return reader_of(wrong if b"wrong" in data else good)(data, name)

    monkeypatch.setattr(services, "_default_reader", read)
    return path


def run(*args) -> str:
    out = StringIO()
    call_command("import", *args, stdout=out)
    return out.getvalue()


def test_imports_a_bank_statement_and_prints_json(company, bank_file):
    result = json.loads(run("bank", str(bank_file), "--company", "ACME", "--format", "json"))
    assert result["created"] == {"bank_lines": 2, "statements": 1}
    assert result["rejected"] == [] and isinstance(result["batch"], int)
    again = json.loads(run("bank", str(bank_file), "--company", "ACME", "--format", "json"))
    assert again["created"] == {} and again["unchanged"] == {"bank_lines": 2, "statements": 1}


def test_text_output_names_statements_and_bank_lines(company, bank_file):
    text = run("bank", str(bank_file), "--company", "ACME")
    assert "créés : 2 lignes de relevé, 1 relevés bancaires" in text


def test_a_refused_statement_file_fails_with_the_reason(company, bank_file):
    bank_file.write_bytes(b"wrong")
    with pytest.raises(CommandError, match="écart 50,00"):
        run("bank", str(bank_file), "--company", "ACME")
    bank_file.write_bytes(b"broken")
    with pytest.raises(CommandError, match="releve.xml : ligne 3 : balise Stmt attendue"):
        run("bank", str(bank_file), "--company", "ACME")
    assert not BankLine.objects.exists()


def test_bank_import_takes_one_file_and_no_mapping(company, bank_file):
    with pytest.raises(CommandError, match="un seul fichier"):
        run("bank", str(bank_file), str(bank_file), "--company", "ACME")
    with pytest.raises(CommandError, match="--mapping"):
        run("bank", str(bank_file), "--company", "ACME", "--mapping", str(bank_file))


def test_unknown_company_and_missing_file_are_clear_errors(company, bank_file, tmp_path):
    with pytest.raises(CommandError, match="société inconnue : NOPE"):
        run("bank", str(bank_file), "--company", "NOPE")
    with pytest.raises(CommandError, match="fichier introuvable"):
        run("einvoice", str(tmp_path / "absent.pdf"), "--company", "ACME")


def test_imports_several_einvoices_and_reports_each(company, shared_data):
    paths = [
        str(shared_data / FNFE / name)
        for name in ("Facture_FR_BASICWL.pdf", "Facture_DOM_BASICWL.pdf")
    ]
    result = json.loads(run("einvoice", *paths, "--company", "ACME", "--format", "json"))
    assert [f["status"] for f in result["files"]] == ["created", "created"]
    first = result["files"][0]
    assert first["number"] == "FA-2017-0010" and first["file"] == "Facture_FR_BASICWL.pdf"
    assert first["created"] == {"customers": 1, "invoices": 1}
    assert Invoice.objects.count() == 2


def test_a_refused_einvoice_exits_non_zero_after_importing_the_good_ones(
    company, shared_data, tmp_path
):
    junk = tmp_path / "notes.txt"
    junk.write_text("pas une facture")
    good = str(shared_data / FNFE / "Facture_FR_BASICWL.pdf")
    out = StringIO()
    with pytest.raises(CommandError, match="1 fichier\\(s\\) refusé\\(s\\) sur 2"):
        call_command("import", "einvoice", str(junk), good, "--company", "ACME", stdout=out)
    text = out.getvalue()
    assert "notes.txt : refusée" in text and "motif : « notes.txt » n'est ni un PDF" in text
    assert "FA-2017-0010 importée (client" in text
    assert Invoice.objects.filter(number="FA-2017-0010").exists()
