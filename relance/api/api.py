"""The REST API, version 1: /api/v1/, its OpenAPI document (/api/v1/openapi.json) and its
browsable documentation (/api/v1/docs, Swagger UI served from ninja's own static files: no
CDN)."""

from __future__ import annotations

import functools

from django.urls import URLPattern, re_path
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from . import errors
from .auth import TokenAuth, TokenRateThrottle
from .endpoints import account, customers, dunning, imports, ledger, plans, reminders, reports
from .idempotency import atomic_write

DESCRIPTION = """
API REST de Relance. Authentification : `Authorization: Bearer <jeton>` (jetons créés dans
« Jetons d'API » ou par `relance token create`). Chaque ressource est sous
`/api/v1/companies/{company}/…` ; les rôles sont ceux de l'interface.

Pagination : `limit` (1 à 500, 50 par défaut) et `offset`. Chaque POST accepte un en-tête
`Idempotency-Key`. Erreurs : `{"code", "message", "details"}`.
"""


class RelanceAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        """Short, stable operation ids: the handler's name (create_invoice)."""
        return operation.view_func.__name__


api = RelanceAPI(
    title="Relance",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=TokenAuth(),
    throttle=[TokenRateThrottle()],
    docs=Swagger(settings={"persistAuthorization": False}),
    docs_url="/docs",
    openapi_url="/openapi.json",
)
errors.install(api)

COMPANY_ROUTERS: list[Router] = [
    customers.router,
    ledger.router,
    imports.router,
    reminders.router,
    dunning.router,
    plans.router,
    reports.router,
]

# Every POST and PATCH: one transaction, and idempotency keys (relance.api.idempotency).
api.add_decorator(atomic_write, mode="view")
api.add_router("/", account.router)
for company_router in COMPANY_ROUTERS:
    api.add_router("/companies/{company}/", company_router)


def _json_errors(view):
    """Ninja answers a method the path does not take with a plain-text 405: ours is JSON."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").endswith("json"):
            allowed = response.get("Allow", "")
            message = _("Méthode %(method)s refusée ici (acceptées : %(allowed)s).") % {
                "method": request.method,
                "allowed": allowed,
            }
            error = errors.error_response(405, "method_not_allowed", message)
            error["Allow"] = allowed
            return error
        return response

    return wrapper


def _not_found(request, rest: str = ""):
    return errors.error_response(
        404, "not_found", _("Adresse inconnue de l'API : %(path)s") % {"path": request.path}
    )


def urls():
    """/api/v1/'s URL patterns: ninja's, JSON errors for a wrong method or an unknown path."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback = _json_errors(pattern.callback)
    return [*patterns, re_path(r"^(?P<rest>.*)$", _not_found)], app_name, namespace
