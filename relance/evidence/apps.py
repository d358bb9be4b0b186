from django.apps import AppConfig


class EvidenceConfig(AppConfig):
    name = "relance.evidence"
    verbose_name = "Preuves"
