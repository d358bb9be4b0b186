"""Every API error is JSON `{"code", "message", "details"}`: `code` is stable (clients branch
on it), `message` says in French what is wrong and where, `details` is an object (the fields
and their messages for a validation error) or null.

| code | HTTP |
|---|---|
| validation | 422 |
| unauthenticated | 401 |
| forbidden | 403 |
| not_found | 404 (an unknown company and a company one is not a member of alike) |
| method_not_allowed | 405 |
| conflict | 409 |
| idempotency_mismatch | 409 |
| rate_limited | 429 |
| server_error | 500 |
"""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An answer other than success, raised anywhere below a handler."""

    status = 400
    code = "error"

    def __init__(self, message: str, details: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class Invalid(ApiError):
    status, code = 422, "validation"


class Forbidden(ApiError):
    status, code = 403, "forbidden"


class NotFound(ApiError):
    status, code = 404, "not_found"


class Conflict(ApiError):
    status, code = 409, "conflict"


class IdempotencyMismatch(ApiError):
    status, code = 409, "idempotency_mismatch"


def error_response(status: int, code: str, message: str, details=None) -> HttpResponse:
    return JsonResponse(
        {"code": code, "message": message, "details": details},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def form_invalid(form) -> Invalid:
    """The errors of a Django form (the same form the web page uses), field by field."""
    details = {
        field or "__all__": [str(message) for message in messages]
        for field, messages in form.errors.items()
    }
    return Invalid(_summary(details), details)


def service_invalid(error) -> Invalid:
    """A django ValidationError raised by a service."""
    messages = getattr(error, "messages", None) or [str(error)]
    return Invalid(" ".join(str(m) for m in messages), {"__all__": list(messages)})


def _summary(details: dict[str, list[str]]) -> str:
    parts = [f"{field} : {' '.join(messages)}" for field, messages in details.items()]
    return _("Requête invalide : %(errors)s") % {"errors": " ; ".join(parts)[:500]}


def _location(error: dict) -> str:
    """Ninja's location of a schema error, without its wrapper names: body.amount."""
    parts = [str(part) for part in error.get("loc", ()) if part not in ("payload", "filters")]
    return ".".join(parts) or "__all__"


def _on_schema_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details: dict[str, list[str]] = {}
    for error in exc.errors:
        details.setdefault(_location(error), []).append(str(error.get("msg", "")))
    return error_response(422, "validation", _summary(details), details)


def _on_api_error(request: HttpRequest, exc: ApiError) -> HttpResponse:
    return error_response(exc.status, exc.code, exc.message, exc.details)


def _on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        message = _("Authentification requise : en-tête « Authorization: Bearer <jeton> ».")
        response = error_response(401, "unauthenticated", message)
        response["WWW-Authenticate"] = 'Bearer realm="relance"'
        return response
    if isinstance(exc, Throttled):
        return error_response(429, "rate_limited", _("Trop de requêtes : réessayez plus tard."))
    codes = {403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}
    code = codes.get(exc.status_code, "validation" if exc.status_code < 500 else "server_error")
    return error_response(exc.status_code, code, str(exc.message))


def _on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(404, "not_found", _("Ressource introuvable."))


def _on_permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error_response(403, "forbidden", _("Votre rôle ne permet pas cette action."))


def _on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    log.exception("API error on %s %s", request.method, request.path)
    return error_response(500, "server_error", _("Erreur interne : l'incident est journalisé."))


def install(api: NinjaAPI) -> None:
    """Replace ninja's default error answers by ours."""
    api.add_exception_handler(Exception, _on_unexpected)
    api.add_exception_handler(Http404, _on_not_found)
    api.add_exception_handler(PermissionDenied, _on_permission_denied)
    api.add_exception_handler(HttpError, _on_http_error)
    api.add_exception_handler(ValidationError, _on_schema_error)
    api.add_exception_handler(ApiError, _on_api_error)
