"""Django field validators wrapping the pure identifier checks of relance.core."""

from collections.abc import Callable

from django.core.exceptions import ValidationError

from relance.core import identifiers
from relance.core.calendar import parse_hours


def _wrap(clean: Callable[[str], str]) -> Callable[[str], None]:
    def validate(value: str) -> None:
        try:
            clean(value)
        except identifiers.IdentifierError as error:
            raise ValidationError(str(error)) from None

    validate.__name__ = validate.__qualname__ = f"validate_{clean.__name__.removeprefix('clean_')}"
    return validate


validate_siren = _wrap(identifiers.clean_siren)
validate_siret = _wrap(identifiers.clean_siret)
validate_vat = _wrap(identifiers.clean_vat)
validate_iban = _wrap(identifiers.clean_iban)
validate_bic = _wrap(identifiers.clean_bic)
validate_phone = _wrap(identifiers.clean_phone)


def validate_hours(value: str) -> None:
    try:
        parse_hours(value)
    except ValueError as error:
        raise ValidationError(str(error)) from None
