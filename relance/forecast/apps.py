from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "relance.forecast"
    verbose_name = _("Prévision des encaissements")
