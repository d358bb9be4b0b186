"""The storing rules that no single file format owns: corrections, overlaps, number clashes."""

from datetime import date
from decimal import Decimal

import pytest

from relance.imports.services import import_file
from relance.ledger import services as ledger
from relance.ledger.models import DUNNING_UNKNOWN, Allocation, Invoice, Payment

pytestmark = pytest.mark.django_db

HEADER = "Code client;Client;N° facture;Date facture;Échéance;Montant TTC;Payé le;Montant réglé\n"


@pytest.fixture
def company():
    return ledger.create_company("STO", "Stockage SAS")


def write(tmp_path, lines, name="factures.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def test_a_corrected_due_date_updates_the_invoice(company, tmp_path):
    import_file(
        company, "invoices", write(tmp_path, ["C1;Dupont;F1;15/01/2024;14/02/2024;100;;\n"])
    )
    report = import_file(
        company, "invoices", write(tmp_path, ["C1;Dupont;F1;15/01/2024;29/02/2024;100;;\n"])
    )
    assert report.as_json()["updated"] == {"invoices": 1}
    assert str(Invoice.objects.get(number="F1").due_on) == "2024-02-29"


def test_a_new_amount_moves_the_open_amount_but_not_below_what_is_paid(company, tmp_path):
    import_file(
        company,
        "invoices",
        write(tmp_path, ["C1;Dupont;F1;15/01/2024;14/02/2024;100;01/02/2024;60\n"]),
    )
    raised = import_file(
        company,
        "invoices",
        write(tmp_path, ["C1;Dupont;F1;15/01/2024;14/02/2024;120;01/02/2024;60\n"]),
    )
    assert raised.as_json()["updated"] == {"invoices": 1}
    assert Invoice.objects.get(number="F1").open_amount == Decimal("60.00")
    lowered = import_file(
        company,
        "invoices",
        write(tmp_path, ["C1;Dupont;F1;15/01/2024;14/02/2024;50;01/02/2024;50\n"]),
    )
    assert [r.line for r in lowered.rejected] == [2]
    assert "inférieur au déjà réglé" in lowered.rejected[0].reason
    assert Invoice.objects.get(number="F1").amount == Decimal("120.00")


def test_an_invoice_file_recognises_an_invoice_the_fec_created(company, tmp_path, shared_data):
    fec = shared_data / "fec/neolegal-fr__fec-reader/0000000001FEC20220831.txt"
    import_file(company, "fec", fec)
    invoice = Invoice.objects.filter(company=company, kind="invoice").order_by("pk").first()
    line = (
        f"{invoice.customer.code};{invoice.customer.name};{invoice.number};"
        f"{invoice.issued_on:%d/%m/%Y};{invoice.due_on:%d/%m/%Y};{invoice.amount};;\n"
    )
    count = Invoice.objects.count()
    report = import_file(company, "invoices", write(tmp_path, [line]))
    assert report.as_json()["unchanged"] == {"invoices": 1}
    assert Invoice.objects.count() == count


def test_overlapping_files_create_each_record_once(company, tmp_path):
    first = write(
        tmp_path,
        [
            "C1;Dupont;F1;15/01/2024;14/02/2024;100;01/02/2024;100\n",
            "C1;Dupont;F2;15/01/2024;14/02/2024;200;;\n",
        ],
        "janvier.csv",
    )
    second = write(
        tmp_path,
        [
            "C1;Dupont;F2;15/01/2024;14/02/2024;200;;\n",
            "C1;Dupont;F3;15/02/2024;14/03/2024;300;;\n",
        ],
        "fevrier.csv",
    )
    import_file(company, "invoices", first)
    report = import_file(company, "invoices", second)
    assert report.as_json()["created"] == {"invoices": 1}
    assert report.as_json()["unchanged"] == {"invoices": 1}
    assert (Invoice.objects.count(), Payment.objects.count(), Allocation.objects.count()) == (
        3,
        1,
        1,
    )


def test_records_of_every_import_keep_the_ledger_consistent(company, tmp_path, shared_data):
    for name in ("0000000001FEC20220831.txt", "000000000FEC20231231.txt"):
        import_file(company, "fec", shared_data / "fec/neolegal-fr__fec-reader" / name)
    for invoice in Invoice.objects.filter(company=company):
        allocated = sum((a.amount for a in invoice.allocations.all()), Decimal(0))
        credited = sum((a.amount for a in invoice.credit_allocations.all()), Decimal(0))
        assert invoice.open_amount == invoice.amount - allocated - credited, invoice.number
    for payment in Payment.objects.filter(company=company):
        allocated = sum((a.amount for a in payment.allocations.all()), Decimal(0))
        assert payment.unallocated_amount == payment.amount - allocated


def test_an_import_leaves_the_garbage_collector_as_it_found_it(company, tmp_path):
    import gc

    from relance.imports.report import ImportFileError

    import_file(
        company, "invoices", write(tmp_path, ["C1;Dupont;F1;15/01/2024;14/02/2024;100;;\n"])
    )
    assert gc.isenabled()
    broken = tmp_path / "vide.txt"
    broken.write_text("pas un FEC\n", encoding="utf-8")
    with pytest.raises(ImportFileError):
        import_file(company, "fec", broken)
    assert gc.isenabled()


def test_corrections_make_the_next_dunning_step_unknown(company, tmp_path):
    """The daily run reads only items whose next step date has come (Invoice.dunning_next_on):
    a corrected due date or a customer's new payer profile must make the run look again."""
    import_file(
        company, "invoices", write(tmp_path, ["C1;Dupont;F1;15/01/2024;14/02/2024;100;;\n"])
    )
    known = date(2024, 3, 1)
    Invoice.objects.update(dunning_next_on=known)  # what a run would have written
    import_file(
        company, "invoices", write(tmp_path, ["C1;Dupont;F1;15/01/2024;29/02/2024;100;;\n"])
    )
    assert Invoice.objects.get(number="F1").dunning_next_on == DUNNING_UNKNOWN

    Invoice.objects.update(dunning_next_on=known)
    customers = tmp_path / "clients.csv"
    customers.write_text("Code client;Raison sociale;Profil payeur\nC1;Dupont;good\n")
    import_file(company, "customers", customers)  # the same profile: nothing changes
    assert Invoice.objects.get(number="F1").dunning_next_on == known
    customers.write_text("Code client;Raison sociale;Profil payeur\nC1;Dupont;bad\n")
    import_file(company, "customers", customers)
    assert Invoice.objects.get(number="F1").dunning_next_on == DUNNING_UNKNOWN
