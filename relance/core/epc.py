"""The EPC QR code payload ("girocode"): a SEPA credit transfer that banking apps scan.

European Payments Council, EPC069-12 "Quick Response Code: guidelines to enable data capture
for the initiation of a SEPA credit transfer", version 002 of the data: twelve lines separated
by a line feed, in this order, trailing empty lines left out:

    BCD              service tag
    002              version (the BIC is optional within the EEA)
    1                character set: 1 = UTF-8
    SCT              identification: SEPA credit transfer
    BIC              8 or 11 characters, may be empty
    name             the beneficiary, at most 70 characters
    IBAN             at most 34 characters
    EUR123.45        amount: EUR, then 0.01 to 999999999.99 with a dot
    purpose          4 characters, empty here
    reference        structured remittance (ISO 11649 "RF..."), at most 35 characters
    text             unstructured remittance, at most 140 characters
    information      beneficiary to originator, empty here

A reference and a text exclude each other; the whole payload holds at most 331 bytes. The
code itself is drawn by the caller (error correction level M, as the guidelines ask).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from stdnum import bic as stdnum_bic
from stdnum import iban as stdnum_iban
from stdnum import iso11649

MIN_AMOUNT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999.99")
MAX_NAME = 70
MAX_REFERENCE = 35
MAX_TEXT = 140
MAX_BYTES = 331


class EpcError(ValueError):
    """A transfer the EPC QR code cannot carry; the message says which field and why."""


@dataclass(frozen=True)
class Transfer:
    """A SEPA credit transfer to offer a payer: to whom, how much, quoting what."""

    name: str
    iban: str
    amount: Decimal
    currency: str = "EUR"
    bic: str = ""
    reference: str = ""  # ISO 11649 creditor reference: what bank matching recognises first
    text: str = ""  # free remittance text, when no single reference fits


def payload(transfer: Transfer) -> str:
    """The EPC069-12 version 002 payload (UTF-8) of a transfer; raises EpcError.

    Example: Transfer("Acme SAS", "FR7630006000011234567890189", Decimal("123.4"),
    reference="RF18539007547034") gives
    "BCD\\n002\\n1\\nSCT\\n\\nAcme SAS\\nFR7630006000011234567890189\\nEUR123.40\\n\\n"
    "RF18539007547034"."""
    errors = problems(transfer)
    if errors:
        raise EpcError("QR code de virement impossible : " + " ; ".join(errors))
    return _joined(transfer)


def _joined(transfer: Transfer) -> str:
    lines = [
        "BCD",
        "002",
        "1",
        "SCT",
        stdnum_bic.compact(transfer.bic) if transfer.bic else "",
        transfer.name.strip(),
        stdnum_iban.compact(transfer.iban),
        f"EUR{transfer.amount:.2f}",
        "",
        iso11649.compact(transfer.reference) if transfer.reference else "",
        transfer.text.strip(),
    ]
    while lines[-1] == "":
        lines.pop()
    return "\n".join(lines)


def problems(transfer: Transfer) -> list[str]:
    """What prevents the transfer from being encoded, in French, field by field."""
    errors = _party_problems(transfer) + _amount_problems(transfer)
    errors += _remittance_problems(transfer)
    fields = (transfer.name, transfer.reference, transfer.text, transfer.bic, transfer.iban)
    if any("\n" in value or "\r" in value for value in fields):
        errors.append("un champ contient un retour à la ligne")
    if not errors and len(_joined(transfer).encode("utf-8")) > MAX_BYTES:
        errors.append(f"données trop longues (plus de {MAX_BYTES} octets)")
    return errors


def _party_problems(transfer: Transfer) -> list[str]:
    errors = []
    name = transfer.name.strip()
    if not name:
        errors.append("nom du bénéficiaire manquant")
    elif len(name) > MAX_NAME:
        errors.append(f"nom du bénéficiaire trop long ({len(name)} caractères, {MAX_NAME} au plus)")
    if not stdnum_iban.is_valid(transfer.iban):
        errors.append(f"IBAN invalide : {transfer.iban or '(vide)'}")
    if transfer.bic and not stdnum_bic.is_valid(transfer.bic):
        errors.append(f"BIC invalide : {transfer.bic}")
    return errors


def _amount_problems(transfer: Transfer) -> list[str]:
    errors = []
    if transfer.currency != "EUR":
        errors.append(f"un virement SEPA est en euros, pas en {transfer.currency}")
    amount = transfer.amount
    if amount != amount.quantize(MIN_AMOUNT):
        errors.append(f"montant {amount} : deux décimales au plus")
    elif not MIN_AMOUNT <= amount <= MAX_AMOUNT:
        errors.append(f"montant {amount} : entre {MIN_AMOUNT} et {MAX_AMOUNT}")
    return errors


def _remittance_problems(transfer: Transfer) -> list[str]:
    errors = []
    if transfer.reference and transfer.text.strip():
        errors.append("la référence structurée et le libellé libre s'excluent")
    if transfer.reference:
        compact = iso11649.compact(transfer.reference)
        if len(compact) > MAX_REFERENCE or not iso11649.is_valid(compact):
            errors.append(f"référence ISO 11649 invalide : {transfer.reference}")
    if len(transfer.text.strip()) > MAX_TEXT:
        errors.append(
            f"libellé trop long ({len(transfer.text.strip())} caractères, {MAX_TEXT} au plus)"
        )
    return errors


def fit_name(name: str) -> str:
    """The beneficiary's name within the 70 characters of the code: spaces collapsed, a longer
    name cut after its last whole word that fits ("Société ... SAS" loses its tail)."""
    name = " ".join(name.split())
    if len(name) <= MAX_NAME:
        return name
    cut = name[: MAX_NAME + 1].rsplit(" ", 1)[0]
    return cut if 0 < len(cut) <= MAX_NAME else name[:MAX_NAME]


def invoices_text(numbers: list[str], prefix: str = "Factures") -> str:
    """A free remittance text naming the invoices paid ("Factures F1 F2 F3"), within 140
    characters: the numbers that do not fit are left out, so the text names only whole ones
    (bank matching finds invoice numbers in remittance texts)."""
    text = prefix
    for number in numbers:
        candidate = f"{text} {number}"
        if len(candidate) > MAX_TEXT:
            break
        text = candidate
    return text if text != prefix else ""
