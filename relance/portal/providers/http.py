"""The one HTTP call the payment-provider adapters make (tests patch `post` and assert it);
the network rules are those of relance.dunning.channels.http. A payment page opened twice is
harmless (only the one paid counts, the others expire), and every creation carries an
idempotency key: no failure here can charge anybody."""

from __future__ import annotations

from relance.dunning.channels import http

Response = http.Response


def post(url: str, *, headers: dict[str, str], body: bytes, timeout: float) -> Response:
    """POST `body` to `url`; the status and body of the answer, whatever the status."""
    return http.request(
        "POST",
        url,
        headers=headers,
        body=body,
        timeout=timeout,
        unreachable="prestataire de paiement injoignable",
        maybe_sent="pas de réponse du prestataire de paiement ({error})",
    )
