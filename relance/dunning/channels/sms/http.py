"""The one HTTP call every SMS provider adapter makes (tests patch `post` and assert it); the
network rules are those of relance.dunning.channels.http."""

from __future__ import annotations

import json

from relance.dunning.channels.http import Response, request

__all__ = ["Response", "json_object", "post"]


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


def json_object(body: bytes) -> dict:
    """The JSON object a provider answered, or {} when the body is empty or not one."""
    try:
        payload = json.loads(body or b"{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}
