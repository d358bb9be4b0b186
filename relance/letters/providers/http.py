"""The one HTTP call the registered-letter adapters make (tests patch `request` and assert it).

Like the SMS adapters' http.post (relance/dunning/channels/sms/http.py), only the network is
decided here; an HTTP error status is returned, not raised:
- the request could not be sent (refused connection, DNS, connect timeout, TLS): nothing
  reached the provider, retrying is safe (TemporaryFailure, is_outage);
- the request was sent but no answer came (read timeout, connection cut): the provider may
  have accepted the letter, and a registered letter is paid and legally sent once
  (DESIGN.md: nothing is sent twice): PermanentFailure, for a person to check in the
  provider's console before sending again.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from relance.dunning.channels import PermanentFailure, TemporaryFailure


class MaybeSent(PermanentFailure):
    """The request left but no answer came: the letter may have gone out."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def request(
    method: str, url: str, *, headers: dict[str, str], body: bytes | None, timeout: float
) -> Response:
    """`method` `url` with `body`; the status and body of the answer, whatever the status."""
    call = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.read())
    except urllib.error.URLError as error:
        # urllib wraps in URLError only what failed before the request was sent.
        raise TemporaryFailure(
            f"prestataire de recommandé injoignable : {error.reason}", is_outage=True
        ) from error
    except OSError as error:
        raise MaybeSent(
            f"pas de réponse du prestataire après l'envoi de la demande ({error!r}) : la lettre"
            " est peut-être partie, vérifiez dans sa console avant de la renvoyer"
        ) from error
