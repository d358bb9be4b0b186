import csv
import email
import email.policy
import hashlib
import io
import zipfile
from datetime import date

import pytest
from pypdf import PdfReader

from relance.evidence.models import EvidenceExport
from relance.evidence.services import export_customer_evidence

from .conftest import INVOICE_PDF, MESSAGE_ID

pytestmark = pytest.mark.django_db


def export(world, user=None):
    content = export_customer_evidence(world.customer, date.today(), user)
    return content, zipfile.ZipFile(io.BytesIO(content))


def summary_text(archive) -> str:
    reader = PdfReader(io.BytesIO(archive.read("synthese.pdf")))
    text = " ".join(page.extract_text() for page in reader.pages)
    return " ".join(text.replace("\u00a0", " ").split())


def test_holds_every_kind_of_evidence(world):
    _, archive = export(world)
    names = archive.namelist()
    assert names[0] == "synthese.pdf" and names[-1] == "empreintes.sha256"
    assert "factures/F-0001.pdf" in names
    assert "historique.csv" in names
    assert any(n.startswith("relances/") and n.endswith("-email.eml") for n in names)
    assert any(n.startswith("relances/") and n.endswith("-sms.txt") for n in names)
    assert any(n.startswith("relances/") and n.endswith("-courrier.pdf") for n in names)
    assert any(n.startswith("accuses-reception/") for n in names)
    assert archive.read("factures/F-0001.pdf") == INVOICE_PDF


def test_manifest_hashes_match_the_files(world):
    _, archive = export(world)
    lines = archive.read("empreintes.sha256").decode().splitlines()
    listed = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(listed) == set(archive.namelist()) - {"empreintes.sha256"}
    for name, digest in listed.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest, name
    text = summary_text(archive)
    for name, digest in listed.items():
        if name != "synthese.pdf":
            assert name in text and digest in text.replace("\n", "").replace(" ", ""), name


def test_summary_states_the_claim_and_the_chronology(world):
    _, archive = export(world)
    text = summary_text(archive)
    assert "Dossier de preuves" in text and "Dupont Bâtiment" in text and "Acme SAS" in text
    assert "SIREN 732829320" in text and "SIREN 552100554" in text
    assert "F-0001" in text and "Total réclamé" in text
    assert "40,00 €" in text  # the indemnity of a late invoice between businesses
    assert "Facture F-0001 impayée" in text and MESSAGE_ID in text
    assert "Twilio SM0123456789" in text and "SMS remis" in text
    assert "Recommandé n° 1A0001" in text
    assert "Promesse obtenue" in text and "Paiement promis fin de mois" in text
    assert "Non tenue" in text and "Avoir refusé" in text and "Échéancier" in text


def test_an_altered_kept_letter_is_reported(world):
    _, archive = export(world)
    assert "Anomalies" in summary_text(archive)  # the factory's letter hash is a placeholder


def test_email_is_rebuilt_as_stored(world):
    _, archive = export(world)
    name = next(n for n in archive.namelist() if n.endswith("-email.eml"))
    message = email.message_from_bytes(archive.read(name), policy=email.policy.default)
    assert message["Subject"] == "Facture F-0001 impayée"
    assert message["To"] == "Compta <compta@example.fr>"
    assert message["Message-ID"] == MESSAGE_ID
    assert "sauf erreur de notre part" in message.get_body(("plain",)).get_content()
    attachment = next(message.iter_attachments())
    assert attachment.get_filename() == "F-0001.pdf"
    assert attachment.get_content() == INVOICE_PDF


def test_history_lists_every_event(world):
    _, archive = export(world)
    rows = list(
        csv.reader(io.StringIO(archive.read("historique.csv").decode("utf-8-sig")), delimiter=";")
    )
    assert rows[0][:3] == ["date", "relance", "canal"]
    notes = [row[6] for row in rows[1:]]
    assert f"Message-ID {MESSAGE_ID}" in notes and "SMS remis (Twilio SM0123456789)" in notes
    assert {int(row[1]) for row in rows[1:]} <= set(
        world.customer.reminders.values_list("pk", flat=True)
    )


def test_nothing_of_another_customer_leaks(world):
    _, archive = export(world)
    for name in archive.namelist():
        content = archive.read(name)
        assert b"F-AUTRE" not in content and b"autre@relance" not in content, name
        assert b"Martin" not in content, name
    assert "F-AUTRE" not in summary_text(archive) and "Martin" not in summary_text(archive)


def test_each_export_is_logged_with_its_hash(world):
    user = world.user("manager")
    content, _ = export(world, user)
    logged = EvidenceExport.objects.get()
    assert logged.customer == world.customer and logged.user == user
    assert logged.sha256 == hashlib.sha256(content).hexdigest() and logged.size == len(content)
