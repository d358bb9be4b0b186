"""The rate tables: the published figures of the data migration, the admin pages."""

from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from relance.core.interest import HalfYear
from relance.legal.convert import rate_table
from relance.legal.models import HalfYearRate

pytestmark = pytest.mark.django_db

# (year, half): (ECB rate on the first day, legal rate "autres cas", legal rate "particuliers")
PUBLISHED = {
    (2024, 1): ("4.50", "5.07", "8.01"),
    (2024, 2): ("4.25", "4.92", "8.16"),
    (2025, 1): ("3.15", "3.71", "7.21"),
    (2025, 2): ("2.15", "2.76", "6.65"),
    (2026, 1): ("2.15", "2.62", "6.67"),
    (2026, 2): ("2.15", "2.62", "6.67"),  # provisional
}


def test_the_migration_fills_2024_to_2026_with_the_published_rates():
    rows = {
        (r.year, r.half): (r.ecb_rate, r.legal_rate_professionals, r.legal_rate_individuals)
        for r in HalfYearRate.objects.all()
    }
    assert rows == {key: tuple(Decimal(v) for v in values) for key, values in PUBLISHED.items()}


def test_only_2026_h2_is_provisional_and_its_note_says_so():
    provisional = HalfYearRate.objects.get(is_confirmed=False)
    assert (provisional.year, provisional.half) == (2026, 2)
    assert "À CONFIRMER" in provisional.source
    assert all(r.source for r in HalfYearRate.objects.all())


def test_rate_table_reads_every_row():
    table = rate_table()
    assert table.rates(HalfYear(2026, 1)).legal_rate_professionals == Decimal("2.62")
    assert table.rates(HalfYear(2026, 2)).is_confirmed is False


@pytest.mark.parametrize("path", ["/admin/legal/halfyearrate/", "/admin/legal/halfyearrate/add/"])
def test_admin_pages_load_for_a_superuser(client, path):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    client.force_login(admin)
    assert client.get(path).status_code == 200
    row = HalfYearRate.objects.get(year=2026, half=2)
    assert client.get(f"/admin/legal/halfyearrate/{row.pk}/change/").status_code == 200


def test_admin_is_closed_to_other_users(client):
    user = get_user_model().objects.create_user("someone", password="pw", is_staff=True)
    client.force_login(user)
    assert client.get("/admin/legal/halfyearrate/").status_code == 302
