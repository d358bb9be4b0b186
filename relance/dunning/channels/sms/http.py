"""The one HTTP call every SMS provider adapter makes (tests patch `post` and assert it).

The standard library is enough for one POST: no dependency for it. An HTTP error status is
returned, not raised: each adapter reads its provider's error body. Only the network is
decided here, and it decides whether a retry could send the SMS twice:
- the request could not be sent (refused connection, DNS, connect timeout, TLS): nothing
  reached the provider, retrying is safe, and the rest of the batch would fail alike
  (TemporaryFailure, is_outage);
- the request was sent but no answer came (read timeout, connection cut): the provider may
  have accepted it. No provider here takes an idempotency key, so a retry could send the
  SMS twice (DESIGN.md: nothing is sent twice): PermanentFailure, for a person to check in
  the provider's console before sending it again.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from relance.dunning.channels import PermanentFailure, TemporaryFailure


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def post(url: str, *, headers: dict[str, str], body: bytes, timeout: float) -> Response:
    """POST `body` to `url`; the status and body of the answer, whatever the status."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.read())
    except urllib.error.URLError as error:
        # urllib wraps in URLError only what failed before the request was sent.
        raise TemporaryFailure(
            f"fournisseur SMS injoignable : {error.reason}", is_outage=True
        ) from error
    except OSError as error:
        raise PermanentFailure(
            f"pas de réponse du fournisseur SMS après l'envoi de la demande ({error!r}) : le SMS"
            " est peut-être parti, vérifiez dans la console du fournisseur avant de renvoyer"
        ) from error
