"""Every company-scoped view, GET and POST, checked for allowed, read-only and outsider."""

from datetime import date

from django.urls import URLResolver, get_resolver

from relance.team.models import Role
from relance.web import uploads
from relance.web.views.imports import SESSION_KEY

from .roles import RoleCase, covered_url_names, role_test

TOKEN = "pendingtoken123"


def base(world) -> str:
    return f"/c/{world.company.code}"


def customer_data(world):
    return {
        "code": "N001",
        "name": "Nouveau client",
        "payer_profile": "good",
        "language": "fr",
        "country": "FR",
    }


def contact_data(world):
    return {
        "role": "billing",
        "name": "Paul Martin",
        "phone": "01 23 45 67 89",
        "preferred_channel": "email",
        "country": "FR",
    }


def invoice_data(world):
    return {
        "customer": "C001",
        "number": "F-NEW",
        "kind": "invoice",
        "issued_on": "2026-01-05",
        "due_on": "2026-02-04",
        "amount": "240.00",
        "currency": "EUR",
    }


def company_data(world):
    return {
        "name": "Acme SAS",
        "country": "FR",
        "currency": "EUR",
        "time_zone": "Europe/Paris",
        "default_payment_days": "45",
    }


def payment_data(world):
    return {
        "customer": "C001",
        "received_on": date.today().isoformat(),
        "amount": "100.00",
        "currency": "EUR",
        "method": "transfer",
        "invoices": [world.invoice.pk],
    }


def upload_data(world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return {"kind": "customers", "file": SimpleUploadedFile("clients.csv", b"code;nom\nC9;X\n")}


def pending_upload(client, world):
    folder = uploads.pending_folder(world.company.code, TOKEN)
    folder.mkdir(parents=True)
    (folder / "clients.csv").write_text("code;nom\nC9;X\n", encoding="utf-8")
    (folder / "mapping.toml").write_text("", encoding="utf-8")
    session = client.session
    session[SESSION_KEY] = {
        TOKEN: {"kind": "customers", "file_name": "clients.csv", "sha256": "0" * 64}
    }
    session.save()


def customer_url(world):
    return f"{base(world)}/customers/{world.customer.pk}/"


def invoice_url(world):
    return f"{base(world)}/invoices/{world.invoice.pk}/"


def contact_url(world):
    return f"{base(world)}/contacts/{world.contact.pk}/edit/"


W = Role.READ_ONLY  # the role refused on every write
ROLE_CASES = [
    RoleCase("customer_list", lambda w: f"{base(w)}/customers/"),
    RoleCase("customer_detail", customer_url, allowed=Role.COLLECTOR),
    RoleCase("customer_create", lambda w: f"{base(w)}/customers/new/", denied=W),
    RoleCase(
        "customer_create",
        lambda w: f"{base(w)}/customers/new/",
        "post",
        customer_data,
        denied=Role.SALES,
    ),
    RoleCase("customer_update", lambda w: customer_url(w) + "edit/", denied=W),
    RoleCase(
        "customer_update",
        lambda w: customer_url(w) + "edit/",
        "post",
        lambda w: dict(customer_data(w), code="C001"),
        denied=W,
        allowed=Role.COLLECTOR,
    ),
    RoleCase("contact_create", lambda w: customer_url(w) + "contacts/new/", denied=W),
    RoleCase(
        "contact_create",
        lambda w: customer_url(w) + "contacts/new/",
        "post",
        contact_data,
        denied=W,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase("contact_update", contact_url, denied=W),
    RoleCase("contact_update", contact_url, "post", contact_data, denied=W),
    RoleCase("invoice_list", lambda w: f"{base(w)}/invoices/"),
    RoleCase("invoice_detail", invoice_url, allowed=Role.COLLECTOR),
    RoleCase("invoice_create", lambda w: f"{base(w)}/invoices/new/", denied=Role.COLLECTOR),
    RoleCase(
        "invoice_create",
        lambda w: f"{base(w)}/invoices/new/",
        "post",
        invoice_data,
        denied=Role.COLLECTOR,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase("invoice_update", lambda w: invoice_url(w) + "edit/", denied=W),
    RoleCase(
        "invoice_update",
        lambda w: invoice_url(w) + "edit/",
        "post",
        lambda w: dict(invoice_data(w), number="F-0001"),
        denied=W,
        allowed=Role.MANAGER,
    ),
    RoleCase("payment_list", lambda w: f"{base(w)}/payments/"),
    RoleCase("payment_create", lambda w: f"{base(w)}/payments/new/", denied=W),
    RoleCase(
        "payment_create",
        lambda w: f"{base(w)}/payments/new/",
        "post",
        payment_data,
        denied=Role.SALES,
    ),
    RoleCase("company_settings", lambda w: f"{base(w)}/settings/"),
    RoleCase(
        "company_settings",
        lambda w: f"{base(w)}/settings/",
        "post",
        company_data,
        denied=Role.MANAGER,
    ),
    RoleCase("import_list", lambda w: f"{base(w)}/imports/"),
    RoleCase(
        "import_list",
        lambda w: f"{base(w)}/imports/",
        "post",
        upload_data,
        denied=Role.COLLECTOR,
        allowed=Role.ACCOUNTANT,
    ),
    RoleCase(
        "import_preview",
        lambda w: f"{base(w)}/imports/preview/{TOKEN}/",
        denied=W,
        before_allowed=pending_upload,
    ),
    RoleCase(
        "import_preview",
        lambda w: f"{base(w)}/imports/preview/{TOKEN}/",
        "post",
        denied=W,
        before_allowed=pending_upload,
    ),
    RoleCase("import_detail", lambda w: f"{base(w)}/imports/{w.batch.pk}/"),
    RoleCase("import_progress", lambda w: f"{base(w)}/imports/{w.batch.pk}/progress/"),
]

test_every_view_follows_the_role_rules = role_test(ROLE_CASES)


def company_scoped_views(patterns=None, prefix=""):
    """(url name, method) of every view under /c/<code>/, POST only where the view has one."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from company_scoped_views(entry.url_patterns, route)
        elif route.startswith("c/"):
            yield from _methods(entry)


def _methods(pattern):
    view_class = getattr(pattern.callback, "view_class", None)
    yield pattern.name, "get"
    if view_class is not None and hasattr(view_class, "post"):
        yield pattern.name, "post"


def test_every_company_view_has_role_tests():
    views = set(company_scoped_views())
    assert len(views) > 10
    missing = views - covered_url_names(ROLE_CASES)
    assert not missing, f"views without role tests: {sorted(missing)}"
