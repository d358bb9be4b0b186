"""The one HTTP call the outside-service adapters make (SMS providers, registered-letter
providers); each adapter module wraps it in its own function, which tests patch and assert.

The standard library is enough: no dependency for it. An HTTP error status is returned, not
raised: each adapter reads its provider's error body. Only the network is decided here, and
it decides whether a retry could send the message twice:
- the request could not be sent (refused connection, DNS, connect timeout, TLS): nothing
  reached the provider, retrying is safe, and the rest of the batch would fail alike
  (TemporaryFailure, is_outage);
- the request was sent but no answer came (read timeout, connection cut): the provider may
  have accepted it, and none of them takes an idempotency key (DESIGN.md: nothing is sent
  twice): MaybeSent, a PermanentFailure, for a person to check in the provider's console.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass

from . import PermanentFailure, TemporaryFailure


class MaybeSent(PermanentFailure):
    """The request left but no answer came: the message may have gone out."""


@dataclass(frozen=True)
class Response:
    status: int
    body: bytes


def request(
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    body: bytes | None,
    timeout: float,
    unreachable: str,
    maybe_sent: str,
) -> Response:
    """`method` `url` with `body`; the status and body of the answer, whatever the status.
    `unreachable` and `maybe_sent` word the two failures for the service (`maybe_sent` may
    use `{error}`)."""
    call = urllib.request.Request(url, data=body, headers=headers, method=method)
    try:
        with urllib.request.urlopen(call, timeout=timeout) as answer:
            return Response(answer.status, answer.read())
    except urllib.error.HTTPError as error:
        with error:
            return Response(error.code, error.read())
    except urllib.error.URLError as error:
        # urllib wraps in URLError only what failed before the request was sent.
        raise TemporaryFailure(f"{unreachable} : {error.reason}", is_outage=True) from error
    except OSError as error:
        raise MaybeSent(maybe_sent.format(error=repr(error))) from error
