from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "relance.privacy"
    verbose_name = "Données personnelles"
