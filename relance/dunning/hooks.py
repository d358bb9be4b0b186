"""Callbacks from providers: SMS delivery receipts.

Twilio posts the status of each message to the StatusCallback URL the SMS channel gave it
(/hooks/sms/twilio/<reminder id>/, outside any company's pages: no session, no CSRF token).
Only a request signed with the account's auth token (X-Twilio-Signature) is believed; the
final statuses append a line to the reminder's history: "remis" (delivered) or "non remis"
(undelivered, failed, with Twilio's error code). Intermediate statuses (queued, sent...)
are acknowledged and not recorded.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, HttpResponseNotFound
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from .channels.sms import twilio
from .models import Reminder, ReminderEvent

_FINAL = {"delivered": "remis", "undelivered": "non remis", "failed": "non remis"}


@csrf_exempt
@require_POST
def twilio_status(request: HttpRequest, pk: int) -> HttpResponse:
    """Twilio's StatusCallback for the SMS of reminder `pk`."""
    params = [(name, value) for name, values in request.POST.lists() for value in values]
    given = request.headers.get("X-Twilio-Signature", "")
    if not twilio.is_signed(settings.TWILIO_AUTH_TOKEN, _called_url(request), params, given):
        return HttpResponseForbidden("signature Twilio invalide")
    found = record_receipt(
        pk,
        f"Twilio {request.POST.get('MessageSid', '')}",
        request.POST.get("MessageStatus", ""),
        request.POST.get("ErrorCode", ""),
    )
    if found is None:
        return HttpResponseNotFound("SMS inconnu")
    return HttpResponse(status=204)


def record_receipt(pk: int, message: str, status: str, error_code: str = "") -> bool | None:
    """Append "remis" or "non remis" to the history of the SMS reminder that sent `message`
    ("Twilio SM…", as its history says); once only, as providers may post again. True when
    recorded, False when there was nothing to record, None for an unknown reminder or
    message."""
    reminder = Reminder.objects.filter(pk=pk, channel="sms").first()
    if reminder is None or not reminder.events.filter(note__endswith=f" ; {message}").exists():
        return None
    outcome = _FINAL.get(status)
    if outcome is None:
        return False
    note = f"SMS {outcome} ({message}"
    note += f", {status}, erreur {error_code})" if outcome == "non remis" else ")"
    if reminder.events.filter(note=note).exists():
        return False
    ReminderEvent.objects.create(reminder=reminder, status=reminder.status, note=note)
    return True


def _called_url(request: HttpRequest) -> str:
    """The URL Twilio called, as the SMS channel gave it (behind a proxy the request's own
    host and scheme may differ)."""
    if settings.RELANCE_PUBLIC_URL:
        return settings.RELANCE_PUBLIC_URL + request.get_full_path()
    return request.build_absolute_uri()
