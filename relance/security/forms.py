"""The login forms (the application's and the Django admin's) with the failed-login throttle of
relance.security.throttle."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .throttle import LoginThrottle

THROTTLED = "throttled"


class ThrottledLoginMixin:
    """Refuses the attempt without checking the password while the user name or the address
    is locked; counts each refused password."""

    throttled_message = _(
        "Trop de tentatives de connexion échouées : par sécurité, la connexion est suspendue "
        "pendant %(minutes)s minutes. Réessayez plus tard, ou demandez à un administrateur de "
        "réinitialiser votre mot de passe."
    )

    def clean(self):
        throttle = LoginThrottle(self.request, self.data.get("username", ""))
        if throttle.is_locked():
            raise ValidationError(
                self.throttled_message,
                code=THROTTLED,
                params={"minutes": max(1, throttle.window // 60)},
            )
        try:
            cleaned = super().clean()
        except ValidationError:
            throttle.failed()
            raise
        if self.get_user() is not None:
            throttle.succeeded()
        return cleaned


class ThrottledAuthenticationForm(ThrottledLoginMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    pass
