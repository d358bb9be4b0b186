"""CSV imports end to end into the database: invoices, payments, customers, contacts."""

from collections import Counter
from datetime import date
from decimal import Decimal

import pytest

from relance.imports.models import ImportRejection
from relance.imports.services import import_file
from relance.imports.tests.test_readers import acceptance_file
from relance.ledger import services as ledger
from relance.ledger.models import Allocation, Contact, Customer, Invoice, Payment

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return ledger.create_company("CSV", "Négoce SAS")


def write(tmp_path, text, name="table.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_imports_990_of_1000_invoices_and_reports_the_10_broken_lines(company, tmp_path):
    path, expected = acceptance_file(tmp_path)
    report = import_file(company, "invoices", path)
    assert report.created["invoices"] == 990
    assert sorted(report.rejected, key=lambda r: r.line) == expected
    assert Invoice.objects.filter(company=company).count() == 990
    stored = ImportRejection.objects.filter(batch_id=report.batch_id).order_by("line")
    assert [(r.line, r.reason) for r in stored] == [(r.line, r.reason) for r in expected]
    invoice = Invoice.objects.get(company=company, number="F00020")
    assert (invoice.customer.name, invoice.amount, invoice.open_amount, invoice.due_on) == (
        "Dupont\net fils",
        Decimal("1234.50"),
        Decimal("1234.50"),
        date(2024, 4, 15),
    )


def test_importing_the_same_file_again_creates_nothing(company, tmp_path):
    path, expected = acceptance_file(tmp_path)
    import_file(company, "invoices", path)
    counts = (Customer.objects.count(), Invoice.objects.count())
    again = import_file(company, "invoices", path)
    assert +again.created == Counter()
    assert again.unchanged["invoices"] == 990
    assert sorted(again.rejected, key=lambda r: r.line) == expected
    assert (Customer.objects.count(), Invoice.objects.count()) == counts


PAID = """Code client;Client;N° facture;Date facture;Échéance;Montant TTC;Payé le;Montant réglé
C1;Dupont SA;F1;15/01/2024;14/02/2024;1 200,00;10/02/2024;
C1;Dupont SA;F2;15/01/2024;14/02/2024;500,00;20/02/2024;200,00
C1;Dupont SA;F3;15/01/2024;14/02/2024;300,00;;
C1;Dupont SA;A1;20/01/2024;;-100,00;;
"""


def test_paid_columns_create_the_payment_and_its_allocation(company, tmp_path):
    path = write(tmp_path, PAID)
    report = import_file(company, "invoices", path)
    assert report.rejected == []
    assert (
        report.created["invoices"],
        report.created["credit_notes"],
        report.created["payments"],
        report.created["allocations"],
    ) == (3, 1, 2, 2)
    open_amounts = dict(Invoice.objects.values_list("number", "open_amount"))
    assert open_amounts == {
        "F1": Decimal("0.00"),
        "F2": Decimal("300.00"),
        "F3": Decimal("300.00"),
        "A1": Decimal("100.00"),
    }
    payment = Payment.objects.get(received_on=date(2024, 2, 20))
    assert (payment.amount, payment.unallocated_amount) == (Decimal("200.00"), Decimal("0.00"))
    assert Allocation.objects.get(payment=payment).invoice.number == "F2"
    again = import_file(company, "invoices", path)
    assert +again.created == Counter()
    assert (Payment.objects.count(), Allocation.objects.count()) == (2, 2)


def test_imports_customers_contacts_and_payments(company, tmp_path):
    customers = write(
        tmp_path,
        "Code client;Raison sociale;SIREN;E-mail;Tél\n"
        "C1;Dupont SA;732829320;compta@dupont.fr;01 23 45 67 89\n"
        "C2;Martin SARL;123456789;;\n",
        "clients.csv",
    )
    report = import_file(company, "customers", customers)
    assert report.created["customers"] == 1
    assert [(r.line, r.reason) for r in report.rejected] == [(3, "SIREN invalide : '123456789'")]
    assert Contact.objects.get(customer__code="C1").phone == "+33123456789"

    contacts = write(
        tmp_path,
        "N° client;Nom;Fonction;Portable\nC1;Anne Martin;Comptabilité;06 12 34 56 78\n",
        "contacts.csv",
    )
    assert import_file(company, "contacts", contacts).created["contacts"] == 1

    payments = write(
        tmp_path,
        "Code client;Date;Montant;Mode;Référence\n"
        "C1;05/02/2024;150,00;Chèque;CHQ 1\n"
        "C1;05/02/2024;150,00;Chèque;CHQ 1\n"
        "C1;06/02/2024;-3;Virement;\n",
        "reglements.csv",
    )
    report = import_file(company, "payments", payments)
    assert report.created["payments"] == 2
    assert [(r.line, r.reason) for r in report.rejected] == [(4, "montant négatif ou nul : '-3'")]
    assert +import_file(company, "payments", payments).created == Counter()
    assert Payment.objects.filter(method="cheque").count() == 2


def test_a_mapping_file_drives_the_import(company, tmp_path):
    path = write(tmp_path, "Cpt|Pièce|Le|Net\n411DUP|F9|05/03/2024|1.234,50\n")
    mapping = """
        decimal_separator = ","
        [columns]
        customer_code = "Cpt"
        number = "Pièce"
        issued_on = "Le"
        amount = "Net"
        [defaults]
        customer_name = "Dupont"
        payment_days = 45
    """
    report = import_file(company, "invoices", path, mapping_text=mapping)
    assert report.rejected == []
    invoice = Invoice.objects.get(company=company)
    assert (invoice.customer.code, invoice.amount, invoice.due_on) == (
        "411DUP",
        Decimal("1234.50"),
        date(2024, 4, 19),
    )
