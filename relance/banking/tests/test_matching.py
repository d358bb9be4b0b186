"""Matching applied to the ledger: one test per case of issue 4, at the service level."""

from datetime import date
from decimal import Decimal

import pytest

from relance.banking.matching import (
    MatchError,
    accept_proposal,
    match_by_hand,
    reject_proposal,
    run_matching,
    undo_match,
)
from relance.banking.models import BankAlert, BankLine, CustomerIBAN, Match, MatchProposal
from relance.core.matching import creditor_reference
from relance.dunning.models import Reminder
from relance.dunning.thanks import THANKS_STEP
from relance.ledger import services as ledger
from relance.ledger.models import Allocation, Invoice, Payment
from relance.web.tests.factories import make_user

from .factories import reminder_for, stored_line

pytestmark = pytest.mark.django_db
DUE = date(2026, 10, 31)
PAYER_IBAN = "FR1420041010050500013M02606"


@pytest.fixture
def company():
    return ledger.create_company("ACME", "Acme SAS")


@pytest.fixture
def dupont(company):
    customer = ledger.create_customer(company, code="C1", name="Boulangerie Dupont")
    ledger.create_customer(company, code="C2", name="Garage Martin")
    ledger.create_customer(company, code="C3", name="Pharmacie Lefèvre")
    return customer


def invoice(customer, number: str, amount: str, **fields) -> Invoice:
    return ledger.record_invoice(
        customer.company,
        customer,
        number=number,
        issued_on=date(2026, 10, 1),
        due_on=fields.pop("due_on", DUE),
        amount=Decimal(amount),
        currency="EUR",
        **fields,
    )


def refreshed(*records):
    for record in records:
        record.refresh_from_db()
    return records[0] if len(records) == 1 else records


def only_match(line: BankLine) -> Match:
    return Match.objects.get(bank_line=line, undone_at__isnull=True)


def test_a_structured_reference_pays_its_invoice(company, dupont):
    bill = invoice(dupont, "F-2026-0042", "480.00")
    line = stored_line(
        company,
        "480.00",
        structured_reference=creditor_reference(bill.number),
        counterparty_name="X",
    )

    report = run_matching(company)

    assert [outcome.invoices for outcome in report.applied] == [("F-2026-0042",)]
    assert "reference" in report.applied[0].reasons
    assert refreshed(bill).open_amount == 0
    line = refreshed(line)
    assert line.status == "matched" and line.payment.amount == Decimal("480.00")
    payment = line.payment
    assert (payment.customer, payment.received_on, payment.method) == (
        dupont,
        date(2026, 11, 20),
        "transfer",
    )
    assert payment.source_key == f"bank-line:{line.pk}" and payment.unallocated_amount == 0
    match = only_match(line)
    assert (match.method, match.made_by, match.confidence >= Decimal("0.95")) == (
        "auto",
        None,
        True,
    )
    assert match.shares == [{"invoice": bill.pk, "number": "F-2026-0042", "amount": "480.00"}]


def test_an_rf_payment_reference_of_an_einvoice_is_matched(company, dupont):
    bill = invoice(dupont, "2026/77", "310.00", payment_reference="RF18 5390 0754 7034")
    line = stored_line(company, "310.00", "RF18539007547034", counterparty_name="SCI DES LILAS")

    run_matching(company)

    assert refreshed(bill).open_amount == 0 and refreshed(line).status == "matched"


def test_a_mangled_invoice_number_and_the_name_pay_the_invoice(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    line = stored_line(
        company, "1200.00", "VIR DUPONT FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT"
    )

    report = run_matching(company)

    assert len(report.applied) == 1 and refreshed(bill).open_amount == 0
    assert "number" in only_match(line).reasons


def test_amount_and_name_alone_pay_the_only_invoice_of_that_amount(company, dupont):
    bill = invoice(dupont, "F-1", "843.27")
    invoice(dupont, "F-2", "120.00")
    stored_line(company, "843.27", "VIREMENT", counterparty_name="BOULANGERIE DUPONT SARL")

    report = run_matching(company)

    assert [o.invoices for o in report.applied] == [("F-1",)]
    assert report.applied[0].reasons == ("name", "amount")
    assert refreshed(bill).open_amount == 0


def test_one_payment_for_several_invoices(company, dupont):
    first, second = (
        invoice(dupont, "FA2026-0000101", "300.00"),
        invoice(dupont, "FA2026-0000102", "200.00"),
    )
    line = stored_line(
        company, "500.00", "FACT 2026-101 ET 2026-102", counterparty_name="BOULANGERIE DUPONT"
    )

    run_matching(company)

    assert refreshed(first).open_amount == refreshed(second).open_amount == 0
    payment = refreshed(line).payment
    assert sorted(payment.allocations.values_list("amount", flat=True)) == [
        Decimal("200.00"),
        Decimal("300.00"),
    ]


def test_several_payments_for_one_invoice(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1000.00")
    first = stored_line(
        company, "400.00", "FACT 2026-1234 ACOMPTE", counterparty_name="BOULANGERIE DUPONT", day=10
    )
    second = stored_line(
        company, "600.00", "FACT 2026-1234 SOLDE", counterparty_name="BOULANGERIE DUPONT", day=20
    )

    report = run_matching(company)

    assert len(report.applied) == 2 and refreshed(bill).open_amount == 0
    assert refreshed(first).payment != refreshed(second).payment


def test_a_partial_payment_leaves_the_rest_open(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    stored_line(company, "700.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")

    report = run_matching(company)

    assert "partial" in report.applied[0].reasons
    assert refreshed(bill).open_amount == Decimal("500.00")


def test_an_overpayment_stays_as_credit_on_the_customer(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    line = stored_line(company, "1250.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")

    run_matching(company)

    assert refreshed(bill).open_amount == 0
    payment = refreshed(line).payment
    assert payment.amount == Decimal("1250.00") and payment.unallocated_amount == Decimal("50.00")
    assert only_match(line).unallocated == Decimal("50.00")
    assert ledger.position_of(dupont, date(2026, 11, 23)).balance == Decimal("-50.00")


def test_a_fee_deducted_by_the_payer_is_written_off(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    line = stored_line(company, "1195.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")

    run_matching(company)

    assert refreshed(bill).open_amount == 0
    match = only_match(line)
    assert match.fee == Decimal("5.00") and "fee" in match.reasons
    fee = match.written_item
    assert (fee.kind, fee.is_credit, fee.amount, fee.open_amount) == (
        "adjustment",
        True,
        Decimal("5.00"),
        Decimal("0.00"),
    )
    assert fee.number == f"FRAIS-BQ-{line.pk}"
    assert refreshed(line).payment.amount == Decimal("1195.00")
    assert refreshed(line).payment.unallocated_amount == 0
    assert ledger.position_of(dupont, date(2026, 11, 23)).balance == 0


def test_an_iban_learned_from_a_match_identifies_the_next_payment(company, dupont):
    invoice(dupont, "FA2026-0001234", "1200.00")
    second = invoice(dupont, "F-9", "437.19")
    stored_line(company, "1200.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT",
                counterparty_iban=PAYER_IBAN, day=5)  # fmt: skip
    run_matching(company)
    learned = CustomerIBAN.objects.get()
    assert (learned.customer, learned.iban) == (dupont, PAYER_IBAN)
    # The next statement: nothing but the IBAN says who pays this one (a bare "VIREMENT").
    nameless = stored_line(company, "437.19", "VIREMENT", counterparty_iban=PAYER_IBAN, day=20)

    run_matching(company)

    assert refreshed(second).open_amount == 0 and refreshed(nameless).status == "matched"
    assert "iban" in only_match(nameless).reasons


def test_without_a_learned_iban_an_amount_alone_is_only_proposed(company, dupont):
    second = invoice(dupont, "F-9", "437.19")
    line = stored_line(company, "437.19", "VIREMENT", counterparty_iban=PAYER_IBAN)

    report = run_matching(company)

    assert report.applied == [] and [o.bank_line for o in report.proposed] == [line.pk]
    assert refreshed(second).open_amount == Decimal("437.19")


def paid_by_direct_debit(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    paid = stored_line(
        company,
        "1200.00",
        "PRLV FACT 2026 1234",
        counterparty_iban=PAYER_IBAN,
        counterparty_name="BOULANGERIE DUPONT",
        end_to_end_id="E2E-778",
        day=5,
    )
    run_matching(company)
    assert refreshed(bill).open_amount == 0
    return bill, refreshed(paid)


def test_a_rejected_direct_debit_reopens_the_invoice_and_alerts(company, dupont):
    bill, paid = paid_by_direct_debit(company, dupont)
    returned = stored_line(company, "-1200.00", "RETOUR PRLV IMPAYE", is_return=True,
                           end_to_end_id="E2E-778", day=12)  # fmt: skip

    report = run_matching(company)

    assert [o.invoices for o in report.returns] == [("FA2026-0001234",)]
    assert refreshed(bill).open_amount == Decimal("1200.00")
    returned = refreshed(returned)
    assert returned.status == "matched" and returned.payment == paid.payment
    match = only_match(returned)
    assert match.kind == "return" and match.written_item.kind == "refund"
    assert refreshed(paid.payment).unallocated_amount == 0  # no phantom credit
    assert ledger.position_of(dupont, date(2026, 11, 23)).balance == Decimal("1200.00")
    alert = BankAlert.objects.get()
    assert alert.customer == dupont and alert.bank_line == returned
    assert "rejeté" in alert.message and "FA2026-0001234" in alert.message


def test_a_return_found_by_the_payer_iban(company, dupont):
    bill, paid = paid_by_direct_debit(company, dupont)
    stored_line(company, "-1200.00", "IMPAYE", is_return=True, counterparty_iban=PAYER_IBAN, day=12)

    run_matching(company)

    assert refreshed(bill).open_amount == Decimal("1200.00")


def test_a_return_without_its_payment_stays_unmatched_with_an_alert(company, dupont):
    returned = stored_line(company, "-90.00", "LCR IMPAYEE", is_return=True, counterparty_name="X")

    run_matching(company)
    run_matching(company)

    assert refreshed(returned).status == "unmatched"
    alert = BankAlert.objects.get()  # one alert, not one per run
    assert alert.customer is None and "aucun règlement" in alert.message


def test_undo_restores_everything(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    line = stored_line(company, "1195.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT",
                       counterparty_iban=PAYER_IBAN)  # fmt: skip
    run_matching(company)
    match = only_match(line)
    undoer = make_user()

    undo_match(match, undoer)

    assert refreshed(bill).open_amount == Decimal("1200.00")
    line = refreshed(line)
    assert (line.status, line.payment) == ("unmatched", None)
    assert not Payment.objects.exists() and not Allocation.objects.exists()
    assert not Invoice.objects.filter(number__startswith="FRAIS-BQ").exists()
    assert not CustomerIBAN.objects.exists()
    match = refreshed(match)
    assert match.undone_by == undoer and match.undone_at is not None  # history kept
    with pytest.raises(MatchError):
        undo_match(match)

    report = run_matching(company)  # a person said no: proposed, never applied again

    assert report.applied == [] and [o.bank_line for o in report.proposed] == [line.pk]


def test_undoing_a_return_pays_the_invoice_again(company, dupont):
    bill, paid = paid_by_direct_debit(company, dupont)
    returned = stored_line(company, "-1200.00", "IMPAYE", is_return=True, end_to_end_id="E2E-778")
    run_matching(company)
    with pytest.raises(MatchError):  # the payment it reversed cannot go first
        undo_match(only_match(paid))

    undo_match(only_match(returned))

    assert refreshed(bill).open_amount == 0
    assert not Invoice.objects.filter(kind="refund").exists()
    assert refreshed(returned).status == "unmatched"


def test_a_second_run_touches_nothing_matched(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    line = stored_line(company, "1200.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")
    run_matching(company)
    before = list(Match.objects.values()), list(Payment.objects.values())

    report = run_matching(company)

    assert report.lines == 0 and report.applied == []
    assert (list(Match.objects.values()), list(Payment.objects.values())) == before
    assert refreshed(bill).open_amount == 0 and refreshed(line).status == "matched"


def test_proposals_are_replaced_at_each_run_and_a_rejected_one_never_comes_back(company, dupont):
    invoice(dupont, "F-9", "437.19")
    line = stored_line(company, "437.19", "VIREMENT")
    run_matching(company)
    run_matching(company)
    (proposal,) = MatchProposal.objects.filter(bank_line=line)

    reject_proposal(proposal)
    report = run_matching(company)

    assert report.unmatched[0].bank_line == line.pk
    assert list(MatchProposal.objects.values_list("pk", flat=True)) == [proposal.pk]
    with pytest.raises(MatchError):
        accept_proposal(refreshed(proposal))


def test_accepting_a_proposal_applies_it_once(company, dupont):
    bill = invoice(dupont, "F-9", "437.19")
    line = stored_line(company, "437.19", "VIREMENT")
    run_matching(company)
    proposal = MatchProposal.objects.get(bank_line=line)

    match = accept_proposal(proposal)

    assert (match.method, refreshed(bill).open_amount) == ("accepted", 0)
    assert not MatchProposal.objects.exists()
    with pytest.raises(MatchError):
        accept_proposal(proposal)


def test_a_line_matched_by_hand_keeps_the_rest_as_credit(company, dupont):
    bill = invoice(dupont, "F-9", "300.00")
    line = stored_line(company, "500.00", "VIREMENT DIVERS")

    match = match_by_hand(line, dupont, [(bill, Decimal("300.00"))])

    assert (match.method, match.confidence, match.unallocated) == (
        "manual",
        None,
        Decimal("200.00"),
    )
    assert refreshed(bill).open_amount == 0
    assert refreshed(line).payment.unallocated_amount == Decimal("200.00")
    with pytest.raises(MatchError):  # more than the line
        match_by_hand(
            stored_line(company, "100.00"),
            dupont,
            [(invoice(dupont, "F-10", "900.00"), Decimal("150.00"))],
        )


def test_an_applied_payment_cancels_the_pending_reminder_and_thanks_the_customer(company, dupont):
    bill = invoice(dupont, "FA2026-0001234", "1200.00")
    reminder_for(dupont, [bill], status="sent")
    pending = reminder_for(dupont, [bill], status="pending")
    stored_line(company, "1200.00", "FACT 2026 1234", counterparty_name="BOULANGERIE DUPONT")

    run_matching(company)

    pending.refresh_from_db()
    assert pending.status == "cancelled"
    assert pending.events.last().note == "annulée : payée (relevé bancaire)"
    (thanks,) = Reminder.objects.filter(customer=dupont, step_name=THANKS_STEP)
    assert thanks.status == "pending"
