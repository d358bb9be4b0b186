"""The reconciliation page, browser-free: tabs, one-click accept (HTMX), reject, undo, match
by hand, the run button, search, alerts on the customer file, what read-only roles see."""

from decimal import Decimal

import pytest

from relance.banking.models import BankLine, Match, MatchProposal
from relance.banking.tests.factories import reconciliation_records, stored_line
from relance.team.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def bank(world):
    return reconciliation_records(world)


def page(world, query: str = "") -> str:
    return f"/c/{world.company.code}/bank/reconciliation/{query}"


def login(client, world, role=Role.ACCOUNTANT):
    client.force_login(world.user(role))


def test_proposals_show_the_customer_invoices_confidence_and_reasons(client, world, bank):
    login(client, world)
    response = client.get(page(world))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Dupont Bâtiment" in html and "F-0001" in html and "90 %" in html
    assert "nom du client, montant exact" in html
    assert "Accepter" in html and "Lancer le rapprochement" in html


def test_read_only_roles_see_the_page_without_any_button(client, world, bank):
    login(client, world, Role.READ_ONLY)
    html = client.get(page(world)).content.decode()
    assert "Dupont Bâtiment" in html
    assert "Accepter" not in html and "Lancer le rapprochement" not in html
    html = client.get(page(world, "?tab=matched")).content.decode()
    assert "F-0900" in html and "Annuler le rapprochement" not in html


def test_accepting_in_one_click_swaps_the_row(client, world, bank):
    login(client, world)
    proposal = bank.proposals[0]
    url = f"/c/{world.company.code}/bank/proposals/{proposal.pk}/accept/"

    response = client.post(url, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith("<tr")
    assert f'id="line-{bank.proposed_line.pk}"' in html and "Rapprochée" in html
    match = Match.objects.get(bank_line=bank.proposed_line)
    assert (match.method, match.made_by) == ("accepted", world.user(Role.ACCOUNTANT))
    world.invoice.refresh_from_db()
    assert world.invoice.open_amount == Decimal("1200.00") - Decimal("437.19")
    assert client.post(url, HTTP_HX_REQUEST="true").status_code == 404  # applied, gone


def test_a_proposal_overtaken_by_another_payment_says_why(client, world, bank):
    login(client, world)
    world.invoice.open_amount = Decimal("100.00")
    world.invoice.save()
    url = f"/c/{world.company.code}/bank/proposals/{bank.proposals[0].pk}/accept/"

    html = client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert "Proposition non appliquée" in html and "F-0001" in html
    assert not Match.objects.filter(bank_line=bank.proposed_line).exists()


def test_rejecting_leaves_the_other_proposal(client, world, bank):
    login(client, world)
    url = f"/c/{world.company.code}/bank/proposals/{bank.proposals[0].pk}/reject/"

    html = client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert "1 autre proposition" in html
    assert MatchProposal.objects.filter(rejected_at__isnull=False).count() == 1


def test_undo_puts_the_line_back_to_match(client, world, bank):
    login(client, world)
    response = client.post(f"/c/{world.company.code}/bank/matches/{bank.match.pk}/undo/")
    assert response.status_code == 302
    line = BankLine.objects.get(pk=bank.match.bank_line_id)
    assert (line.status, line.payment) == ("unmatched", None)
    html = client.get(page(world, "?tab=matched")).content.decode()
    assert "Annulé par" in html


def test_a_line_matched_by_hand_keeps_the_rest_as_credit(client, world, bank):
    login(client, world)
    url = f"/c/{world.company.code}/bank/lines/{bank.unmatched_line.pk}/match/"
    html = client.get(url + "?customer=C001").content.decode()
    assert "F-0001" in html and f'name="amount_{world.invoice.pk}"' in html

    refused = client.post(url, {"customer": "C001", f"amount_{world.invoice.pk}": "9999"})
    assert refused.status_code == 200 and "montant invalide" in refused.content.decode()

    response = client.post(url, {"customer": "C001", f"amount_{world.invoice.pk}": "300,00"})

    assert response.status_code == 302
    match = Match.objects.get(bank_line=bank.unmatched_line)
    assert match.method == "manual" and match.payment.unallocated_amount == Decimal("200.00")


def test_the_run_button_matches_and_says_what_it_did(client, world, bank):
    stored_line(world.company, "1200.00", "REGLEMENT FACTURE F-0001", counterparty_name="X")
    login(client, world)
    response = client.post(f"/c/{world.company.code}/bank/matching/run/", follow=True)
    assert "Rapprochement terminé" in response.content.decode()


def test_unmatched_lines_are_searched_by_text_amount_and_date(client, world, bank):
    login(client, world)
    html = client.get(page(world, "?tab=unmatched&q=500,00")).content.decode()
    assert "VIR DIVERS" in html and "VIREMENT" not in html
    html = client.get(page(world, "?tab=unmatched&q=divers")).content.decode()
    assert "VIR DIVERS" in html
    html = client.get(page(world, "?tab=unmatched&booked_from=2026-11-21")).content.decode()
    assert "VIR DIVERS" in html and "VIREMENT" not in html
    assert "Rapprocher à la main" in html


def test_return_alerts_are_listed_resolved_and_shown_on_the_customer_file(client, world, bank):
    login(client, world, Role.COLLECTOR)
    assert "Rejet de 80,00 EUR" in client.get(page(world, "?tab=alerts")).content.decode()
    customer = f"/c/{world.company.code}/customers/{world.customer.pk}/"
    assert "Rejet de 80,00 EUR" in client.get(customer).content.decode()

    client.post(f"/c/{world.company.code}/bank/alerts/{bank.alert.pk}/resolve/")

    assert "Rejet de 80,00 EUR" not in client.get(customer).content.decode()


def test_a_collector_sees_no_proposal_for_a_customer_outside_the_portfolio(client, world, bank):
    MatchProposal.objects.update(customer=world.foreign_customer)
    login(client, world, Role.COLLECTOR)
    html = client.get(page(world)).content.decode()
    assert "Martin Négoce" not in html


def test_the_page_is_in_english_after_the_switch(client, world, bank):
    login(client, world)
    client.post("/i18n/setlang/", {"language": "en", "next": page(world)})
    html = client.get(page(world)).content.decode()
    assert "Bank reconciliation" in html and "Run matching" in html
    assert "customer name, exact amount" in html and "Rapprochement" not in html
