"""The REST API, version 1: /api/v1/, its OpenAPI document (/api/v1/openapi.json) and its
browsable documentation (/api/v1/docs, Swagger UI served from ninja's own static files: no
CDN)."""

from __future__ import annotations

from ninja import NinjaAPI, Router
from ninja.openapi.docs import Swagger

from . import errors
from .auth import TokenAuth, TokenRateThrottle
from .endpoints import account, customers, dunning, imports, ledger, plans, reports
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
    dunning.router,
    plans.router,
    reports.router,
]

api.add_router("/", account.router)
for company_router in COMPANY_ROUTERS:
    api.add_router("/companies/{company}/", company_router)


def _writes_are_atomic(routers: list[Router]) -> None:
    """Every POST and PATCH: one transaction, and idempotency keys (relance.api.idempotency)."""
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                if set(operation.methods) & {"POST", "PATCH"}:
                    operation.run = atomic_write(operation.run)


_writes_are_atomic([account.router, *COMPANY_ROUTERS])
