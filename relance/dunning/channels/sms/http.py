"""The one HTTP call every SMS provider adapter makes (tests patch `post` and assert it); the
network rules are those of relance.dunning.channels.http."""

from __future__ import annotations

from relance.dunning.channels.http import Response, request

__all__ = ["Response", "post"]


def post(url: str, *, headers: dict[str, str], body: bytes, timeout: float) -> Response:
    """POST `body` to `url`; the status and body of the answer, whatever the status."""
    return request(
        "POST",
        url,
        headers=headers,
        body=body,
        timeout=timeout,
        unreachable="fournisseur SMS injoignable",
        maybe_sent="pas de réponse du fournisseur SMS après l'envoi de la demande ({error}) : "
        "le SMS est peut-être parti, vérifiez dans la console du fournisseur avant de renvoyer",
    )
