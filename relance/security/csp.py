"""The Content-Security-Policy Relance's pages follow.

`default-src 'self'` and no 'unsafe-inline' anywhere: a script or style injected into a page
(a customer name holding markup, say) does not run. `img-src data:` lets Swagger UI and Pico
CSS draw their inline icons; `form-action` adds the payment provider's checkout page, where the
debtor's page sends the "Payer en ligne" form (a 303 to Stripe Checkout is a form navigation).

One inline stylesheet is allowed, by its SHA-256: the one of the reminder e-mails
(dunning/email.html), which e-mail clients need inline. A reminder's HTML version is shown in a
sandboxed `<iframe srcdoc>`, and such a frame inherits the policy of the page around it.
Allowing that exact text allows nothing an attacker could use.
"""

from __future__ import annotations

import base64
import hashlib
import re

from django.conf import settings
from django.template import engines

STRIPE_CHECKOUT = "https://checkout.stripe.com"
# Templates whose inline <style> blocks are static text (no template tags inside).
INLINE_STYLESHEETS = ["dunning/email.html"]


def directives() -> dict[str, list[str]]:
    form_action = ["'self'"]
    if getattr(settings, "STRIPE_SECRET_KEY", ""):
        form_action.append(STRIPE_CHECKOUT)
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", *stylesheet_hashes()],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": form_action,
        "frame-ancestors": ["'none'"],
    }


def policy() -> str:
    return "; ".join(f"{name} {' '.join(values)}" for name, values in directives().items())


def stylesheet_hashes() -> list[str]:
    """'sha256-…' of each <style> block of INLINE_STYLESHEETS, as the browser hashes it (the
    text between the tags, UTF-8)."""
    hashes = []
    for name in INLINE_STYLESHEETS:
        source = engines["django"].engine.get_template(name).source
        for block in re.findall(r"<style>(.*?)</style>", source, re.S):
            if "{" in block and ("{%" in block or "{{" in block):
                raise ValueError(f"{name}: a <style> block with template tags cannot be hashed")
            digest = hashlib.sha256(block.encode("utf-8")).digest()
            hashes.append(f"'sha256-{base64.b64encode(digest).decode('ascii')}'")
    return hashes
