"""Bank pages: upload a statement, statements and bank lines, e-invoices, bank freshness."""

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from relance.banking.models import BankLine, Statement
from relance.banking.services import import_statement_file
from relance.banking.tests.factories import bank_line, reader_of, statement
from relance.core.bank.records import BankStatement
from relance.ledger.models import Company, Invoice
from relance.team.models import Role

pytestmark = pytest.mark.django_db
CFONB = Path("bank_statements/pennylane-hq__cfonb/example.txt")
FNFE = Path("einvoices/ZUGFeRD__corpus/ZUGFeRDv2/correct/FNFE-factur-x-examples")


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def upload_statement(client, path: Path):
    data = {"file": SimpleUploadedFile(path.name, path.read_bytes())}
    return client.post("/c/acme/bank/upload/", data)


def test_uploading_a_statement_shows_what_it_created_then_what_was_known(
    client, world, shared_data
):
    client.force_login(world.user(Role.ACCOUNTANT))
    page = upload_statement(client, shared_data / CFONB).content.decode()
    assert "Relevé importé : example.txt" in page
    assert "créés" in page and "lignes de relevé" in page
    assert Statement.objects.filter(company=world.company).count() == 2
    assert BankLine.objects.filter(company=world.company).count() == 6
    page = upload_statement(client, shared_data / CFONB).content.decode()
    assert "déjà connus" in page
    assert BankLine.objects.filter(company=world.company).count() == 6


def test_a_refused_statement_says_why_and_records_nothing(client, world, shared_data):
    client.force_login(world.user(Role.ADMIN))
    path = shared_data / "bank_statements/akretion__python-cfonb/bank_statement.cfo"
    page = upload_statement(client, path).content.decode()
    assert "Fichier refusé : bank_statement.cfo" in page
    assert "≠ solde final" in page and "Rien n'a été enregistré." in page
    assert not Statement.objects.exists()


def test_statements_list_links_to_their_lines(client, world, shared_data):
    import_statement_file(world.company, shared_data / CFONB)
    client.force_login(world.user(Role.READ_ONLY))
    page = client.get("/c/acme/bank/statements/").content.decode()
    statement_row = Statement.objects.filter(company=world.company).first()
    assert f"/c/acme/bank/lines/?statement={statement_row.pk}" in page
    assert "Importer un relevé" not in page  # read-only: no upload button
    lines = client.get(f"/c/acme/bank/lines/?statement={statement_row.pk}").content.decode()
    assert f"{statement_row.line_count} ligne" in lines


def make_lines(company, count: int = 3) -> None:
    lines = [
        bank_line(2, "1200.50", "VIR DUPONT FACTURE F-0001", counterparty_name="DUPONT SA"),
        bank_line(3, "-35.00", "FRAIS BANCAIRES"),
        bank_line(4, "80.00", "VIR MARTIN", structured_reference="RF18539007547034"),
    ]
    lines += [bank_line(5, f"{i}.00", f"VIR {i}") for i in range(1, count - 2)]
    import_statement_file(company, b"f", reader=reader_of(statement(lines)))


@pytest.mark.parametrize(
    "query, expected",
    [
        ("q=dupont", ["VIR DUPONT FACTURE F-0001"]),
        ("q=1 200,50", ["VIR DUPONT FACTURE F-0001"]),
        ("q=35", ["FRAIS BANCAIRES"]),
        ("q=RF18", ["VIR MARTIN"]),
        ("status=ignored", []),
    ],
)
def test_bank_lines_are_searched_by_text_amount_and_status(client, world, query, expected):
    make_lines(world.company)
    BankLine.objects.filter(remittance="VIR MARTIN").update(status=BankLine.Status.MATCHED)
    client.force_login(world.user(Role.COLLECTOR))
    response = client.get(f"/c/acme/bank/lines/?{query}")
    assert [line.remittance for line in response.context["page"]] == expected


def test_bank_lines_are_paginated(client, world):
    make_lines(world.company, count=60)
    client.force_login(world.user(Role.ADMIN))
    first = client.get("/c/acme/bank/lines/")
    assert len(first.context["page"]) == 50 and "Page 1 sur 2" in first.content.decode()
    assert len(client.get("/c/acme/bank/lines/?page=2").context["page"]) == 10


def test_uploading_several_einvoices_shows_a_result_per_file(client, world, shared_data):
    client.force_login(world.user(Role.ACCOUNTANT))
    good = shared_data / FNFE / "Facture_FR_BASICWL.pdf"
    files = [
        SimpleUploadedFile(good.name, good.read_bytes()),
        SimpleUploadedFile("notes.txt", b"pas une facture"),
    ]
    page = client.post("/c/acme/einvoices/upload/", {"files": files}).content.decode()
    invoice = Invoice.objects.get(company=world.company, number="FA-2017-0010")
    assert f"/c/acme/invoices/{invoice.pk}/" in page and "Importée" in page
    assert "Refusée" in page and "n&#x27;est ni un PDF ni un XML" in page
    assert invoice.pdf and "nouveau" in page


def test_the_einvoice_form_has_a_multiple_file_input(client, world):
    client.force_login(world.user(Role.ADMIN))
    page = client.get("/c/acme/einvoices/upload/").content.decode()
    assert 'type="file"' in page and "multiple" in page


def import_bank_day(company: Company, days_ago: int) -> None:
    booked = date.today() - timedelta(days=days_ago)
    line = bank_line(1, "10.00", "VIR")
    line = type(line)(**{**line.__dict__, "booked_on": booked})
    dated = BankStatement(
        account="FR76", currency="EUR", lines=(line,), closing_on=booked, reference="R"
    )
    import_statement_file(company, b"f", reader=reader_of(dated))


def test_customer_pages_warn_when_no_bank_statement_was_imported(client, world):
    client.force_login(world.user(Role.ADMIN))
    for url in ("/c/acme/customers/", f"/c/acme/customers/{world.customer.pk}/"):
        page = client.get(url).content.decode()
        assert "Aucun relevé bancaire importé" in page and "flash-error" in page


def test_customer_pages_show_the_freshest_bank_date(client, world):
    import_bank_day(world.company, 3)
    client.force_login(world.user(Role.COLLECTOR))
    shown = (date.today() - timedelta(days=3)).strftime("%d/%m/%Y")
    for url in ("/c/acme/customers/", f"/c/acme/customers/{world.customer.pk}/"):
        page = client.get(url).content.decode()
        assert f"Dernier relevé bancaire : {shown}" in page and "il y a 3 jours" in page
        assert "flash-error" not in page


def test_stale_bank_data_is_shown_as_a_warning(client, world):
    import_bank_day(world.company, 3)
    Company.objects.filter(pk=world.company.pk).update(pause_sending_when_bank_older_than_days=2)
    client.force_login(world.user(Role.ADMIN))
    page = client.get("/c/acme/customers/").content.decode()
    assert "flash-error" in page and "plus de 2 jours : les relances sont suspendues" in page


def test_bank_freshness_in_english(client, world):
    import_bank_day(world.company, 1)
    client.force_login(world.user(Role.ADMIN))
    client.post("/i18n/setlang/", {"language": "en", "next": "/c/acme/customers/"})
    page = client.get("/c/acme/customers/").content.decode()
    assert "Latest bank statement:" in page and "yesterday" in page
    assert "Bank" in client.get("/c/acme/bank/statements/").content.decode()


def company_settings(**extra):
    return {
        "name": "Acme SAS",
        "country": "FR",
        "currency": "EUR",
        "time_zone": "Europe/Paris",
        "default_payment_days": "45",
        "consumer_hours": "10:00-13:00, 14:00-20:00",
        **extra,
    }


def test_the_pause_setting_is_edited_and_validated_in_company_settings(client, world):
    client.force_login(world.user(Role.ADMIN))
    assert "Suspendre les envois" in client.get("/c/acme/settings/").content.decode()
    response = client.post(
        "/c/acme/settings/", company_settings(pause_sending_when_bank_older_than_days="0")
    )
    assert response.status_code == 200
    assert "pause_sending_when_bank_older_than_days" in response.context["form"].errors
    client.post("/c/acme/settings/", company_settings(pause_sending_when_bank_older_than_days="5"))
    world.company.refresh_from_db()
    assert world.company.pause_sending_when_bank_older_than_days == 5


def test_navigation_links_to_the_bank_pages(client, world):
    client.force_login(world.user(Role.READ_ONLY))
    page = client.get("/c/acme/customers/").content.decode()
    assert 'href="/c/acme/bank/statements/"' in page and "Banque" in page


def test_the_imports_page_links_to_bank_and_einvoice_uploads_for_importers(client, world):
    client.force_login(world.user(Role.ACCOUNTANT))
    page = client.get("/c/acme/imports/").content.decode()
    assert "/c/acme/bank/upload/" in page and "/c/acme/einvoices/upload/" in page
    client.force_login(world.user(Role.READ_ONLY))
    assert "/c/acme/bank/upload/" not in client.get("/c/acme/imports/").content.decode()


def test_amounts_of_bank_lines_keep_their_sign(client, world):
    make_lines(world.company)
    client.force_login(world.user(Role.ADMIN))
    page = client.get("/c/acme/bank/lines/?q=frais").content.decode()
    assert "-35,00" in page
    assert BankLine.objects.get(remittance="FRAIS BANCAIRES").amount == Decimal("-35.00")
