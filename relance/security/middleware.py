"""The Content-Security-Policy header of every response (Django 5.2 has none built in).

Pages load scripts, styles and images from Relance's own static files only: no inline script,
no inline style, no `eval`, nothing from another site, never framed. A response that already
carries a policy (a view that needs another one) keeps its own.
"""

from __future__ import annotations

from .csp import policy


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self.header = policy()

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", self.header)
        return response
