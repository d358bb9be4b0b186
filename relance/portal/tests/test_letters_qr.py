"""The EPC QR code on paper: letters, formal notices and statements print the same code as the
debtor's page, for what the document asks."""

import io
from datetime import date
from decimal import Decimal

import pytest
import zxingcpp
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from relance.core import epc
from relance.letters.documents import (
    letter_context,
    letter_pdf,
    statement_context,
    statement_pdf,
)
from relance.letters.tests.factories import IBAN, addressed, letterhead, make_letter
from relance.portal.transfer import qr_code, qr_for

pytestmark = pytest.mark.django_db
TODAY = date.today()


@pytest.fixture
def letters_world(world):
    letterhead(world.company)
    addressed(world.customer)
    world.hold.lifted_at = timezone.now()
    world.hold.save()
    return world


def decoded_lines(transfer: epc.Transfer) -> list[str]:
    buffer = io.BytesIO()
    qr_code(transfer).save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    (found,) = zxingcpp.read_barcodes(Image.open(buffer))
    return found.bytes.decode("utf-8").split("\n")


def test_a_letter_for_one_invoice_carries_its_reference_in_the_qr_code(letters_world):
    reminder = make_letter(letters_world.customer, amounts=("500.00",), days_late=(30,))
    context = letter_context(reminder, TODAY)
    reference = context["payment_reference"]
    assert reference.startswith("RF")
    number = reminder.invoices[0].number
    assert context["epc_qr"] == qr_for(
        letters_world.company, reminder.amount, "EUR", reference, [number]
    )
    lines = decoded_lines(epc.Transfer("Acme SAS", IBAN, reminder.amount, bic="AGRIFRPP",
                                       reference=reference))  # fmt: skip
    assert lines[6] == IBAN and lines[7] == "EUR500.00" and lines[9] == reference
    text = " ".join(
        PdfReader(io.BytesIO(letter_pdf(reminder, TODAY))).pages[0].extract_text().split()
    )
    assert "Scannez le QR code avec l'application de votre banque" in text


def test_a_formal_notice_asks_for_the_whole_claim(letters_world):
    reminder = make_letter(letters_world.customer, notice=True)
    context = letter_context(reminder, TODAY)
    assert context["claim_amount"] > reminder.amount  # interest and indemnities on top
    numbers = [invoice.number for invoice in reminder.invoices]
    assert context["epc_qr"] == qr_for(
        letters_world.company, context["claim_amount"], "EUR", "", numbers
    )


def test_the_statement_asks_for_the_balance(letters_world):
    context = statement_context(letters_world.customer, TODAY)
    assert context["epc_qr"].startswith("data:image/svg+xml")
    text = " ".join(
        PdfReader(io.BytesIO(statement_pdf(letters_world.customer, TODAY))).pages[0]
        .extract_text().split()
    )  # fmt: skip
    assert "Scannez le QR code" in text


def test_no_qr_code_without_an_iban_or_outside_the_euro(letters_world):
    company = letters_world.company
    assert qr_for(company, Decimal("10.00"), "USD", "", ["F1"]) == ""
    company.iban = ""
    assert qr_for(company, Decimal("10.00"), "EUR", "", ["F1"]) == ""
