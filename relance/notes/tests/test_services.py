"""Writing notes and telling the colleagues they mention."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from relance.dunning.agenda import agenda
from relance.evidence.summary import chronology
from relance.notes import services
from relance.notes.models import Mention, Note
from relance.team.access import visible_customers
from relance.team.models import Membership, Role
from relance.web.tests.factories import make_user
from relance.web.views.dunning import customer_timeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales(world):
    """The world's sales rep, with an address, in charge of the world's customer."""
    user = world.user(Role.SALES)
    user.email, user.first_name, user.last_name = "paul@acme.fr", "Paul", "Vendeur"
    user.save()
    world.customer.sales_rep = user
    world.customer.save()
    return user


def write(world, text, author=Role.COLLECTOR, about=None):
    return services.write_note(world.customer, world.user(author), text, about)


def test_a_note_mentioning_the_sales_rep_tells_them_by_email(
    world, sales, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = write(world, "@sales-acme peux-tu appeler M. Dupont ? Il conteste le prix.")
    (message,) = mail.outbox
    assert message.to == ["paul@acme.fr"]
    assert message.subject == "collector-acme vous a mentionné : Dupont Bâtiment"
    assert "Il conteste le prix." in message.body and "C001" in message.body
    mention = Mention.objects.get(note=note)
    assert mention.user == sales and mention.emailed_at is not None and mention.seen_at is None


def test_the_mail_links_to_the_note_when_the_public_address_is_known(
    world, sales, settings, django_capture_on_commit_callbacks
):
    settings.RELANCE_PUBLIC_URL = "https://relance.example.fr"
    with django_capture_on_commit_callbacks(execute=True):
        note = write(world, "@sales-acme à voir")
    assert f"https://relance.example.fr/c/acme/notes/{note.pk}/" in mail.outbox[0].body


@pytest.mark.parametrize(
    "name",
    [
        "outsider",  # an admin of another company
        "personne",  # nobody
        "collector-2",  # a collector of the company, whose portfolio lacks the customer
        "sales-acme",  # the sales rep, but not this customer's
    ],
)
def test_a_mention_nobody_reachable_carries_refuses_the_note_with_the_same_message(world, name):
    with pytest.raises(ValidationError) as refused:
        write(world, f"Voir avec @{name} demain.")
    assert refused.value.messages == [
        f"@{name} : aucun collègue de ce nom n'a accès à ce client. La note n'est pas "
        "enregistrée : corrigez ou retirez la mention."
    ]
    assert not Note.objects.exists() and not mail.outbox


def test_a_deactivated_colleague_cannot_be_mentioned(world):
    manager = world.user(Role.MANAGER)
    manager.is_active = False
    manager.save()
    with pytest.raises(ValidationError):
        write(world, "@manager-acme ?")


def test_who_may_be_mentioned_is_exactly_who_sees_the_customer(world, sales):
    reachable = set(services.mentionable_users(world.customer))
    members = Membership.objects.filter(company=world.company).select_related("user")
    seeing = {m.user for m in members if visible_customers(m).filter(pk=world.customer.pk)}
    assert reachable == seeing
    assert world.user(Role.COLLECTOR) in reachable and world.other_collector not in reachable
    assert world.outsider not in reachable


def test_mentions_ignore_case_and_the_author_is_not_told(
    world, sales, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = write(world, "@Sales-Acme et moi @collector-acme, @sales-acme encore")
    assert [m.user for m in note.mentions.all()] == [sales]
    assert len(mail.outbox) == 1


def test_a_colleague_without_an_address_still_finds_the_mention_on_their_agenda(
    world, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = write(world, "@manager-acme à valider", author=Role.ACCOUNTANT)
    assert not mail.outbox
    manager = world.user(Role.MANAGER)
    customers, day = world.company.customers.all(), note.created_at.date()
    work = agenda(world.company, customers, day, user=manager)
    assert work.counts["mentions"] == 1
    (entry,) = [e for e in work.entries if e.kind == "mentions"]
    assert entry.link == ("note_detail", note.pk) and entry.customer == world.customer
    assert entry.label == "accountant-acme vous a mentionné"
    assert services.mark_seen(note, manager) == 1
    work = agenda(world.company, customers, day, user=manager)
    assert work.counts["mentions"] == 0
    assert services.mark_seen(note, manager) == 0


def test_an_unreachable_mail_server_leaves_the_note_and_the_mention(
    world, sales, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    with django_capture_on_commit_callbacks(execute=True):
        note = write(world, "@sales-acme urgent")
    assert Mention.objects.get(note=note).emailed_at is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   \n ", "La note est vide."),
        ("x" * 5001, "La note dépasse 5000 caractères (5001)."),
        (" ".join(f"@u{n}" for n in range(21)), "Au plus 20 collègues mentionnés par note."),
    ],
)
def test_a_note_that_cannot_be_kept_says_why(world, text, message):
    with pytest.raises(ValidationError) as refused:
        write(world, text)
    assert refused.value.messages == [message]


def test_a_note_is_about_one_thing_of_the_customer(world):
    note = write(world, "Facture contestée", about=world.dispute)
    assert note.dispute == world.dispute and note.about == "Litige sur F-0001 (Prix)"
    assert write(world, "Relancée", about=world.invoice).about == "Pièce F-0001"
    foreign = world.foreign_customer.invoices.create(
        company=world.company, number="F-X", issued_on="2026-01-01", due_on="2026-02-01",
        amount="10.00", open_amount="10.00", currency="EUR",
    )  # fmt: skip
    with pytest.raises(ValidationError):
        write(world, "ailleurs", about=foreign)


def test_notes_show_in_the_timeline_and_the_evidence_chronology(
    world, sales, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        note = write(world, "Client promet un virement @sales-acme", about=world.invoice)
    (entry,) = [e for e in customer_timeline(world.customer) if e.kind == "Note"]
    assert entry.url == f"/c/acme/notes/{note.pk}/" and "collector-acme" in entry.detail
    (line,) = [e for e in chronology(world.customer, []) if e.kind == "Note interne"]
    assert line.detail == "collector-acme : Client promet un virement @sales-acme"
    assert line.proof[0] == "Concerne : Pièce F-0001"
    assert line.proof[1].startswith("Mentionne @sales-acme, prévenu par e-mail le ")


def test_a_user_of_two_companies_is_only_told_of_the_company_of_the_note(world):
    shared = make_user("partage")
    Membership.objects.create(user=shared, company=world.company, role=Role.MANAGER)
    Membership.objects.create(user=shared, company=world.other_company, role=Role.ADMIN)
    note = write(world, "@partage voir")
    other_customers = world.other_company.customers.all()
    work = agenda(world.other_company, other_customers, note.created_at.date(), user=shared)
    assert work.counts["mentions"] == 0
