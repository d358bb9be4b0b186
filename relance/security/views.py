"""The login page: Django's, with the failed-login throttle; a locked attempt answers 429."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.core.exceptions import NON_FIELD_ERRORS

from .forms import THROTTLED, ThrottledAuthenticationForm


class LoginView(auth_views.LoginView):
    form_class = ThrottledAuthenticationForm
    redirect_authenticated_user = True

    def form_invalid(self, form):
        throttled = form.has_error(NON_FIELD_ERRORS, THROTTLED)
        response = self.render_to_response(self.get_context_data(form=form, throttled=throttled))
        if throttled:
            response.status_code = 429  # Too Many Requests (RFC 6585)
        return response
