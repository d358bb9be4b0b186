"""CAMT.053 (statement) and CAMT.054 (debit/credit notification), ISO 20022, .001.02 to .001.08.

- Statement: `Stmt` (053) or `Ntfctn` (054); account = `Acct/Id/IBAN`, else `Acct/Id/Othr/Id`.
- Balances (053 only): opening = OPBD, else PRCD (previous closing); closing = CLBD. A 053
  without both is refused; a 054 has no balances, so `balance_gap()` is None.
- Entries (`Ntry`): only booked ones (`Sts` BOOK, or no status): pending or information-only
  entries are not in the booked balances. Sign from `CdtDbtInd` (DBIT is negative).
- Several `TxDtls` in one entry (a batch): one BankLine per transaction detail when every
  detail has its own amount, in the entry's currency, and they add up to the entry; otherwise
  one BankLine for the entry, with the remittances joined and the other fields kept only when
  all details agree. The statement's lines then always add up to what the bank booked.
- Counterparty: the debtor of a credit, the creditor of a debit (`RltdPties`, with the v8
  `Pty` level). Remittance: the `Ustrd` joined, else `AddtlTxInf`/`AddtlNtryInf`. Reference:
  the first `Strd/CdtrRefInf/Ref`. Return: `RvslInd` true, a return information block
  (`RtrInf`), or an ISO bank transaction sub-family of returns/reversals.
- camt.052 (intraday account report) is refused: its entries are provisional and come back
  in the evening camt.053 with their balances; importing both would count them twice.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from lxml import etree

from relance.core.money import MoneyError, parse_currency

from .records import BankFileError, BankLine, BankStatement, StatementFile

_NAMESPACE = re.compile(r"urn:iso:std:iso:20022:tech:xsd:camt\.(05\d)\.001\.(\d\d)$")
VERSIONS = range(2, 9)
_CONTAINERS = {"053": ("BkToCstmrStmt", "Stmt"), "054": ("BkToCstmrDbtCdtNtfctn", "Ntfctn")}
# ISO external bank transaction sub-family codes of returned or reversed payments.
RETURN_SUBFAMILIES = frozenset(["RRTN", "RPCR", "UPDD", "PRDD", "ARET", "AREV", "RCDD"])
_UNKNOWN_IDS = frozenset(["", "NOTPROVIDED", "NONREF"])


def read_camt(data: bytes) -> StatementFile:
    """Statements of a camt.053 or camt.054 document."""
    root = _parse(data)
    match = _NAMESPACE.match(etree.QName(root).namespace or "")
    if match is None:
        raise BankFileError(
            f"format de relevé non reconnu : XML d'espace de noms "
            f"{etree.QName(root).namespace or 'absent'!r} ; formats XML acceptés : "
            "camt.053 et camt.054 (urn:iso:std:iso:20022:tech:xsd:camt.05X.001.0N)"
        )
    message, version = match.group(1), int(match.group(2))
    _check_kind(message, version)
    reader = _Reader(etree.QName(root).namespace or "", has_balances=message == "053")
    container, element = _CONTAINERS[message]
    statements = reader.all(root, f"{container}/{element}")
    if not statements:
        raise BankFileError(f"aucun relevé ({element}) dans le fichier camt.{message}")
    return StatementFile(
        f"camt.{message}.001.{version:02d}",
        tuple(reader.statement(statement) for statement in statements),
    )


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, remove_comments=True)
    try:
        return etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        raise BankFileError(f"XML mal formé : {error.msg}", error.lineno) from None


def _check_kind(message: str, version: int) -> None:
    if message == "052":
        raise BankFileError(
            "camt.052 (relevé intrajournalier) non pris en charge : ses écritures sont "
            "provisoires et reviennent dans le camt.053 du soir avec les soldes ; "
            "importez le camt.053"
        )
    if message not in _CONTAINERS:
        raise BankFileError(f"message camt.{message} non pris en charge (camt.053 ou camt.054)")
    if version not in VERSIONS:
        raise BankFileError(
            f"version camt.{message}.001.{version:02d} non prise en charge "
            "(versions .001.02 à .001.08)"
        )


class _Reader:
    """Reads elements of one namespace; paths are written without prefixes ("Ntry/Amt")."""

    def __init__(self, namespace: str, has_balances: bool) -> None:
        self.ns = namespace
        self.has_balances = has_balances

    def _path(self, path: str) -> str:
        return "/".join(f"{{{self.ns}}}{part}" for part in path.split("/"))

    def all(self, element: etree._Element, path: str) -> list[etree._Element]:
        return list(element.iterfind(self._path(path)))

    def find(self, element: etree._Element, path: str) -> etree._Element | None:
        return element.find(self._path(path))

    def text(self, element: etree._Element | None, *paths: str) -> str:
        """Text of the first of `paths` that is present and not blank."""
        if element is None:
            return ""
        for path in paths:
            found = element.find(self._path(path))
            if found is not None and (found.text or "").strip():
                return (found.text or "").strip()
        return ""

    # --- statement --------------------------------------------------------------------

    def statement(self, element: etree._Element) -> BankStatement:
        account = self.text(element, "Acct/Id/IBAN", "Acct/Id/Othr/Id")
        opening = closing = None
        if self.has_balances:
            opening = self._balance(element, ("OPBD", "PRCD"), "d'ouverture (OPBD ou PRCD)")
            closing = self._balance(element, ("CLBD",), "de clôture (CLBD)")
        lines = [line for entry in self.all(element, "Ntry") for line in self.entry(entry)]
        currency = self.text(element, "Acct/Ccy") or (opening[2] if opening else "")
        currency = currency or (lines[0].currency if lines else "")
        return BankStatement(
            account=account,
            currency=_currency(currency, _line(element)) if currency else "",
            lines=tuple(lines),
            opening_on=opening[0] if opening else None,
            opening_balance=opening[1] if opening else None,
            closing_on=closing[0] if closing else None,
            closing_balance=closing[1] if closing else None,
            reference=self.text(element, "Id", "ElctrncSeqNb", "LglSeqNb"),
            line=_line(element),
        )

    def _balance(
        self, statement: etree._Element, codes: tuple[str, ...], label: str
    ) -> tuple[date, Decimal, str]:
        by_code = {
            self.text(balance, "Tp/CdOrPrtry/Cd", "Tp/CdOrPrtry/Prtry"): balance
            for balance in reversed(self.all(statement, "Bal"))
        }
        balance = next((by_code[code] for code in codes if code in by_code), None)
        if balance is None:
            raise BankFileError(f"relevé sans solde {label}", _line(statement))
        amount, currency = self._signed_amount(balance, "Amt", balance)
        return self._date(balance, "Dt/Dt", "Dt/DtTm"), amount, currency

    # --- entries ----------------------------------------------------------------------

    def entry(self, entry: etree._Element) -> list[BankLine]:
        if self.text(entry, "Sts", "Sts/Cd") not in {"", "BOOK"}:
            return []
        amount, currency = self._signed_amount(entry, "Amt", entry)
        details = self.all(entry, "NtryDtls/TxDtls")
        if len(details) > 1 and self._details_add_up(details, entry, amount, currency):
            return [
                self._line(entry, [detail], *self._signed_amount(detail, "", entry))
                for detail in details
            ]
        return [self._line(entry, details, amount, currency)]

    def _details_add_up(
        self,
        details: list[etree._Element],
        entry: etree._Element,
        amount: Decimal,
        currency: str,
    ) -> bool:
        total = Decimal(0)
        for detail in details:
            if not self._detail_amount_path(detail):
                return False
            value, detail_currency = self._signed_amount(detail, "", entry)
            if detail_currency != currency:
                return False
            total += value
        return total == amount

    def _detail_amount_path(self, detail: etree._Element) -> str:
        for path in ("Amt", "AmtDtls/TxAmt/Amt"):
            if self.find(detail, path) is not None:
                return path
        return ""

    def _line(
        self,
        entry: etree._Element,
        details: list[etree._Element],
        amount: Decimal,
        currency: str,
    ) -> BankLine:
        side = "Dbtr" if amount >= 0 else "Cdtr"
        texts = [text for detail in details for text in self._remittances(detail)]
        texts = texts or [self.text(entry, "AddtlNtryInf")]
        source = details[0] if len(details) == 1 else entry
        return BankLine(
            line=_line(source),
            booked_on=self._date(entry, "BookgDt/Dt", "BookgDt/DtTm", "ValDt/Dt", "ValDt/DtTm"),
            value_on=self._optional_date(entry, "ValDt/Dt", "ValDt/DtTm"),
            amount=amount,
            currency=currency,
            counterparty_name=self._agreed(
                details, f"RltdPties/{side}/Nm", f"RltdPties/{side}/Pty/Nm"
            ),
            counterparty_iban=self._agreed(details, f"RltdPties/{side}Acct/Id/IBAN"),
            remittance=" ".join(text for text in texts if text),
            structured_reference=self._agreed(details, "RmtInf/Strd/CdtrRefInf/Ref"),
            end_to_end_id=self._agreed(details, "Refs/EndToEndId"),
            bank_reference=self._agreed(details, "Refs/AcctSvcrRef")
            or self.text(entry, "AcctSvcrRef"),
            bank_code=self._bank_code(details[0] if len(details) == 1 else entry)
            or self._bank_code(entry),
            is_return=self._is_return(entry, details),
        )

    def _remittances(self, detail: etree._Element) -> list[str]:
        texts = [(element.text or "").strip() for element in self.all(detail, "RmtInf/Ustrd")]
        return [text for text in texts if text] or [self.text(detail, "AddtlTxInf")]

    def _agreed(self, details: list[etree._Element], *paths: str) -> str:
        """The value all details give (the first structured reference of each)."""
        values = {self.text(detail, *paths) for detail in details}
        values = {value for value in values if value.upper() not in _UNKNOWN_IDS}
        return values.pop() if len(values) == 1 else ""

    def _bank_code(self, element: etree._Element) -> str:
        domain = self.text(element, "BkTxCd/Domn/Cd")
        if domain:
            family = self.text(element, "BkTxCd/Domn/Fmly/Cd")
            sub = self.text(element, "BkTxCd/Domn/Fmly/SubFmlyCd")
            return "/".join(part for part in (domain, family, sub) if part)
        return self.text(element, "BkTxCd/Prtry/Cd")

    def _is_return(self, entry: etree._Element, details: list[etree._Element]) -> bool:
        if self.text(entry, "RvslInd").lower() in {"true", "1"}:
            return True
        elements = [entry, *details]
        if any(self.find(detail, "RtrInf") is not None for detail in details):
            return True
        subs = {self.text(element, "BkTxCd/Domn/Fmly/SubFmlyCd") for element in elements}
        return bool(subs & RETURN_SUBFAMILIES)

    # --- values -----------------------------------------------------------------------

    def _signed_amount(
        self, element: etree._Element, path: str, parent: etree._Element
    ) -> tuple[Decimal, str]:
        """Amount with its sign from the element's CdtDbtInd (else the parent's)."""
        path = path or self._detail_amount_path(element)
        amount_element = self.find(element, path)
        if amount_element is None:
            raise BankFileError(f"montant ({path}) absent", _line(element))
        amount = _decimal(amount_element.text or "", _line(amount_element))
        indicator = self.text(element, "CdtDbtInd") or self.text(parent, "CdtDbtInd")
        if indicator not in {"CRDT", "DBIT"}:
            raise BankFileError(
                f"sens CdtDbtInd {indicator!r} invalide (CRDT ou DBIT attendu)", _line(element)
            )
        currency = _currency(amount_element.get("Ccy", ""), _line(amount_element))
        return (-amount if indicator == "DBIT" else amount), currency

    def _optional_date(self, element: etree._Element, *paths: str) -> date | None:
        text = self.text(element, *paths)
        return _date(text, _line(element)) if text else None

    def _date(self, element: etree._Element, *paths: str) -> date:
        on = self._optional_date(element, *paths)
        if on is None:
            raise BankFileError(f"date absente ({paths[0]})", _line(element))
        return on


def _line(element: etree._Element) -> int:
    return element.sourceline or 0


def _decimal(text: str, line: int) -> Decimal:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise BankFileError(f"montant illisible {text!r}", line) from None
    if not value.is_finite() or value < 0:
        raise BankFileError(f"montant illisible {text!r}", line)
    return value


def _currency(text: str, line: int) -> str:
    try:
        return parse_currency(text)
    except MoneyError:
        raise BankFileError(f"devise inconnue {text!r}", line) from None


def _date(text: str, line: int) -> date:
    """ISODate or ISODateTime (the date part: a booking day is the bank's local day)."""
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise BankFileError(f"date illisible {text!r}", line) from None
