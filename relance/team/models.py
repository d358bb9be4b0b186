"""Who may see and do what: a user's membership of a company, with one role."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Administrateur")
    MANAGER = "manager", _("Responsable")
    COLLECTOR = "collector", _("Chargé de recouvrement")
    SALES = "sales", _("Commercial")
    ACCOUNTANT = "accountant", _("Comptable")
    READ_ONLY = "read_only", _("Lecture seule")


class Membership(models.Model):
    """A user's role in one company. Collectors and sales reps see only their portfolio."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("membre")
        verbose_name_plural = _("membres")
        constraints = [
            models.UniqueConstraint(fields=["user", "company"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.company.code}: {self.role}"
