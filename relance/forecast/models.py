"""Payment-date predictions: each training of a company's predictor (a version), and the
predicted settlement date of each open item by that version.

A training replaces the predictions of the versions before it (the cash-in calendar reads
the latest); the versions themselves stay, with what they learnt from, as their history.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ForecastModel(models.Model):
    """One training of a company's payment-date predictor, on what was known on `trained_on`.
    `payload` holds the fitted gradient-boosting model (pickled relance.forecast.learning.Model)
    of the latest version only; it is empty when the history was too short and the simple
    fallback predicted alone."""

    class Method(models.TextChoices):
        GRADIENT_BOOSTING = "gradient_boosting", _("Gradient boosting")
        FALLBACK = "fallback", _("Méthode simple (historique trop court)")

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    version = models.PositiveIntegerField(_("version"))
    trained_on = models.DateField(_("données au"))
    trained_at = models.DateTimeField(_("entraîné le"), auto_now_add=True)
    method = models.CharField(_("méthode"), max_length=20, choices=Method.choices)
    n_train = models.PositiveIntegerField(_("factures réglées apprises"))
    n_rows = models.PositiveIntegerField(_("exemples"))
    predictions_count = models.PositiveIntegerField(_("pièces prévues"), default=0)
    metrics = models.JSONField(default=dict, blank=True)
    payload = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("modèle de prévision")
        verbose_name_plural = _("modèles de prévision")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="forecast_model_version")
        ]

    def __str__(self) -> str:
        return f"v{self.version} ({self.trained_on})"


class Prediction(models.Model):
    """When an open item is expected to be settled, with its range, by one model version on
    the day it was made; `method` says whether the model or which fallback predicted it.
    No date (`expected_on` None): the item is later than every payment known."""

    company = models.ForeignKey(
        "ledger.Company", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    model = models.ForeignKey(ForecastModel, on_delete=models.CASCADE, related_name="predictions")
    invoice = models.ForeignKey(
        "ledger.Invoice", on_delete=models.CASCADE, related_name="predictions"
    )
    predicted_on = models.DateField(_("prévu le"))
    expected_on = models.DateField(_("règlement attendu le"), null=True, blank=True)
    low_on = models.DateField(_("au plus tôt"), null=True, blank=True)
    high_on = models.DateField(_("au plus tard"), null=True, blank=True)
    method = models.CharField(_("méthode"), max_length=20)

    class Meta:
        verbose_name = _("prévision de règlement")
        verbose_name_plural = _("prévisions de règlement")
        constraints = [
            models.UniqueConstraint(fields=["model", "invoice"], name="prediction_once_per_model")
        ]

    def __str__(self) -> str:
        return f"{self.invoice_id} → {self.expected_on}"
