"""The default texts of instalment reminders (French and English), in the syntax and with
the variables of docs/templates.md ("Instalment reminders")."""

from __future__ import annotations

from relance.core.plans import NoticeKind

_SIGNATURE = (
    "{{ collector.name }}\n{{ company.name }}{% if company.phone %}\n{{ company.phone }}{% endif %}"
)
_BANK_FR = (
    "{% if company.iban %}Coordonnées bancaires : IBAN {{ company.iban }}"
    "{% if company.bic %} – BIC {{ company.bic }}{% endif %}.\n\n{% endif %}"
)
_BANK_EN = (
    "{% if company.iban %}Bank details: IBAN {{ company.iban }}"
    "{% if company.bic %} – BIC {{ company.bic }}{% endif %}.\n\n{% endif %}"
)

TEXTS = {
    ("fr", NoticeKind.BEFORE): (
        "{{ company.name }} — Échéancier : prochaine échéance le {{ instalments.0.due_on }}",
        "Bonjour {{ contact.name }},\n\n"
        "Conformément à l'échéancier de paiement convenu le {{ plan_date }}, nous vous "
        "rappelons l'échéance à venir :\n\n{{ instalments_table }}\n\n"
        "Montant à régler : {{ instalments_total }}.\n\n"
        + _BANK_FR
        + "Si votre règlement est déjà parti, merci de ne pas tenir compte de ce message.\n\n"
        "Bien cordialement,\n\n" + _SIGNATURE,
    ),
    ("fr", NoticeKind.OVERDUE): (
        "{{ company.name }} — Échéancier : échéance impayée du {{ instalments.0.due_on }}",
        "Bonjour {{ contact.name }},\n\n"
        "Sauf erreur de notre part, l'échéance suivante de l'échéancier convenu le "
        "{{ plan_date }} n'a pas été réglée :\n\n{{ instalments_table }}\n\n"
        "Nous vous remercions de régler {{ instalments_total }} sans délai. Faute de règlement "
        "au {{ breach_on }}, l'échéancier sera rompu : la totalité du solde restant dû "
        "({{ plan_balance }}) redeviendra immédiatement exigible et nos relances "
        "reprendront.\n\n"
        + _BANK_FR
        + "Si votre règlement est déjà parti, merci de ne pas tenir compte de ce message.\n\n"
        "Bien cordialement,\n\n" + _SIGNATURE,
    ),
    ("en", NoticeKind.BEFORE): (
        "{{ company.name }} — Payment plan: next instalment on {{ instalments.0.due_on }}",
        "Dear {{ contact.name }},\n\n"
        "As agreed in the payment plan of {{ plan_date }}, this is a reminder of the coming "
        "instalment:\n\n{{ instalments_table }}\n\n"
        "Amount to pay: {{ instalments_total }}.\n\n"
        + _BANK_EN
        + "If your payment is already on its way, please disregard this message.\n\n"
        "Kind regards,\n\n" + _SIGNATURE,
    ),
    ("en", NoticeKind.OVERDUE): (
        "{{ company.name }} — Payment plan: unpaid instalment of {{ instalments.0.due_on }}",
        "Dear {{ contact.name }},\n\n"
        "Unless we are mistaken, the following instalment of the payment plan agreed on "
        "{{ plan_date }} has not been paid:\n\n{{ instalments_table }}\n\n"
        "Please pay {{ instalments_total }} without delay. Without payment by {{ breach_on }}, "
        "the payment plan will end: the whole balance ({{ plan_balance }}) will be due at once "
        "and our reminders will resume.\n\n"
        + _BANK_EN
        + "If your payment is already on its way, please disregard this message.\n\n"
        "Kind regards,\n\n" + _SIGNATURE,
    ),
}


def instalment_template(language: str, kind: NoticeKind) -> tuple[str, str]:
    """(subject, body) of an instalment reminder; French for any language but English."""
    return TEXTS[("en" if language.lower().startswith("en") else "fr", kind)]
