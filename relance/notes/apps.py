from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "relance.notes"
    verbose_name = "Notes"
