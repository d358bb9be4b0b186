"""The words of tables: header synonyms, labels of fields in messages, and cell values.

Headers and values are compared after `normalise`: no accents, no case, no punctuation, no
articles, and every way of writing "number" (N°, No, Num, Numéro, Number, #) read as "n".
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_NOT_WORD = re.compile(r"[^a-z0-9]+")
_STOPWORDS = frozenset({"de", "du", "d", "des", "la", "le", "l", "les", "of", "the", "en", "a"})
_NUMBER = frozenset({"n", "no", "num", "numero", "nr", "nro", "number", "nb", "nbr"})


@lru_cache(maxsize=4096)
def normalise(text: str) -> str:
    """'N° de facture' -> 'n facture'; 'Date d'échéance' -> 'date echeance'."""
    text = text.replace("°", " ").replace("º", " ").replace("#", " n ")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = []
    for word in _NOT_WORD.split(ascii_text.lower()):
        if word in _NUMBER:
            words.append("n")
        elif word and word not in _STOPWORDS:
            words.append(word)
    return " ".join(words)


@lru_cache(maxsize=4096)
def plain(text: str) -> str:
    """A cell value compared loosely: 'Chèque ' -> 'cheque', 'Crédit-Note' -> 'credit note'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(_NOT_WORD.split(ascii_text.lower())).strip()


# Each field's headers, most specific first (the rank breaks ties when two columns match the
# same field: "Date facture" beats "Date").
_CUSTOMER_CODE = [
    "code client",
    "customer code",
    "n client",
    "compte client",
    "customer id",
    "client id",
    "id client",
    "customer n",
    "customer account",
    "account n",
    "code tiers",
    "compte tiers",
    "compte auxiliaire",
    "ref client",
    "reference client",
    "client code",
    "customer_code",
]
_CUSTOMER_NAME = [
    "nom client",
    "customer name",
    "raison sociale",
    "client",
    "customer",
    "nom tiers",
    "denomination",
    "societe",
    "company",
    "company name",
    "nom",
    "name",
    "customer_name",
    "client name",
]
_EMAIL = [
    "email",
    "e mail",
    "mail",
    "courriel",
    "adresse email",
    "adresse e mail",
    "adresse mail",
    "email address",
    "e mail address",
]
_PHONE = [
    "telephone",
    "tel",
    "phone",
    "telephone fixe",
    "tel fixe",
    "phone n",
    "telephone n",
    "n telephone",
    "n tel",
    "tel n",
    "landline",
]
_MOBILE = [
    "mobile",
    "portable",
    "tel portable",
    "telephone portable",
    "tel mobile",
    "telephone mobile",
    "gsm",
    "cell",
    "cellphone",
    "mobile phone",
    "cell phone",
]
_ADDRESS = {
    "address": [
        "adresse",
        "address",
        "rue",
        "adresse 1",
        "adresse ligne 1",
        "address line 1",
        "address 1",
        "street",
        "voie",
    ],
    "postal_code": ["code postal", "cp", "postal code", "zip", "zip code", "postcode", "code post"],
    "city": ["ville", "city", "commune", "localite", "town"],
    "country": ["pays", "country", "code pays", "country code"],
}

_SYNONYMS: dict[str, dict[str, list[str]]] = {
    "customers": {
        "code": [*_CUSTOMER_CODE, "code", "id", "compte"],
        "name": _CUSTOMER_NAME,
        "siren": ["siren", "n siren"],
        "siret": ["siret", "n siret"],
        "vat_number": [
            "tva intracom",
            "n tva intracom",
            "tva intracommunautaire",
            "n tva intracommunautaire",
            "n tva",
            "tva",
            "vat",
            "vat n",
            "vat id",
            "n identification tva",
            "identifiant tva",
        ],
        "is_consumer": ["particulier", "consumer", "b2c", "client particulier"],
        "payer_profile": ["profil payeur", "payer profile", "profil", "profile"],
        "language": ["langue", "language", "lang"],
        "credit_limit": [
            "encours autorise",
            "plafond encours",
            "credit limit",
            "limite credit",
            "plafond",
            "encours max",
            "encours maximum",
        ],
        "email": _EMAIL,
        "phone": _PHONE,
        **_ADDRESS,
    },
    "contacts": {
        "customer_code": [*_CUSTOMER_CODE, "client", "code", "compte"],
        "name": [
            "nom contact",
            "contact name",
            "contact",
            "interlocuteur",
            "nom prenom",
            "prenom nom",
            "full name",
            "nom",
            "name",
        ],
        "role": ["role", "fonction", "type contact", "service"],
        "email": _EMAIL,
        "phone": _PHONE,
        "mobile": _MOBILE,
        "preferred_channel": ["canal prefere", "preferred channel", "canal", "channel"],
        **_ADDRESS,
    },
    "invoices": {
        "customer_code": [*_CUSTOMER_CODE, "compte"],
        "customer_name": _CUSTOMER_NAME,
        "number": [
            "n facture",
            "invoice n",
            "facture",
            "invoice",
            "n piece",
            "piece",
            "n document",
            "document n",
            "ref facture",
            "reference facture",
            "invoice ref",
            "invoice reference",
            "reference",
            "ref",
            "n",
        ],
        "kind": ["type piece", "type document", "document type", "type", "nature", "kind"],
        "issued_on": [
            "date facture",
            "invoice date",
            "date emission",
            "date piece",
            "date document",
            "document date",
            "issue date",
            "issued on",
            "date",
        ],
        "due_on": [
            "date echeance",
            "echeance",
            "due date",
            "date limite paiement",
            "date limite reglement",
            "payment due date",
            "date exigibilite",
            "due on",
            "due",
            "echeance facture",
        ],
        "amount": [
            "montant ttc",
            "total ttc",
            "ttc",
            "montant facture ttc",
            "amount incl tax",
            "amount including tax",
            "total incl vat",
            "total amount",
            "invoice amount",
            "gross amount",
            "montant facture",
            "montant",
            "amount",
            "total",
        ],
        "amount_excl_tax": [
            "montant ht",
            "total ht",
            "ht",
            "base ht",
            "amount excl tax",
            "amount excluding tax",
            "total excl vat",
            "net amount",
            "subtotal",
        ],
        "currency": ["devise", "currency", "monnaie", "ccy", "cur"],
        "po_reference": [
            "ref commande",
            "reference commande",
            "n commande",
            "bon commande",
            "n bon commande",
            "commande",
            "votre reference",
            "po",
            "po n",
            "purchase order",
            "order n",
            "order reference",
        ],
        "paid_on": [
            "date reglement",
            "date paiement",
            "paye le",
            "regle le",
            "date encaissement",
            "paid on",
            "payment date",
            "paid date",
            "date paid",
        ],
        "paid_amount": [
            "montant regle",
            "montant paye",
            "montant encaisse",
            "paid amount",
            "amount paid",
            "regle",
            "paye",
        ],
        "disputed": ["litige", "en litige", "disputed", "dispute", "contestation", "conteste"],
        "payment_days": [
            "delai paiement",
            "delai reglement",
            "payment days",
            "payment terms days",
            "delai",
        ],
    },
    "payments": {
        "customer_code": [*_CUSTOMER_CODE, "compte"],
        "customer_name": _CUSTOMER_NAME,
        "received_on": [
            "date reglement",
            "date paiement",
            "date encaissement",
            "date reception",
            "payment date",
            "received on",
            "date valeur",
            "value date",
            "date operation",
            "date",
        ],
        "amount": [
            "montant regle",
            "montant paye",
            "montant encaisse",
            "paid amount",
            "amount paid",
            "montant",
            "amount",
            "total",
        ],
        "currency": ["devise", "currency", "monnaie", "ccy", "cur"],
        "method": [
            "mode reglement",
            "mode paiement",
            "moyen paiement",
            "payment method",
            "type reglement",
            "mode",
            "method",
            "type",
        ],
        "reference": [
            "reference paiement",
            "reference reglement",
            "payment reference",
            "reference virement",
            "n cheque",
            "n operation",
            "reference",
            "ref",
            "libelle",
            "label",
        ],
        "invoice_number": [
            "n facture",
            "invoice n",
            "facture",
            "factures",
            "factures reglees",
            "invoice",
            "invoices",
        ],
    },
}

# kind -> normalised header -> [(field, rank)]
SYNONYMS: dict[str, dict[str, list[tuple[str, int]]]] = {}
for _kind, _fields in _SYNONYMS.items():
    _table: dict[str, list[tuple[str, int]]] = {}
    for _name, _headers in _fields.items():
        for _rank, _header in enumerate(_headers):
            _table.setdefault(normalise(_header), []).append((_name, _rank))
    SYNONYMS[_kind] = _table

# How a field is named in a rejection reason.
LABELS = {
    "code": "code client",
    "customer_code": "code client",
    "name": "nom",
    "customer_name": "nom du client",
    "number": "numéro de facture",
    "kind": "type de pièce",
    "issued_on": "date de facture",
    "due_on": "date d'échéance",
    "amount": "montant",
    "amount_excl_tax": "montant HT",
    "currency": "devise",
    "po_reference": "référence commande",
    "paid_on": "date de règlement",
    "paid_amount": "montant réglé",
    "disputed": "litige",
    "received_on": "date du règlement",
    "method": "mode de règlement",
    "reference": "référence",
    "invoice_number": "numéro de facture",
    "siren": "SIREN",
    "siret": "SIRET",
    "vat_number": "n° de TVA",
    "is_consumer": "particulier",
    "payer_profile": "profil payeur",
    "language": "langue",
    "credit_limit": "encours autorisé",
    "email": "e-mail",
    "phone": "téléphone",
    "mobile": "mobile",
    "address": "adresse",
    "postal_code": "code postal",
    "city": "ville",
    "country": "pays",
    "role": "rôle",
    "preferred_channel": "canal préféré",
    "payment_days": "délai de paiement",
}

_YES = ["oui", "o", "yes", "y", "true", "vrai", "1", "x"]
_NO = ["non", "n", "no", "false", "faux", "0"]


def _values(choices: dict[str, list[str]]) -> dict[str, str]:
    return {plain(word): value for value, words in choices.items() for word in [value, *words]}


# field -> normalised cell text -> stored value
VALUES: dict[str, dict[str, str]] = {
    "is_consumer": _values(
        {
            "oui": [*_YES, "particulier", "b2c", "consumer"],
            "non": [*_NO, "professionnel", "pro", "entreprise", "b2b"],
        }
    ),
    "disputed": _values(
        {"oui": [*_YES, "litige", "en litige", "disputed", "conteste"], "non": _NO}
    ),
    "payer_profile": _values(
        {
            "good": ["bon payeur", "bon", "good payer"],
            "negligent": ["negligent", "negligente"],
            "bad": ["mauvais payeur", "mauvais", "bad payer"],
            "insolvent": ["insolvable", "defaillant"],
            "administrative": ["administratif", "administration", "public"],
            "dispute_prone": ["litigieux", "procedurier", "dispute prone", "contestataire"],
            "automatic": ["automatique", "prelevement", "auto"],
        }
    ),
    "language": _values(
        {
            "fr": ["francais", "french", "fra", "fre"],
            "en": ["anglais", "english", "eng", "gb", "uk"],
        }
    ),
    "role": _values(
        {
            "billing": ["facturation", "factures", "billing", "invoicing"],
            "accounting": [
                "comptabilite",
                "compta",
                "comptable",
                "accounting",
                "accounts payable",
                "comptabilite fournisseurs",
            ],
            "management": [
                "direction",
                "dirigeant",
                "gerant",
                "directeur",
                "management",
                "ceo",
                "daf",
                "cfo",
            ],
            "sales": ["commercial", "ventes", "achats", "acheteur", "sales", "purchasing"],
        }
    ),
    "preferred_channel": _values(
        {
            "email": ["e mail", "mail", "courriel"],
            "sms": ["texto", "text"],
            "letter": ["courrier", "lettre", "poste", "post"],
            "phone": ["telephone", "tel", "appel", "call"],
        }
    ),
    "kind": _values(
        {
            "invoice": ["facture", "fa", "f", "fac", "fact", "inv"],
            "credit_note": ["avoir", "av", "credit note", "credit", "cn", "avoirs"],
        }
    ),
    "method": _values(
        {
            "transfer": [
                "virement",
                "vir",
                "vrt",
                "wire",
                "sepa",
                "bank transfer",
                "virement sepa",
            ],
            "card": ["carte", "cb", "carte bancaire", "credit card", "carte bleue"],
            "cheque": ["cheque", "chq", "ch", "check"],
            "direct_debit": ["prelevement", "prlv", "sdd", "direct debit", "prelevement sepa"],
            "lcr": ["lcr", "traite", "effet", "lettre change", "lettre change releve"],
            "cash": ["especes", "liquide", "cash"],
            "other": ["autre", "divers"],
        }
    ),
}

# Country names a French user writes; two-letter codes are taken as they are.
COUNTRIES = _values(
    {
        "FR": ["france"],
        "BE": ["belgique", "belgium"],
        "CH": ["suisse", "switzerland"],
        "LU": ["luxembourg"],
        "DE": ["allemagne", "germany"],
        "ES": ["espagne", "spain"],
        "IT": ["italie", "italy"],
        "GB": ["royaume uni", "angleterre", "united kingdom", "uk"],
        "NL": ["pays bas", "netherlands", "hollande"],
        "PT": ["portugal"],
        "MC": ["monaco"],
        "AT": ["autriche", "austria"],
        "IE": ["irlande", "ireland"],
        "US": ["etats unis", "usa", "united states"],
        "CA": ["canada"],
        "MA": ["maroc", "morocco"],
        "TN": ["tunisie", "tunisia"],
        "DZ": ["algerie", "algeria"],
        "SN": ["senegal"],
        "PL": ["pologne", "poland"],
    }
)
