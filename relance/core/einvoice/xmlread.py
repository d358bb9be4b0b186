"""Safe XML parsing and a reader that collects every missing or malformed value.

Readers never stop at the first problem: each value is read, and each problem is written down
in French with the line of the XML where it was looked for, so that an accountant can fix the
whole invoice at once.
"""

from __future__ import annotations

import datetime
import re
from decimal import Decimal, InvalidOperation
from typing import TypeAlias

from lxml import etree

from relance.core.einvoice.records import EInvoiceError

# lxml has no type hints: elements are typed Any, and every value read is converted to str.
Element: TypeAlias = etree._Element

# No network, no external entities (XXE), no DTD: an invoice is data, never a fetch.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
_CII_DATE = re.compile(r"\d{8}")


def parse_xml(data: bytes) -> Element:
    """The root element, or EInvoiceError when the bytes are not well-formed XML or have a DTD."""
    try:
        root = etree.fromstring(data, parser=_PARSER)
    except etree.XMLSyntaxError as error:
        line = f" (ligne {error.lineno})" if error.lineno else ""
        raise EInvoiceError([f"XML mal formé{line} : {error.msg}"]) from None
    # No e-invoice standard uses a DTD; one declaring entities is refused rather than guessed.
    if root.getroottree().docinfo.doctype:
        raise EInvoiceError(
            ["XML refusé : il déclare un DOCTYPE, qu'aucune facture électronique n'utilise"]
        )
    return root


def local_name(element: Element) -> str:
    return str(etree.QName(element).localname)


def namespace(element: Element) -> str:
    return str(etree.QName(element).namespace or "")


class XmlReader:
    """Reads values by XPath relative to an element; problems go to `reasons` and `warnings`.

    `label` names the syntax and profile in every reason ("Factur-X EN16931 : ...").
    """

    def __init__(self, root: Element, namespaces: dict[str, str], label: str) -> None:
        self.root = root
        self.namespaces = namespaces
        self.label = label
        self.reasons: list[str] = []
        self.warnings: list[str] = []

    def all(self, path: str, at: Element | None = None) -> list[Element]:
        # Paths here always select elements, never text or attributes.
        return list((self.root if at is None else at).xpath(path, namespaces=self.namespaces))

    def find(self, path: str, at: Element | None = None) -> Element | None:
        found = self.all(path, at)
        return found[0] if found else None

    def text(self, path: str, at: Element | None = None) -> str:
        element = self.find(path, at)
        return (element.text or "").strip() if element is not None else ""

    def texts(self, path: str, at: Element | None = None) -> list[str]:
        return [(e.text or "").strip() for e in self.all(path, at) if (e.text or "").strip()]

    def required_text(self, path: str, term: str, at: Element | None = None) -> str:
        value = self.text(path, at)
        if not value:
            self.missing(path, term, at)
        return value

    def missing(self, path: str, term: str, at: Element | None = None) -> None:
        """Write down that `term` is absent, with the element and line where it was expected."""
        name, line = self._deepest(path, at)
        self.reasons.append(f"{self.label} : {term} manquant (élément {name}, ligne {line})")

    def malformed(self, element: Element, term: str, value: str, expected: str) -> None:
        self.reasons.append(
            f"{self.label} : {term} illisible '{value}', {expected} "
            f"(élément {local_name(element)}, ligne {element.sourceline})"
        )

    def date(self, path: str, term: str, at: Element | None = None) -> datetime.date | None:
        """A date written 20260131 (CII format 102) or 2026-01-31 (UBL), else None."""
        element = self.find(path, at)
        value = (element.text or "").strip() if element is not None else ""
        if element is None or not value:
            return None
        try:
            if _CII_DATE.fullmatch(value):
                return datetime.date(int(value[:4]), int(value[4:6]), int(value[6:]))
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            self.malformed(element, term, value, "date attendue")
            return None

    def required_date(
        self, path: str, term: str, at: Element | None = None
    ) -> datetime.date | None:
        if not self.text(path, at):
            self.missing(path, term, at)
        return self.date(path, term, at)

    def amount(self, path: str, term: str, at: Element | None = None) -> Decimal | None:
        element = self.find(path, at)
        return None if element is None else self.amount_of(element, term)

    def amount_of(self, element: Element, term: str) -> Decimal | None:
        value = (element.text or "").strip()
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = Decimal("NaN")
        if not amount.is_finite():
            self.malformed(element, term, value, "montant attendu")
            return None
        return amount

    def required_amount(self, path: str, term: str, at: Element | None = None) -> Decimal | None:
        if self.find(path, at) is None:
            self.missing(path, term, at)
            return None
        return self.amount(path, term, at)

    def _deepest(self, path: str, at: Element | None) -> tuple[str, int]:
        """The first missing step of `path` and the line of the last element that exists."""
        current = self.root if at is None else at
        steps = path.split("/")
        for step in steps:
            found = self.find(step, current)
            if found is None:
                return step.split(":")[-1].split("[")[0], current.sourceline or 0
            current = found
        return steps[-1].split(":")[-1], current.sourceline or 0
