from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LegalConfig(AppConfig):
    name = "relance.legal"
    verbose_name = _("Pénalités et taux légaux")
