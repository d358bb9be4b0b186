"""The PDFs: reminder letter, formal notice (business and consumer), account statement."""

import io
from datetime import date

import pytest
from pypdf import PdfReader

from relance.letters.documents import letter_pdf, split_letter_text, statement_pdf
from relance.web.tests.factories import make_customer, make_invoice

from .factories import addressed, make_letter

pytestmark = pytest.mark.django_db
TODAY = date.today()


def text_of(pdf: bytes) -> tuple[int, str]:
    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), " ".join(text.split())


def test_formal_notice_states_the_claim_the_deadline_and_the_consequences(world):
    reminder = make_letter(world.customer, notice=True)
    pages, text = text_of(letter_pdf(reminder, TODAY))
    assert 1 <= pages <= 3
    assert "MISE EN DEMEURE DE PAYER" in text.upper()
    assert "LETTRE RECOMMANDÉE AVEC DEMANDE D'AVIS DE RÉCEPTION" in text
    for invoice in reminder.invoices:
        assert invoice.number in text
    assert "Principal" in text and "Intérêts de retard" in text
    assert "Indemnité forfaitaire" in text and "80,00 €" in text  # 2 x 40 EUR, D441-5
    assert "2 300,50 €" in text  # principal
    assert "Total réclamé" in text
    assert "8 jours à compter de la réception" in text
    assert "judiciaire" in text and "1344" in text
    assert "SIREN 552100554" in text and "FR40552100554" in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text


def test_consumer_notice_has_no_indemnity_and_interest_from_the_notice(world):
    consumer = addressed(make_customer(world.company, "P001", "Jean Martin", is_consumer=True))
    reminder = make_letter(consumer, notice=True)
    _pages, text = text_of(letter_pdf(reminder, TODAY))
    assert "Mise en demeure".upper() in text.upper()
    assert "ndemnité" not in text
    assert " 40,00 €" not in text
    assert "article 1344-1 du Code civil" in text
    assert "Total réclamé 2 300,50 €" in text  # principal only: no interest before the notice


def test_reminder_letter_lays_out_the_step_text_with_a_table(world):
    reminder = make_letter(world.customer, amounts=("500.00",), days_late=(30,))
    pages, text = text_of(letter_pdf(reminder, TODAY))
    assert pages == 1
    assert "Objet :" in text and "Mise en demeure" not in text
    assert reminder.invoices[0].number in text and "Total dû 500,00 €" in text
    # One invoice asked for: its ISO 11649 reference, which bank matching recognises.
    assert "Référence à indiquer impérativement : RF" in text
    assert text.count("8 rue des Artisans") == 1  # the text's head was laid out, not repeated


def test_account_statement_lists_open_items_and_credits(world):
    make_invoice(world.customer, "200.00", number="AV-1", kind="credit_note", is_credit=True)
    pages, text = text_of(statement_pdf(world.customer, TODAY))
    assert pages == 1
    assert "RELEVÉ DE COMPTE" in text.upper()
    assert "F-0001" in text and "AV-1" in text and "Avoir" in text
    assert "Règlement non affecté" in text  # the world's unallocated payment
    assert "Solde dû" in text


@pytest.mark.parametrize(
    ("text", "subject", "first"),
    [
        ("Acme\n\nClient\n\nObjet : Relance\n\nMadame,\n\nFin", "Relance", "Madame,"),
        ("Madame,\n\nFin", "sujet", "Madame,"),
    ],
)
def test_the_text_head_is_dropped_up_to_the_subject_line(text, subject, first):
    found, paragraphs = split_letter_text(text, "sujet")
    assert found == subject and paragraphs[0] == first
