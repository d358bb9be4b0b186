"""The one HTTP call the registered-letter adapters make (tests patch `request` and assert it);
the network rules are those of relance.dunning.channels.http: a request that left without an
answer is MaybeSent, since a registered letter is paid and legally sent once."""

from __future__ import annotations

from relance.dunning.channels import http

MaybeSent, Response = http.MaybeSent, http.Response


def request(
    method: str, url: str, *, headers: dict[str, str], body: bytes | None, timeout: float
) -> Response:
    """`method` `url` with `body`; the status and body of the answer, whatever the status."""
    return http.request(
        method,
        url,
        headers=headers,
        body=body,
        timeout=timeout,
        unreachable="prestataire de recommandé injoignable",
        maybe_sent="pas de réponse du prestataire après l'envoi de la demande ({error}) : la "
        "lettre est peut-être partie, vérifiez dans sa console avant de la renvoyer",
    )
