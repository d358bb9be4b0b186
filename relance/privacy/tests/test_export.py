"""`relance privacy export`: everything held about one person, as JSON, found by customer code
or by e-mail address; secrets (the portal link's hash) are not in it."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from relance.web.tests.factories import make_company, make_member

from .factories import history

ON = date(2025, 3, 14)


@pytest.fixture(autouse=True)
def uploads(settings, tmp_path):
    settings.UPLOAD_ROOT = tmp_path / "uploads"


@pytest.fixture
def jeanne(db):
    company = make_company("acme", "Acme SAS")
    user = make_member(company, "collector", "chloe")
    history(company, ON, is_consumer=True, name="Jeanne Dupont", email="jeanne@exemple.fr",
            user=user)  # fmt: skip
    history(company, ON, is_consumer=False, name="Bâti Sud", email="Jeanne@Exemple.fr", user=user)
    history(company, ON, is_consumer=True, name="Luc Petit", email="luc@exemple.fr", user=user)
    other = make_company("other", "Other SARL")
    history(other, ON, is_consumer=True, name="Jeanne Autre", email="jeanne@exemple.fr",
            user=make_member(other, "collector", "olga"))  # fmt: skip
    return company


def export(*args) -> dict:
    out = io.StringIO()
    call_command("privacy", "export", "--company", "acme", *args, stdout=out)
    return json.loads(out.getvalue())


def test_everything_about_one_customer(jeanne):
    document = export("--customer", "C-DUPONT")
    assert (document["company"], document["query"]) == (
        {"code": "acme", "name": "Acme SAS"}, {"customer": "C-DUPONT"}
    )  # fmt: skip
    [held] = document["customers"]
    assert held["customer"]["name"] == "Jeanne Dupont"
    assert held["customer"]["collector"] is None
    assert [c["email"] for c in held["contacts"]] == ["jeanne@exemple.fr"]
    assert [i["number"] for i in held["invoices"]] == [f"F-{held['customer']['id']:05d}"]
    assert held["invoices"][0]["amount"] == "120.00"
    assert [p["received_on"] for p in held["payments"]] == ["2025-03-14"]
    assert len(held["allocations"]) == 1
    email = next(r for r in held["reminders"] if r["channel"] == "email")
    assert email["body_text"] == "Bonjour Jeanne Dupont, la facture reste due."
    assert email["recipients"] == [{"email": "jeanne@exemple.fr", "name": "Jeanne Dupont",
                                    "kind": "to"}]  # fmt: skip
    notes = {event["note"] for event in held["reminder_history"]}
    assert "550 5.1.1 <jeanne@exemple.fr>: user unknown" in notes
    assert held["calls"][0]["phone"] == "+33612345678"
    assert held["calls"][0]["user"] == "chloe"
    assert held["notes"][0]["text"] == "Rappeler Paul le soir"
    assert held["disputes"][0]["description"] == "Prix contesté par Paul"
    assert held["holds"][0]["reason"] == "Paul en congés"
    assert held["letters"][0]["tracking_number"] == "1A00000000001"
    portal = held["self_service"]
    assert len(portal["links"]) == 1 and "token_hash" not in portal["links"][0]
    assert portal["actions"][0]["note"] == "J'ai payé hier, Paul"
    assert portal["uploads"][0]["name"] == "preuve-paul.pdf"
    bank = held["bank"]
    assert bank["lines"][0]["counterparty_name"] == "Jeanne Dupont"
    assert len(bank["ibans"]) == 1
    assert held["anonymisation"] == []
    json.dumps(document)  # every value is JSON


def test_by_email_finds_every_customer_of_the_company_with_that_address(jeanne):
    document = export("--email", " JEANNE@exemple.fr ")
    codes = [held["customer"]["code"] for held in document["customers"]]
    assert codes == ["C-DUPONT", "C-SUD"]  # not Luc, not the other company's Jeanne


def test_to_a_file(jeanne, tmp_path):
    out = io.StringIO()
    target = tmp_path / "jeanne.json"
    call_command("privacy", "export", "--company", "acme", "--customer", "C-DUPONT",
                 "--output", str(target), stdout=out)  # fmt: skip
    assert out.getvalue().strip() == f"{target} : 1 client(s)"
    assert json.loads(target.read_text(encoding="utf-8"))["customers"][0]["customer"]["code"] == (
        "C-DUPONT"
    )


def test_an_anonymised_customer_exports_what_is_left(jeanne):
    from relance.ledger.models import Customer

    pk = Customer.objects.get(company=jeanne, code="C-DUPONT").pk
    call_command("privacy", "anonymise", "--company", "acme", "--retention-years", "0",
                 stdout=io.StringIO())  # fmt: skip
    [held] = export("--customer", f"ANON-{pk}")["customers"]
    assert held["contacts"][0]["email"] == ""
    assert held["anonymisation"][0]["retention_years"] == 0
    text = json.dumps(held, ensure_ascii=False)
    assert "Jeanne" not in text, text[text.index("Jeanne") - 300 : text.index("Jeanne") + 50]


def test_nobody_found_says_so(jeanne):
    with pytest.raises(CommandError, match="aucun client de la société acme"):
        export("--customer", "C-INCONNU")
    with pytest.raises(CommandError, match="aucun client de la société acme"):
        export("--email", "personne@exemple.fr")
    with pytest.raises(CommandError, match="société inconnue : nowhere"):
        call_command("privacy", "export", "--company", "nowhere", "--customer", "C-DUPONT")
