"""Tables of customers, contacts, invoices and payments: mapping and row parsing."""

from datetime import date
from decimal import Decimal

import pytest

from relance.core import tabular
from relance.core.records import (
    ContactRecord,
    CustomerRecord,
    ItemKind,
    ItemRecord,
    PayerProfile,
    PaymentMethod,
    PaymentRecord,
    Rejection,
)

INVOICE_HEADERS = [
    "Code client",
    "Client",
    "N° facture",
    "Date facture",
    "Échéance",
    "Montant TTC",
    "Devise",
]


def parse(kind, headers, *rows, mapping_text=None, currency="EUR", payment_days=30):
    mapping = (
        tabular.load_mapping(kind, mapping_text, headers)
        if mapping_text
        else tabular.detect_mapping(kind, headers)
    )
    numbered = [(line, list(cells)) for line, cells in enumerate(rows, start=2)]
    return list(
        tabular.parse_rows(kind, numbered, mapping, currency=currency, payment_days=payment_days)
    )


def invoice(**cells):
    """One invoice row of INVOICE_HEADERS, with some cells replaced."""
    row = {
        "code": "C1",
        "name": "Dupont SA",
        "number": "F1",
        "issued": "2024-01-15",
        "due": "2024-02-14",
        "amount": "1200.00",
        "currency": "EUR",
    }
    row.update(cells)
    return list(row.values())


# --- header detection -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "header", "field"),
    [
        ("invoices", "N° facture", "number"),
        ("invoices", "Nº Facture", "number"),
        ("invoices", "Numéro de facture", "number"),
        ("invoices", "Facture", "number"),
        ("invoices", "Invoice number", "number"),
        ("invoices", "Invoice No", "number"),
        ("invoices", "Invoice #", "number"),
        ("invoices", "Date d'échéance", "due_on"),
        ("invoices", "ÉCHÉANCE", "due_on"),
        ("invoices", "Due date", "due_on"),
        ("invoices", "Date facture", "issued_on"),
        ("invoices", "Date de facture", "issued_on"),
        ("invoices", "Invoice date", "issued_on"),
        ("invoices", "Date", "issued_on"),
        ("invoices", "Montant TTC", "amount"),
        ("invoices", "Total TTC", "amount"),
        ("invoices", "Montant", "amount"),
        ("invoices", "Amount", "amount"),
        ("invoices", "Total", "amount"),
        ("invoices", "Montant HT", "amount_excl_tax"),
        ("invoices", "Code client", "customer_code"),
        ("invoices", "N° client", "customer_code"),
        ("invoices", "Compte client", "customer_code"),
        ("invoices", "Customer code", "customer_code"),
        ("invoices", "Customer ID", "customer_code"),
        ("invoices", "Client", "customer_name"),
        ("invoices", "Raison sociale", "customer_name"),
        ("invoices", "Nom client", "customer_name"),
        ("invoices", "Customer", "customer_name"),
        ("invoices", "Customer name", "customer_name"),
        ("invoices", "Devise", "currency"),
        ("invoices", "Currency", "currency"),
        ("invoices", "Date de règlement", "paid_on"),
        ("invoices", "Date paiement", "paid_on"),
        ("invoices", "Payé le", "paid_on"),
        ("invoices", "Paid on", "paid_on"),
        ("invoices", "Montant réglé", "paid_amount"),
        ("invoices", "Montant payé", "paid_amount"),
        ("invoices", "Paid amount", "paid_amount"),
        ("invoices", "Litige", "disputed"),
        ("invoices", "Disputed", "disputed"),
        ("invoices", "customer_code", "customer_code"),
        ("invoices", " AMOUNT_EXCL_TAX ", "amount_excl_tax"),
        ("customers", "SIREN", "siren"),
        ("customers", "SIRET", "siret"),
        ("customers", "TVA intracom", "vat_number"),
        ("customers", "N° TVA", "vat_number"),
        ("customers", "Email", "email"),
        ("customers", "E-mail", "email"),
        ("customers", "Téléphone", "phone"),
        ("customers", "Tél.", "phone"),
        ("customers", "Adresse", "address"),
        ("customers", "CP", "postal_code"),
        ("customers", "Code postal", "postal_code"),
        ("customers", "Ville", "city"),
        ("customers", "Pays", "country"),
        ("customers", "Raison sociale", "name"),
        ("contacts", "Mobile", "mobile"),
        ("contacts", "Portable", "mobile"),
        ("contacts", "Fonction", "role"),
        ("payments", "Mode de règlement", "method"),
        ("payments", "Référence", "reference"),
        ("payments", "Date de règlement", "received_on"),
        ("payments", "N° facture", "invoice_number"),
    ],
)
def test_detects_french_and_english_headers(kind, header, field):
    assert tabular.detect_mapping(kind, ["Autre chose", header]).columns == {field: 1}


def test_prefers_the_most_specific_header_and_never_maps_a_column_twice():
    mapping = tabular.detect_mapping(
        "invoices", ["Date", "Montant", "Date facture", "Montant TTC", "Montant HT", "Client"]
    )
    assert mapping.columns == {
        "issued_on": 2,
        "amount": 3,
        "amount_excl_tax": 4,
        "customer_name": 5,
    }
    assert mapping.missing == ["customer_code", "number"]


def test_a_french_export_is_fully_detected():
    mapping = tabular.detect_mapping("invoices", INVOICE_HEADERS)
    assert mapping.columns == {
        "customer_code": 0,
        "customer_name": 1,
        "number": 2,
        "issued_on": 3,
        "due_on": 4,
        "amount": 5,
        "currency": 6,
    }
    assert mapping.missing == []


# --- TOML mappings --------------------------------------------------------------------------

HEADERS = ["Cpt", "Pièce", "Le", "Net à payer", "Remarque"]


def test_toml_mapping_with_defaults_date_format_and_decimal_separator():
    text = """
        date_format = "%d/%m/%Y"
        decimal_separator = ","
        [columns]
        customer_code = "Cpt"
        number = "pièce"     # headers are matched loosely
        issued_on = 3        # or by 1-based position
        amount = "Net à payer"
        [defaults]
        currency = "USD"
        payment_days = 45
        kind = "facture"
    """
    mapping = tabular.load_mapping("invoices", text, HEADERS)
    assert mapping.columns == {"customer_code": 0, "number": 1, "issued_on": 2, "amount": 3}
    assert mapping.defaults == {"currency": "USD", "payment_days": "45", "kind": "facture"}
    assert (mapping.date_format, mapping.decimal_separator, mapping.missing) == (
        "%d/%m/%Y",
        ",",
        [],
    )
    [record] = tabular.parse_rows(
        "invoices", [(2, ["C9", "F9", "05/03/2024", "1.234,50", ""])], mapping, currency="EUR"
    )
    assert (record.issued_on, record.due_on, record.amount, record.currency, record.kind) == (
        date(2024, 3, 5),
        date(2024, 4, 19),
        Decimal("1234.50"),
        "USD",
        ItemKind.INVOICE,
    )


def test_toml_mapping_reports_required_fields_it_leaves_out():
    mapping = tabular.load_mapping("invoices", "detect = false\n[columns]\nnumber = 2", HEADERS)
    assert mapping.missing == ["customer_code", "issued_on", "amount"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[columns\nnumber = 1", "fichier de correspondance illisible"),
        ("[columns]\nnumero = 'Pièce'", "champ inconnu dans [columns] : 'numero'"),
        ("[columns]\nnumber = 'N° pièce'", "colonne introuvable pour number : 'N° pièce'"),
        ("[columns]\nnumber = 9", "colonne 9 hors du fichier pour number"),
        ("[defaults]\ncolour = 'red'", "champ inconnu dans [defaults] : 'colour'"),
        ("[defaults]\ncurrency = 'EUX'", "valeur par défaut de currency : devise inconnue"),
        ("date_format = '%Q'", "date_format invalide"),
        ("decimal_separator = ';'", "decimal_separator invalide"),
        ("delimiter = ';'", "clé inconnue"),
    ],
)
def test_an_invalid_mapping_names_the_problem(text, message):
    with pytest.raises(tabular.MappingError, match=message.replace("[", r"\[").replace("]", r"\]")):
        tabular.load_mapping("invoices", text, HEADERS)


def test_an_unknown_kind_is_refused():
    with pytest.raises(tabular.MappingError, match="type d'import inconnu"):
        tabular.detect_mapping("orders", HEADERS)


# --- invoices -------------------------------------------------------------------------------


def test_parses_an_invoice_row():
    [record] = parse("invoices", INVOICE_HEADERS, invoice())
    assert record == ItemRecord(
        line=2,
        source_key="inv:F1",
        customer_code="C1",
        number="F1",
        kind=ItemKind.INVOICE,
        issued_on=date(2024, 1, 15),
        due_on=date(2024, 2, 14),
        amount=Decimal("1200.00"),
        currency="EUR",
        customer_name="Dupont SA",
    )


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        ({"due": "31/02/2024"}, "date d'échéance illisible : '31/02/2024'"),
        ({"issued": "hier"}, "date de facture illisible : 'hier'"),
        ({"issued": ""}, "date de facture manquante"),
        ({"issued": "15/01/1024"}, "date de facture hors limites : '15/01/1024'"),
        ({"amount": "douze"}, "montant illisible : 'douze'"),
        ({"amount": "12²"}, "montant illisible : '12²'"),
        ({"amount": "-1,5²"}, "montant illisible : '-1,5²'"),
        ({"amount": ""}, "montant manquant"),
        ({"amount": "0,00"}, "montant négatif ou nul : '0,00'"),
        ({"amount": "12.345"}, "montant avec plus de deux décimales : '12.345'"),
        ({"amount": "9999999999999"}, "montant trop grand : '9999999999999'"),
        ({"currency": "EUX"}, "devise inconnue : 'EUX'"),
        ({"number": ""}, "numéro de facture manquant"),
        ({"number": "F" * 61}, "numéro de facture trop long"),
        ({"code": "  "}, "code client manquant"),
        ({"due": "2024-01-14"}, "échéance antérieure à la date de facture : '2024-01-14'"),
    ],
)
def test_rejects_a_bad_invoice_row_saying_why(cells, reason):
    [rejection] = parse("invoices", INVOICE_HEADERS, invoice(**cells))
    assert isinstance(rejection, Rejection)
    assert rejection.line == 2
    assert rejection.reason.startswith(reason)


def test_rejects_the_second_occurrence_of_an_invoice_number():
    rows = parse("invoices", INVOICE_HEADERS, invoice(), invoice(number="F2"), invoice())
    assert [type(r) for r in rows] == [ItemRecord, ItemRecord, Rejection]
    assert rows[2] == Rejection(line=4, reason="numéro de facture en double (déjà ligne 2)")


def test_a_rejected_row_does_not_take_its_number():
    rows = parse("invoices", INVOICE_HEADERS, invoice(amount="x"), invoice())
    assert [type(r) for r in rows] == [Rejection, ItemRecord]


@pytest.mark.parametrize(
    ("issued", "due"),
    [
        ("2024-01-15", "2024-02-14"),
        ("15/01/2024", "14/02/2024"),
        ("15-01-2024", "14-02-2024"),
        ("15.01.2024", "14.02.2024"),
        ("15/01/24", "14/02/24"),
        ("2024/01/15", "2024/02/14"),
        ("2024-01-15 00:00:00", "2024-02-14T00:00:00"),
    ],
)
def test_reads_dates_in_the_usual_formats(issued, due):
    [record] = parse("invoices", INVOICE_HEADERS, invoice(issued=issued, due=due))
    assert (record.issued_on, record.due_on) == (date(2024, 1, 15), date(2024, 2, 14))


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("1200", "1200"),
        ("1200.5", "1200.5"),
        ("1200,50", "1200.50"),
        ("1 200,50", "1200.50"),
        ("1.200,50", "1200.50"),
        ("1,200.50", "1200.50"),
        ("1200,50 €", "1200.50"),
        ("1200.500", "1200.500"),
    ],
)
def test_reads_amounts_as_accountants_write_them(text, amount):
    [record] = parse("invoices", INVOICE_HEADERS, invoice(amount=text))
    assert record.amount == Decimal(amount)


def test_without_a_due_date_an_invoice_is_due_after_the_payment_days():
    headers = INVOICE_HEADERS[:4] + INVOICE_HEADERS[5:]
    row = invoice()
    del row[4]
    [record] = parse("invoices", headers, row, payment_days=45)
    assert record.due_on == date(2024, 2, 29)
    [record] = parse("invoices", INVOICE_HEADERS, invoice(due=""), payment_days=10)
    assert record.due_on == date(2024, 1, 25)


@pytest.mark.parametrize(
    ("kind", "amount", "expected"),
    [
        ("", "-50", (ItemKind.CREDIT_NOTE, True, Decimal("50"))),
        ("avoir", "-50", (ItemKind.CREDIT_NOTE, True, Decimal("50"))),
        ("Avoir", "50", (ItemKind.CREDIT_NOTE, True, Decimal("50"))),
        ("credit_note", "50", (ItemKind.CREDIT_NOTE, True, Decimal("50"))),
        ("Facture", "50", (ItemKind.INVOICE, False, Decimal("50"))),
        ("invoice", "50", (ItemKind.INVOICE, False, Decimal("50"))),
    ],
)
def test_negative_amounts_are_credit_notes_unless_the_row_says_invoice(kind, amount, expected):
    [record] = parse("invoices", [*INVOICE_HEADERS, "Type"], [*invoice(amount=amount), kind])
    assert (record.kind, record.is_credit, record.amount) == expected


def test_a_credit_note_without_due_date_is_due_on_its_date():
    [record] = parse("invoices", INVOICE_HEADERS, invoice(amount="-10", due=""))
    assert record.due_on == record.issued_on


@pytest.mark.parametrize(
    ("kind", "amount", "reason"),
    [
        ("facture", "-50", "montant négatif ou nul : '-50' (pour un avoir"),
        ("bon de livraison", "50", "type de pièce inconnu(e) : 'bon de livraison'"),
    ],
)
def test_rejects_an_invoice_of_unclear_kind(kind, amount, reason):
    [rejection] = parse("invoices", [*INVOICE_HEADERS, "Type"], [*invoice(amount=amount), kind])
    assert rejection.reason.startswith(reason)


PAID_HEADERS = [*INVOICE_HEADERS, "Date de règlement", "Montant réglé", "Montant HT", "Litige"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        (["", "", "", ""], (None, None, None, False)),
        (
            ["2024-02-01", "", "1000", "oui"],
            (date(2024, 2, 1), Decimal("1200.00"), Decimal("1000"), True),
        ),
        (["01/02/2024", "300", "", "non"], (date(2024, 2, 1), Decimal("300"), None, False)),
    ],
)
def test_reads_payment_and_dispute_columns_of_an_invoice(extra, expected):
    [record] = parse("invoices", PAID_HEADERS, invoice() + extra)
    assert (
        record.paid_on,
        record.paid_amount,
        record.amount_excl_tax,
        record.is_disputed,
    ) == expected


@pytest.mark.parametrize(
    ("extra", "reason"),
    [
        (["2024-02-01", "1300", "", ""], "montant réglé supérieur au montant : 1300 > 1200.00"),
        (["", "300", "", ""], "montant réglé sans date de règlement"),
        (["2024-02-01", "-3", "", ""], "montant réglé négatif ou nul"),
        (["2024-13-01", "", "", ""], "date de règlement illisible : '2024-13-01'"),
        (["", "", "1300", ""], "montant HT supérieur au montant TTC : '1300'"),
        (["", "", "", "peut-être"], "litige inconnu(e) : 'peut-être'"),
    ],
)
def test_rejects_inconsistent_payment_columns(extra, reason):
    [rejection] = parse("invoices", PAID_HEADERS, invoice() + extra)
    assert rejection.reason.startswith(reason)


def test_a_short_row_has_empty_cells():
    [rejection] = parse("invoices", INVOICE_HEADERS, ["C1", "Dupont", "F1", "2024-01-15"])
    assert rejection.reason == "montant manquant"
    [record] = parse("invoices", INVOICE_HEADERS, invoice()[:6])
    assert record.currency == "EUR"


def test_the_currency_defaults_to_the_companys():
    [record] = parse("invoices", INVOICE_HEADERS[:6], invoice()[:6], currency="CHF")
    assert record.currency == "CHF"
    [record] = parse("invoices", INVOICE_HEADERS, invoice(currency="€"), currency="CHF")
    assert record.currency == "EUR"


# --- payments -------------------------------------------------------------------------------

PAYMENT_HEADERS = [
    "Code client",
    "Date de règlement",
    "Montant",
    "Mode de règlement",
    "Référence",
    "N° facture",
]


def test_parses_payments_with_stable_keys():
    rows = [
        ["C1", "05/02/2024", "100,00", "Virement", "VIR 123", "F1"],
        ["C1", "05/02/2024", "100", "virement", "VIR 123", ""],
        ["C2", "2024-02-06", "50", "Chèque", "", ""],
        ["C2", "2024-02-06", "50", "Bitcoin", "", ""],
    ]
    first, second, third, fourth = parse("payments", PAYMENT_HEADERS, *rows)
    assert isinstance(first, PaymentRecord)
    assert (first.received_on, first.amount, first.method, first.invoice_number) == (
        date(2024, 2, 5),
        Decimal("100.00"),
        PaymentMethod.TRANSFER,
        "F1",
    )
    # The same payment twice in a file is two payments, each with its own key.
    assert first.source_key.startswith("pay:") and first.source_key.endswith(":1")
    assert second.source_key == first.source_key[:-1] + "2"
    assert (third.method, fourth.method) == (PaymentMethod.CHEQUE, PaymentMethod.OTHER)
    # Importing the same file again gives the same keys.
    again = parse("payments", PAYMENT_HEADERS, *rows)
    assert [r.source_key for r in again] == [r.source_key for r in (first, second, third, fourth)]


@pytest.mark.parametrize(
    ("cells", "reason"),
    [
        (["C1", "05/02/2024", "-100", "", "", ""], "montant négatif ou nul : '-100'"),
        (["C1", "", "100", "", "", ""], "date du règlement manquante"),
        (["C1", "32/01/2024", "100", "", "", ""], "date du règlement illisible : '32/01/2024'"),
        (["", "05/02/2024", "100", "", "", ""], "code client manquant"),
    ],
)
def test_rejects_a_bad_payment_row(cells, reason):
    [rejection] = parse("payments", PAYMENT_HEADERS, cells)
    assert rejection.reason == reason


# --- customers and contacts -----------------------------------------------------------------

CUSTOMER_HEADERS = [
    "Code client",
    "Raison sociale",
    "SIRET",
    "TVA intracom",
    "Particulier",
    "Profil payeur",
    "Langue",
    "Encours autorisé",
    "E-mail",
    "Tél",
    "Pays",
]
GOOD_CUSTOMER = [
    "C1",
    "Dupont SA",
    "732 829 320 00074",
    "FR44732829320",
    "non",
    "Mauvais payeur",
    "Anglais",
    "5 000",
    "compta@dupont.fr",
    "01 23 45 67 89",
    "France",
]


def test_parses_a_customer_row():
    [record] = parse("customers", CUSTOMER_HEADERS, GOOD_CUSTOMER)
    assert record == CustomerRecord(
        line=2,
        code="C1",
        name="Dupont SA",
        siren="732829320",
        siret="73282932000074",
        vat_number="FR44732829320",
        is_consumer=False,
        payer_profile=PayerProfile.BAD,
        language="en",
        credit_limit=Decimal("5000"),
        email="compta@dupont.fr",
        phone="+33123456789",
        country="FR",
    )


@pytest.mark.parametrize(
    ("index", "value", "reason"),
    [
        (0, "", "code client manquant"),
        (1, "", "nom manquant"),
        (2, "73282932000075", "SIRET invalide : '73282932000075'"),
        (3, "FR00123", "n° de TVA invalide : 'FR00123'"),
        (4, "peut-être", "particulier inconnu(e) : 'peut-être'"),
        (5, "excellent", "profil payeur inconnu(e) : 'excellent'"),
        (6, "klingon", "langue inconnu(e) : 'klingon'"),
        (7, "-5", "encours autorisé négatif : -5"),
        (8, "compta.dupont.fr", "e-mail invalide : 'compta.dupont.fr'"),
        (9, "12", "téléphone invalide : '12'"),
        (10, "Atlantide", "pays inconnu : 'Atlantide'"),
    ],
)
def test_rejects_a_bad_customer_row(index, value, reason):
    row = list(GOOD_CUSTOMER)
    row[index] = value
    [rejection] = parse("customers", CUSTOMER_HEADERS, row)
    assert rejection.reason.startswith(reason)


def test_checks_the_siren():
    [rejection] = parse("customers", ["Code", "Nom", "SIREN"], ["C1", "X", "123456789"])
    assert rejection.reason == "SIREN invalide : '123456789'"
    [rejection] = parse(
        "customers", ["Code", "Nom", "SIREN", "SIRET"], ["C1", "X", "552100554", "73282932000074"]
    )
    assert rejection.reason.startswith("SIRET 73282932000074 d'une autre entreprise")


def test_parses_contacts():
    headers = ["N° client", "Nom", "Fonction", "Email", "Portable", "Canal", "Pays"]
    rows = parse(
        "contacts",
        headers,
        ["C1", "Anne Martin", "Comptabilité", "a.martin@dupont.fr", "06 12 34 56 78", "SMS", "FR"],
        ["C1", "Paul", "Stagiaire", "", "", "", ""],
        ["C2", "Hans", "", "", "0151 23456789", "", "DE"],
    )
    assert rows[0] == ContactRecord(
        line=2,
        customer_code="C1",
        name="Anne Martin",
        role="accounting",
        email="a.martin@dupont.fr",
        mobile="+33612345678",
        preferred_channel="sms",
        country="FR",
    )
    assert rows[1] == Rejection(line=3, reason="rôle inconnu(e) : 'Stagiaire'")
    assert (rows[2].role, rows[2].mobile) == ("billing", "+4915123456789")
