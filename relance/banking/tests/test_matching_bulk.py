"""The sure matches of a run applied in bulk (relance.banking.matching.bulk) leave exactly
what applying them line by line (apply_candidate) leaves."""

from collections import Counter
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import F, Q, Sum

from relance.banking.matching import bulk, run_matching
from relance.banking.matching import run as run_module
from relance.banking.models import BankLine, CustomerIBAN, Match, MatchProposal, Statement
from relance.demo.statements import portfolio, statement
from relance.dunning.models import Reminder, ReminderEvent
from relance.ledger import services as ledger
from relance.ledger.models import Allocation, Customer, Invoice, Payment
from relance.web.tests.factories import make_user

from .factories import reminder_for

pytestmark = pytest.mark.django_db
LINE_FIELDS = (
    "line",
    "booked_on",
    "amount",
    "currency",
    "value_on",
    "counterparty_name",
    "counterparty_iban",
    "remittance",
    "structured_reference",
    "end_to_end_id",
    "bank_reference",
    "bank_code",
    "is_return",
)


def one_by_one(company, lines, open_amounts, *, user=None, batch=None):
    """The per-line path: each sure line in its own apply_candidate transaction."""
    return {sure.line_id for sure in lines if bulk._apply_one(sure, user)}


def exact_take(queryset, field: str, amount: Decimal) -> None:
    """relance.ledger.services._take in exact decimals. On SQLite the open amounts are
    stored as binary floats and `F(field) - amount` rounds: 35,834.52 - 16,638.37 leaves
    19,196.149999999998 unallocated, so a grouped payment's last allocation of 19,196.15 is
    refused and the line-by-line path proposes a line it should apply (the bulk path computes
    the amounts in Decimal). The reference run takes this instead on SQLite only."""
    row = queryset.values_list("pk", field).first()
    if row is None or row[1] < amount:
        raise ledger.AllocationError(f"montant affecté ({amount}) supérieur au disponible")
    queryset.filter(pk=row[0]).update(**{field: row[1] - amount})


def load(code: str, seed: int = 7, customers: int = 40, items: int = 160, lines: int = 140):
    """A company holding a generated portfolio and the labelled statement that pays it;
    a third of the customers were reminded (a sent and a pending reminder)."""
    company = ledger.create_company(code, "Société Générée SAS")  # same texts in both
    open_items, hints = portfolio(customers, items, seed=seed, today=date(2026, 10, 1))
    labelled = statement(open_items, hints, lines, seed=seed + 1)
    by_hint = {}
    for hint in hints:
        customer = ledger.create_customer(company, code=f"C{hint.id:03d}", name=hint.name)
        by_hint[hint.id] = customer
        for iban in hint.ibans:
            CustomerIBAN.objects.create(company=company, customer=customer, iban=iban)
    invoices = {}
    for item in open_items:
        invoices[item.id] = ledger.record_invoice(
            company,
            by_hint[item.customer_id],
            number=item.number,
            issued_on=item.issued_on,
            due_on=item.due_on,
            amount=item.open_amount,
            payment_reference=item.reference,
        )
    for hint in hints[::3]:
        owed = [invoices[i.id] for i in open_items if i.customer_id == hint.id]
        if owed:
            reminder_for(by_hint[hint.id], owed, status="sent")
            reminder_for(by_hint[hint.id], owed[:1], status="pending")
    head = Statement.objects.create(
        company=company, account="FR76", currency="EUR", format="test", fingerprint="s"
    )
    BankLine.objects.bulk_create(
        BankLine(
            company=company,
            statement=head,
            account="FR76",
            fingerprint=f"line-{n:04d}",
            **{name: getattr(labelled_line.line, name) for name in LINE_FIELDS},
        )
        for n, labelled_line in enumerate(labelled)
    )
    return company


def snapshot(company) -> dict:
    """Everything matching writes, with ids replaced by what identifies the records in
    either company (line fingerprints, customer codes, invoice numbers)."""
    lines = dict(BankLine.objects.filter(company=company).values_list("pk", "fingerprint"))
    numbers = dict(Invoice.objects.filter(company=company).values_list("pk", "number"))
    payment_line = {}
    for pk, key in Payment.objects.filter(company=company).values_list("pk", "source_key"):
        payment_line[pk] = lines[int(key.removeprefix("bank-line:"))]

    def item(pk):
        number = numbers.get(pk)
        if number and number.startswith("FRAIS-BQ-"):
            return "FRAIS-BQ-" + lines[int(number.removeprefix("FRAIS-BQ-"))]
        return number

    def shares(data):
        return [{**share, "invoice": numbers[share["invoice"]]} for share in data.get("shares", [])]

    match_line = dict(Match.objects.filter(company=company).values_list("pk", "bank_line_id"))
    reminders = Reminder.objects.filter(company=company)
    return {
        "lines": sorted(
            (lines[pk], status, payment_line.get(payment))
            for pk, status, payment in BankLine.objects.filter(company=company).values_list(
                "pk", "status", "payment"
            )
        ),
        "payments": sorted(
            (payment_line[row[0]], *row[1:])
            for row in Payment.objects.filter(company=company).values_list(
                "pk",
                "customer__code",
                "received_on",
                "amount",
                "unallocated_amount",
                "currency",
                "method",
                "reference",
                "label",
            )
        ),  # fmt: skip
        "allocations": Counter(
            (item(invoice), payment_line.get(payment), item(credit), amount, on, user)
            for invoice, payment, credit, amount, on, user in Allocation.objects.filter(
                company=company
            ).values_list(
                "invoice", "payment", "credit_item", "amount", "allocated_on", "created_by"
            )
        ),
        "items": sorted(
            (item(row[0]), *row[1:])
            for row in Invoice.objects.filter(company=company).values_list(
                "pk",
                "customer__code",
                "kind",
                "is_credit",
                "issued_on",
                "due_on",
                "amount",
                "open_amount",
                "currency",
                "label",
            )
        ),  # fmt: skip
        "matches": sorted(
            (lines[row[0]], row[1], payment_line.get(row[2]), item(row[3]), *row[4:8])
            + (shares({"shares": row[8]}), row[9], row[10], row[11], row[12])
            for row in Match.objects.filter(company=company).values_list(
                "bank_line",
                "customer__code",
                "payment",
                "written_item",
                "kind",
                "method",
                "confidence",
                "reasons",
                "shares",
                "unallocated",
                "fee",
                "made_by",
                "undone_at",
            )
        ),  # fmt: skip
        "ibans": sorted(
            (code, iban, lines[match_line[learned]] if learned else None)
            for code, iban, learned in CustomerIBAN.objects.filter(company=company).values_list(
                "customer__code", "iban", "learned_from"
            )
        ),
        "proposals": sorted(
            (lines[line], rank, code, confidence, shares(candidate), rejected)
            for line, rank, code, confidence, candidate, rejected in MatchProposal.objects.filter(
                company=company
            ).values_list(
                "bank_line", "rank", "customer__code", "confidence", "candidate", "rejected_at"
            )
        ),  # fmt: skip
        "reminders": sorted(
            reminders.values_list(
                "customer__code",
                "step_name",
                "level",
                "status",
                "planned_on",
                "amount",
                "subject",
                "body_text",
            )
        ),  # fmt: skip
        "events": sorted(
            ReminderEvent.objects.filter(reminder__company=company).values_list(
                "reminder__customer__code", "reminder__step_name", "status", "note"
            )
        ),
    }


def report_of(report) -> dict:
    def keyed(outcomes):
        return [
            {**o.as_json(), "bank_line": BankLine.objects.get(pk=o.bank_line).fingerprint}
            for o in outcomes
        ]

    return {
        "lines": report.lines,
        **{name: keyed(getattr(report, name)) for name in ("applied", "proposed", "unmatched")},
        "returns": keyed(report.returns),
    }


def test_bulk_and_line_by_line_leave_the_same_ledger(monkeypatch):
    user = make_user()
    one, other = load("BULK"), load("LINES")
    monkeypatch.setattr(bulk, "BATCH", 16)  # several batches, customers across them

    bulk_report = run_matching(one, user=user)
    with monkeypatch.context() as patch:
        patch.setattr(run_module, "apply_sure", one_by_one)
        if connection.vendor == "sqlite":
            patch.setattr(ledger, "_take", exact_take)
        line_report = run_matching(other, user=user)

    assert len(bulk_report.applied) > 80 and bulk_report.proposed
    assert report_of(bulk_report) == report_of(line_report)
    expected, found = snapshot(other), snapshot(one)
    for part in expected:
        assert found[part] == expected[part], part
    # The cases that matter were exercised: fees, overpayments, thanks, cancellations.
    assert any(row[-4] for row in found["matches"])  # a fee written off
    assert Reminder.objects.filter(company=one, step_name="Remerciement").exists()
    assert Reminder.objects.filter(company=one, status="cancelled").exists()
    assert Payment.objects.filter(company=one, unallocated_amount__gt=0).exists()
    assert CustomerIBAN.objects.filter(company=one, learned_from__isnull=False).exists()


def test_the_ledger_stays_consistent_and_within_its_constraints(monkeypatch):
    company = load("CHECK", seed=11)
    monkeypatch.setattr(bulk, "BATCH", 10)

    run_matching(company)

    invoices = Invoice.objects.filter(company=company)
    assert not invoices.filter(Q(open_amount__lt=0) | Q(open_amount__gt=F("amount"))).exists()
    payments = Payment.objects.filter(company=company)
    assert not payments.filter(
        Q(unallocated_amount__lt=0) | Q(unallocated_amount__gt=F("amount"))
    ).exists()
    for invoice in invoices.annotate(
        settled=Sum("allocations__amount"), given=Sum("credit_allocations__amount")
    ):
        taken = invoice.given if invoice.is_credit else invoice.settled
        assert invoice.amount - invoice.open_amount == (taken or 0), invoice.number
    for payment in payments.annotate(given=Sum("allocations__amount")):
        assert payment.amount - payment.unallocated_amount == (payment.given or 0)


def test_a_second_run_applies_nothing_more():
    company = load("TWICE", seed=3)
    first = run_matching(company)
    counts = (Payment.objects.count(), Allocation.objects.count(), Match.objects.count())

    second = run_matching(company)

    assert first.applied and not second.applied
    assert (Payment.objects.count(), Allocation.objects.count(), Match.objects.count()) == counts
    assert [o.bank_line for o in second.proposed] == [o.bank_line for o in first.proposed]


def test_an_invoice_paid_meanwhile_falls_back_to_the_line_by_line_path(monkeypatch):
    """Between the read and the apply, one invoice is paid in full and another in part:
    their lines go through apply_candidate, which refuses the first (proposed instead) and
    applies the second; the other lines of the batch are applied in bulk."""
    company = ledger.create_company("RACE", "Race SAS")
    customer = ledger.create_customer(company, code="C1", name="Boulangerie Dupont")
    bills = [
        ledger.record_invoice(
            company,
            customer,
            number=f"FA2026-000{n}000",
            issued_on=date(2026, 10, 1),
            due_on=date(2026, 10, 31),
            amount=Decimal("1000.00"),
        )
        for n in range(1, 5)
    ]
    head = Statement.objects.create(
        company=company, account="FR76", currency="EUR", format="test", fingerprint="s"
    )
    paid = ("1000.00", "300.00", "1000.00", "1000.00")  # the second line pays in part
    for n, amount in enumerate(paid, start=1):
        BankLine.objects.create(
            company=company,
            statement=head,
            account="FR76",
            booked_on=date(2026, 11, 2) + timedelta(days=n),
            amount=Decimal(amount),
            currency="EUR",
            counterparty_name="BOULANGERIE DUPONT",
            remittance=f"FACT FA2026-000{n}000",
            fingerprint=f"line-{n}",
        )
    real_match_lines, fallen_back = run_module.match_lines, []

    def match_then_pay(*args, **kwargs):
        results = real_match_lines(*args, **kwargs)
        ledger.receive_payment(  # someone letters invoices by hand meanwhile
            company, customer, [bills[0]], amount=Decimal("1000.00"),
            received_on=date(2026, 11, 2), currency="EUR",
        )  # fmt: skip
        ledger.receive_payment(
            company, customer, [bills[1]], amount=Decimal("100.00"),
            received_on=date(2026, 11, 2), currency="EUR",
        )  # fmt: skip
        return results

    real_apply_one = bulk._apply_one

    def spy(sure, user):
        fallen_back.append(sure.line_id)
        return real_apply_one(sure, user)

    monkeypatch.setattr(run_module, "match_lines", match_then_pay)
    monkeypatch.setattr(bulk, "_apply_one", spy)

    report = run_matching(company)

    first, second = (BankLine.objects.get(fingerprint=f"line-{n}") for n in (1, 2))
    assert fallen_back == [first.pk, second.pk]
    assert [o.invoices for o in report.applied] == [
        ("FA2026-0002000",),
        ("FA2026-0003000",),
        ("FA2026-0004000",),
    ]
    assert [o.bank_line for o in report.proposed] == [first.pk]
    first.refresh_from_db()
    assert first.status == "unmatched" and MatchProposal.objects.filter(bank_line=first).exists()
    opened = [b.open_amount for b in Invoice.objects.filter(pk__in=[b.pk for b in bills])]
    assert sorted(opened) == [Decimal("0.00")] * 3 + [Decimal("600.00")]
    assert Customer.objects.get(pk=customer.pk).bank_matches.count() == 3
