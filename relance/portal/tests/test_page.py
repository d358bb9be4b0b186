"""The debtor's page: what it shows, in whose language, the same neutral answer for every bad
link, the rate limits, the documents, escaping, and the accessibility basics."""

import io
import re
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
import zxingcpp
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from relance.core import epc
from relance.ledger.models import Customer
from relance.portal import links
from relance.portal.models import AccessToken
from relance.portal.transfer import details_for, qr_code, reference_of

from .conftest import IBAN

pytestmark = pytest.mark.django_db


def page(client, debtor, tail=""):
    response = client.get(debtor.url(tail))
    return response, response.content.decode()


def test_the_page_shows_who_is_owed_what_and_who_to_contact(client, debtor):
    response, html = page(client, debtor)
    assert response.status_code == 200
    assert "Acme SAS" in html and "SIREN 552100554" in html
    assert "Dupont Bâtiment" in html and "C001" in html
    assert "Chloé Martin" in html and "mailto:chloe@acme.fr" in html
    for number in ("F-0001", "F-0002", "F-0003"):
        assert number in html
    assert "1\u00a0200,00\u00a0€" in html and "360,00\u00a0€" in html
    assert re.search(r'class="info num late" data-label="Jours de retard">40<', html)  # F-0002
    assert "1\u00a0550,50\u00a0€" in html  # balance: 1 650,50 less the 100,00 unallocated
    assert "no-store" in response["Cache-Control"]
    assert response["Content-Language"] == "fr"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_page_speaks_the_customers_language_whatever_the_browser(client, debtor):
    Customer.objects.filter(pk=debtor.customer.pk).update(language="en")
    client.cookies["django_language"] = "fr"
    response, html = page(client, debtor)
    assert response["Content-Language"] == "en"
    assert '<html lang="en"' in html
    assert "Your customer page" in html and "€1,200.00" in html
    assert "Votre espace client" not in html


def test_the_visit_is_noted(client, debtor):
    page(client, debtor)
    stored = AccessToken.objects.get(customer=debtor.customer)
    assert stored.first_used_at is not None and stored.last_used_at is not None


def neutral_answers(client, tokens):
    answers = []
    for token in tokens:
        response = client.get(f"/p/{token}/")
        answers.append((response.status_code, response.content))
    return answers


def test_wrong_expired_and_revoked_links_get_the_same_neutral_page(client, debtor, world):
    expired = links.issue_for_customer(debtor.customer)
    AccessToken.objects.filter(token_hash=links.token_hash(expired)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    revoked = links.issue_for_customer(debtor.customer)
    AccessToken.objects.filter(token_hash=links.token_hash(revoked)).update(
        revoked_at=timezone.now()
    )
    other_company_token = links.issue_for_customer(world.foreign_customer)
    AccessToken.objects.filter(token_hash=links.token_hash(other_company_token)).update(
        revoked_at=timezone.now()
    )
    answers = neutral_answers(
        client, [links.new_token(), expired, revoked, other_company_token, "x" * 300, "nope"]
    )
    assert {status for status, _ in answers} == {404}
    assert len({body for _, body in answers}) == 1  # byte for byte the same
    body = answers[0][1].decode()
    assert "Lien non valide" in body
    for name in ("Dupont", "Acme", "Martin", "C001"):
        assert name not in body
    # The pages under a bad link answer the same.
    bad = links.new_token()
    for tail in ("statement/", f"invoices/{debtor.invoices[0].pk}/"):
        response = client.get(f"/p/{bad}/{tail}")
        assert (response.status_code, response.content) == answers[0]
    response = client.post(f"/p/{bad}/promise/", {})
    assert response.status_code in (403, 404)  # CSRF first, or the neutral page


def test_an_address_trying_links_is_stopped_even_with_a_good_one(client, debtor, settings):
    settings.RELANCE_PORTAL_RATE_FAILURES = 3
    for _ in range(3):
        assert client.get(f"/p/{links.new_token()}/").status_code == 404
    response = client.get(debtor.url())
    assert response.status_code == 429
    assert b"Lien non valide" in response.content and b"Dupont" not in response.content
    other = Client(REMOTE_ADDR="10.0.0.2")  # another address is not affected
    assert other.get(debtor.url()).status_code == 200


def test_too_many_requests_from_one_address_are_refused(client, debtor, settings):
    settings.RELANCE_PORTAL_RATE_REQUESTS = 5
    statuses = [client.get(debtor.url()).status_code for _ in range(7)]
    assert statuses == [200] * 5 + [429, 429]


def test_the_window_ends_and_the_address_may_try_again(client, debtor, settings, monkeypatch):
    settings.RELANCE_PORTAL_RATE_FAILURES = 1
    client.get(f"/p/{links.new_token()}/")
    assert client.get(debtor.url()).status_code == 429
    later = timezone.now().timestamp() + settings.RELANCE_PORTAL_RATE_WINDOW
    monkeypatch.setattr("relance.portal.ratelimit.time.time", lambda: later)
    assert client.get(debtor.url()).status_code == 200


def test_names_and_free_text_are_escaped(client, debtor, world):
    Customer.objects.filter(pk=debtor.customer.pk).update(name='<script>alert("x")</script> & Cie')
    response, html = page(client, debtor)
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Cie" in html


def pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def test_an_invoice_without_its_pdf_downloads_as_a_summary_to_pay(client, debtor):
    invoice = debtor.invoices[1]
    response = client.get(debtor.url(f"invoices/{invoice.pk}/"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert "SITUATION DE LA FACTURE F-0002" in text and "360,00 €" in text
    assert "FR76 3000 6000 0112 3456 7890 189" in text
    assert reference_of(invoice) in text
    assert "ne remplace pas la facture originale" in text


def test_the_kept_invoice_pdf_is_served_as_it_is(client, debtor, settings, tmp_path):
    from django.core.files.base import ContentFile

    settings.MEDIA_ROOT = tmp_path / "media"
    invoice = debtor.invoices[0]
    invoice.pdf.save("F-0001.pdf", ContentFile(b"%PDF-1.4 original"), save=True)
    response = client.get(debtor.url(f"invoices/{invoice.pk}/"))
    assert b"".join(response.streaming_content) == b"%PDF-1.4 original"


def test_another_customers_invoice_is_not_found(client, debtor, world):
    from relance.web.tests.factories import make_invoice

    foreign = make_invoice(world.foreign_customer, number="X-1")
    assert client.get(debtor.url(f"invoices/{foreign.pk}/")).status_code == 404


def test_the_statement_lists_every_open_item_and_the_transfer_details(client, debtor):
    response = client.get(debtor.url("statement/"))
    text = pdf_text(response.content)
    assert "Relevé de compte" in text.title() or "RELEVÉ DE COMPTE" in text.upper()
    for number in ("F-0001", "F-0002", "F-0003"):
        assert number in text
    assert "1 550,50 €" in text


def decoded(code) -> tuple[str, bytes]:
    buffer = io.BytesIO()
    code.save(buffer, kind="png", scale=8, border=4)
    buffer.seek(0)
    found = zxingcpp.read_barcodes(Image.open(buffer))
    assert len(found) == 1 and found[0].format == zxingcpp.BarcodeFormat.QRCode
    return found[0].text, found[0].bytes


def test_the_epc_qr_code_decodes_to_the_iban_amount_and_reference(debtor):
    invoice = debtor.invoices[1]
    details = details_for(debtor.company, [invoice])
    assert details.reference == reference_of(invoice) and details.reference.startswith("RF")
    transfer = epc.Transfer(
        name="Acme SAS",
        iban=IBAN,
        amount=invoice.open_amount,
        bic="AGRIFRPP",
        reference=details.reference,
    )
    text, raw = decoded(qr_code(transfer))
    lines = raw.decode("utf-8").split("\n")
    assert lines[:4] == ["BCD", "002", "1", "SCT"]
    assert lines[4] == "AGRIFRPP" and lines[5] == "Acme SAS"
    assert lines[6] == IBAN and lines[7] == "EUR360.00" and lines[9] == details.reference
    assert details.qr == "data:image/svg+xml;charset=utf-8," + details.qr.split(",", 1)[1]


def test_several_invoices_are_quoted_by_their_numbers(debtor):
    details = details_for(debtor.company, debtor.invoices[:2], "Factures")
    assert details.reference == "" and details.text == "Factures F-0001 F-0002"
    transfer = epc.Transfer("Acme SAS", IBAN, details.amount, text=details.text)
    _text, raw = decoded(qr_code(transfer))
    assert raw.decode().split("\n")[7:11] == ["EUR1560.00", "", "", "Factures F-0001 F-0002"]


def test_the_page_shows_the_transfer_for_the_ticked_invoices(client, debtor):
    invoice = debtor.invoices[1]
    response = client.get(debtor.url(), {"items": [invoice.pk]})
    html = response.content.decode()
    transfer = html.split('id="payer"')[1]
    assert "FR76 3000 6000 0112 3456 7890 189" in transfer and "AGRIFRPP" in transfer
    assert "360,00\u00a0€" in transfer and reference_of(invoice) in transfer
    assert (
        '<img src="data:image/svg+xml' in transfer and 'alt="QR code de virement SEPA' in transfer
    )
    assert "Payer en ligne" not in html  # no provider configured


def test_no_iban_no_transfer_block(client, debtor):
    type(debtor.company).objects.filter(pk=debtor.company.pk).update(iban="")
    html = page(client, debtor)[1]
    assert "IBAN" not in html


class Landmarks(HTMLParser):
    """What an accessibility checker looks at first: landmarks, labels, alternatives."""

    def __init__(self):
        super().__init__()
        self.tags, self.labels, self.controls, self.images, self.headings = [], set(), [], [], []
        self.lang = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        self.tags.append(tag)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "label" and attrs.get("for"):
            self.labels.add(attrs["for"])
        if tag in ("input", "select", "textarea") and attrs.get("type") not in ("hidden", "submit"):
            self.controls.append(attrs)
        if tag == "img":
            self.images.append(attrs)
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))


def test_the_page_has_landmarks_labels_and_alternatives(client, debtor):
    parser = Landmarks()
    parser.feed(page(client, debtor, "")[1])
    assert parser.lang == "fr"
    assert {"header", "main", "footer"} <= set(parser.tags)
    assert parser.tags.count("main") == 1 and parser.headings.count(1) == 1
    assert all(b - a <= 1 for a, b in zip(parser.headings, parser.headings[1:], strict=False))
    unlabelled = [
        c for c in parser.controls if c.get("id") not in parser.labels and not c.get("aria-label")
    ]
    assert not unlabelled, unlabelled
    assert parser.controls and all(img.get("alt") for img in parser.images)


def test_the_page_is_mobile_first(client, debtor):
    html = page(client, debtor)[1]
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in html
    css = Path(finders.find("portal/portal.css")).read_text()
    # One column by default; wider screens get more through min-width queries only.
    assert "@media (min-width" in css and "@media (max-width" not in css


def shape(client, token: str) -> list[str]:
    """The SQL a request for /p/<token>/ runs, values blanked: what its timing depends on."""
    with CaptureQueriesContext(connection) as queries:
        client.get(f"/p/{token}/")
    blank = re.compile(r"'[^']*'|\b\d+\b")
    return [blank.sub("?", query["sql"]) for query in queries]


def test_every_bad_link_does_the_same_work(client, debtor):
    expired = links.issue_for_customer(debtor.customer)
    AccessToken.objects.filter(token_hash=links.token_hash(expired)).update(
        expires_at=timezone.now() - timedelta(days=1)
    )
    revoked = links.issue_for_customer(debtor.customer)
    links.revoke_links(debtor.customer, None)
    unsigned = "A" * 22 + ".AAAAAAAA"
    shapes = [shape(client, token) for token in (links.new_token(), unsigned, expired, revoked)]
    assert len(shapes[0]) == 1  # one query by hash, nothing else
    assert all(found == shapes[0] for found in shapes)


def test_paying_everything_counts_the_accounts_credits(client, debtor):
    html = page(client, debtor)[1]
    transfer = html.split('id="payer"')[1]
    # 1 650,50 of invoices less the 100,00 payment not yet allocated: the balance.
    assert 'class="amount">1\u00a0550,50\u00a0€<' in transfer
    assert "non encore affectés (100,00\u00a0€) sont déduits" in transfer
    one = client.get(debtor.url(), {"items": [debtor.invoices[0].pk]}).content.decode()
    assert 'class="amount">1\u00a0200,00\u00a0€<' in one.split('id="payer"')[1]
