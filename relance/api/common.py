"""What every endpoint module shares: bounded types, pagination, and the bridge to the web
UI's Django forms (so that the API validates exactly as the pages do).

Pagination is limit/offset: `?limit=` (1 to 500, default 50) and `?offset=` (default 0);
every list answers `{"count", "limit", "offset", "next", "previous", "items"}`, `next` and
`previous` being the URLs of the neighbouring pages (null at the ends), in a stable order.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Generic, TypeVar

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Schema

from .errors import form_invalid

MAX_ID = 2**63 - 1
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2999, 12, 31)

# Path parameters. A company code is a slug; a customer code anything but control
# characters and slashes (it is one path segment).
CompanyCode = Annotated[str, Path(max_length=20, pattern=r"^[-a-zA-Z0-9_]+$")]
CustomerCode = Annotated[str, Path(max_length=40, pattern=r"^[^\x00-\x1f/]+$")]
Id = Annotated[int, Path(ge=1, le=MAX_ID)]

# Body and query fields: dates within a sane range (date arithmetic never overflows), money
# as the ledger stores it, text without NUL (PostgreSQL refuses it).
Day = Annotated[date, Field(ge=FIRST_DAY, le=LAST_DAY)]
Money = Annotated[Decimal, Field(max_digits=14, decimal_places=2, allow_inf_nan=False)]
Term = Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]

T = TypeVar("T")


class PageParams(Schema):
    limit: int = Field(50, ge=1, le=500, description="Éléments par page (1 à 500).")
    offset: int = Field(0, ge=0, le=10**9, description="Rang du premier élément.")


class Page(Schema, Generic[T]):
    count: int = Field(description="Nombre total d'éléments répondant aux filtres.")
    limit: int
    offset: int
    next: str | None = Field(description="URL de la page suivante, ou null.")
    previous: str | None = Field(description="URL de la page précédente, ou null.")
    items: list[T]


def page(request: HttpRequest, queryset: QuerySet, params: PageParams, rows=None) -> dict:
    """One page of `queryset` (already ordered); `rows(list)` may complete the rows (one
    query for the page, never one per row)."""
    count = queryset.count()
    items = list(queryset[params.offset : params.offset + params.limit])
    if rows is not None:
        items = rows(items)
    end = params.offset + params.limit
    return {
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "next": _url(request, params.limit, end) if end < count else None,
        "previous": (
            _url(request, params.limit, max(params.offset - params.limit, 0))
            if params.offset > 0
            else None
        ),
        "items": items,
    }


def _url(request: HttpRequest, limit: int, offset: int) -> str:
    query = request.GET.copy()
    query["limit"], query["offset"] = str(limit), str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def cents(value: Decimal | None) -> Decimal | None:
    """An amount computed by a query or a sum, with its two decimals as the ledger's own."""
    return None if value is None else value.quantize(Decimal("0.01"))


def form_data(values: dict) -> dict:
    """Schema values as a Django form reads them from a browser: text, lists kept."""
    data = {}
    for name, value in values.items():
        if value is None:
            data[name] = ""
        elif isinstance(value, bool | list):
            data[name] = value
        elif isinstance(value, date):
            data[name] = value.isoformat()
        else:
            data[name] = str(value)
    return data


def valid(form):
    """The form's cleaned data, or the API's 422 with the form's own messages."""
    if not form.is_valid():
        raise form_invalid(form)
    return form.cleaned_data
