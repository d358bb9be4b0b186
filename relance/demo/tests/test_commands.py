"""The demo, generate, company and customers commands against the database."""

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db.models import Count, DecimalField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce

from relance.ledger import services
from relance.ledger.models import Allocation, Company, Customer, Invoice, Payment
from relance.team.models import Membership, Role

pytestmark = pytest.mark.django_db
TODAY = date(2026, 3, 1)


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def ledger_counts() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (Customer, Invoice, Payment, Allocation, Membership)
    }


def allocated(field: str):
    total = (
        Allocation.objects.filter(**{field: OuterRef("pk")})
        .values(field)
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(
        Subquery(total),
        Value(Decimal(0)),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def assert_ledger_is_consistent() -> None:
    items = Invoice.objects.annotate(debit=allocated("invoice"), credit=allocated("credit_item"))
    for item in items:
        assert item.open_amount == item.amount - item.debit - item.credit, item
    for payment in Payment.objects.annotate(used=allocated("payment")):
        assert payment.unallocated_amount == payment.amount - payment.used, payment


def test_demo_builds_users_memberships_and_a_consistent_ledger():
    output = run("demo", "--no-serve")
    assert "http://127.0.0.1:8000/" in output
    company = Company.objects.get(code="DEMO")
    roles = dict(Membership.objects.filter(company=company).values_list("user__username", "role"))
    assert roles == {
        "admin": Role.ADMIN,
        "manager": Role.MANAGER,
        "collector": Role.COLLECTOR,
        "collector2": Role.COLLECTOR,
        "sales": Role.SALES,
        "accountant": Role.ACCOUNTANT,
        "readonly": Role.READ_ONLY,
    }
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.check_password("relance-demo")
    assert company.customers.count() == 300
    assert company.invoices.filter(kind="invoice").count() == 5_000
    portfolios = dict(company.customers.values_list("collector__username").annotate(n=Count("id")))
    assert set(portfolios) == {"collector", "collector2"}
    assert company.customers.filter(sales_rep__username="sales").count() == 200
    assert_ledger_is_consistent()
    # Weeks of dunning replayed into the local outbox: every kind of step is there to see.
    from relance.dunning.models import Reminder

    statuses = set(Reminder.objects.filter(company=company).values_list("status", flat=True))
    assert {"sent", "pending", "awaiting_approval"} <= statuses
    assert Reminder.objects.filter(company=company, escalation="formal_notice").exists()
    assert not Reminder.objects.filter(company=company, status="sent", subject="").exists()
    # A fresh bank statement, matched: payments applied (the ledger stays consistent, above),
    # the others left for a person.
    from relance.banking.models import BankLine, Match
    from relance.banking.services import freshest_bank_date

    assert freshest_bank_date(company) is not None
    assert "Bank statement: 60 lines" in output
    assert Match.objects.filter(bank_line__company=company, method="auto").count() > 30
    assert BankLine.objects.filter(company=company, status="unmatched").exists()


def test_demo_twice_keeps_the_data():
    run("demo", "--no-serve")
    before = ledger_counts()
    assert "already exists" in run("demo", "--no-serve", "--seed", "2")
    assert ledger_counts() == before


def test_generate_adds_a_portfolio_to_an_existing_company():
    run("company", "create", "--code", "BIG", "--name", "Big SAS")
    output = run(
        "generate",
        "--company",
        "BIG",
        "--customers",
        "50",
        "--invoices",
        "800",
        "--as-of",
        "2026-03-01",
        "--seed",
        "3",
    )
    assert "invoices" in output
    company = Company.objects.get(code="BIG")
    assert company.customers.count() == 50
    assert company.invoices.filter(kind="invoice").count() == 800
    run(
        "generate",
        "--company",
        "BIG",
        "--customers",
        "10",
        "--invoices",
        "100",
        "--as-of",
        "2026-03-01",
        "--seed",
        "3",
    )
    assert company.customers.count() == 60
    assert_ledger_is_consistent()


def test_generate_refuses_an_unknown_company():
    with pytest.raises(CommandError, match="NOPE"):
        run("generate", "--company", "NOPE", "--customers", "1", "--invoices", "1")


def test_company_create_prints_the_company():
    output = run(
        "company",
        "create",
        "--code",
        "ACME",
        "--name",
        "Acme SAS",
        "--siren",
        "732829320",
        "--vat",
        "FR44732829320",
        "--iban",
        "FR7630006000011234567890189",
        "--bic",
        "AGRIFRPP",
    )
    assert "ACME" in output and "732829320" in output
    assert Company.objects.get(code="ACME").vat_number == "FR44732829320"


def test_company_create_reports_a_bad_siren_by_field():
    with pytest.raises(CommandError) as error:
        run("company", "create", "--code", "BAD", "--name", "Bad SAS", "--siren", "123456789")
    assert "siren: SIREN invalide" in str(error.value)
    assert not Company.objects.filter(code="BAD").exists()


def test_customers_list_gives_balance_and_overdue_as_strings():
    company = services.create_company("ACME", "Acme SAS")
    debtor = Customer.objects.create(company=company, code="C1", name="Boulangerie Martin")
    Customer.objects.create(company=company, code="C2", name="Garage Petit")

    def item(number, amount, due_on, **fields):
        return services.record_invoice(
            company,
            debtor,
            number=number,
            issued_on=date(2026, 1, 1),
            due_on=due_on,
            amount=Decimal(amount),
            **fields,
        )

    overdue = item("F1", "1000.00", date(2026, 1, 31))
    item("F2", "500.00", date(2026, 4, 30))
    item("AV1", "100.00", date(2026, 2, 1), kind="credit_note", is_credit=True)
    payment = services.record_payment(
        company,
        customer=debtor,
        amount=Decimal("300.00"),
        received_on=date(2026, 2, 10),
        currency="EUR",
    )
    services.allocate(overdue, Decimal("200.00"), date(2026, 2, 10), payment=payment)

    rows = json.loads(
        run(
            "customers",
            "list",
            "--company",
            "ACME",
            "--format",
            "json",
            "--as-of",
            TODAY.isoformat(),
        )
    )
    # open debit 800 + 500, minus the open credit note 100 and the unallocated 100;
    # overdue: F1's 800 left, minus the same 200 of credits.
    assert rows == [
        {"code": "C1", "name": "Boulangerie Martin", "balance": "1100.00", "overdue": "600.00"},
        {"code": "C2", "name": "Garage Petit", "balance": "0.00", "overdue": "0.00"},
    ]


def test_customers_list_as_a_table():
    company = services.create_company("ACME", "Acme SAS")
    Customer.objects.create(company=company, code="C1", name="Boulangerie Martin")
    output = run("customers", "list", "--company", "ACME")
    assert output.splitlines()[0].split() == ["code", "name", "balance", "overdue"]
    assert "Boulangerie Martin" in output
