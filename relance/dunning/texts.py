"""Default texts of the dunning steps, in French and English (Django template syntax).

A step without a stored StepTemplate is rendered with `default_template(step, language)`; the
variables are documented in docs/templates.md. The tone follows the step: a courteous
reminder before the due date ("prévenance"), a friendly first reminder, a firmer one, the last
reminder before formal notice, then the formal notice itself (Code civil 1344: it says it is a
"mise en demeure", lists the invoices, gives 8 days and states the consequences). Calls get a
script of talking points and internal tasks a to-do text, both for the collector.

Texts are built from shared paragraphs; an empty `{% if %}` leaves blank lines that the
renderer folds, so the paragraphs are simply joined with one blank line.
"""

from __future__ import annotations

from typing import Protocol

from relance.core.dunning import Channel, Escalation

COURTEOUS, FRIENDLY, FIRM, LAST, FORMAL_NOTICE = "courteous", "friendly", "firm", "last", "notice"


class StepLike(Protocol):
    """A core Step or a dunning.models.Step: what the tone is chosen from."""

    level: int
    name: str
    offset_days: int
    channel: str
    escalation: str


_FR = {
    "hello": "Bonjour {{ contact.name }},",
    "madam": "Madame, Monsieur,",
    "items": "{{ items_table }}\n\n"
    "Montant total dû : {{ total }}"
    "{% if days_late and overdue_total != total %}, dont {{ overdue_total }} échus{% endif %}.",
    "penalties": "{% if interest %}Nous vous rappelons que, conformément à l'article L441-10 du "
    "Code de commerce, tout retard de paiement entraîne de plein droit des pénalités de retard "
    "au taux de {{ interest_rate }} ({{ interest }} à ce jour), ainsi qu'une indemnité "
    "forfaitaire pour frais de recouvrement de 40 € par facture (article D441-5), soit "
    "{{ indemnity }}.{% endif %}",
    "payment": "{% if company.iban %}Règlement par virement, en rappelant "
    "{% if payment_reference %}la référence {{ payment_reference }}{% else %}les numéros de "
    "facture{% endif %} :\nIBAN : {{ company.iban }}{% if company.bic %} — BIC : "
    "{{ company.bic }}{% endif %}{% endif %}",
    "self_service": "{% if self_service_url %}Vos factures sont consultables et "
    "téléchargeables sur votre espace, où vous pouvez aussi nous indiquer une date de "
    "règlement : {{ self_service_url }}{% endif %}",
    "proofs": "Vous trouverez en pièces jointes les factures et leurs justificatifs (bon de "
    "commande, bon de livraison ou devis signé).",
    "questions": "Pour toute question, {{ collector.name }} reste à votre disposition"
    "{% if collector.email %} ({{ collector.email }}){% endif %}.",
    "cordially": "Bien cordialement,",
    "formal_close": "Nous vous prions d'agréer, Madame, Monsieur, l'expression de nos "
    "salutations distinguées.",
    "signature": "{{ collector.name }}\n{{ company.name }}"
    "{% if company.phone %}\n{{ company.phone }}{% endif %}",
    "letter_head": "{{ company.name }}\n{{ company.address }}\n\n{{ customer.name }}\n"
    "{% if contact.has_name %}À l'attention de {{ contact.name }}\n{% endif %}"
    "{{ customer.address }}\n\n{% if company.city %}{{ company.city }}, le {% else %}Le "
    "{% endif %}{{ date }}",
    "registered": "Lettre recommandée avec accusé de réception",
    "subject_line": "Objet : ",
}

_EN = {
    "hello": "Dear {{ contact.name }},",
    "madam": "Dear {{ contact.name }},",
    "items": "{{ items_table }}\n\n"
    "Total due: {{ total }}"
    "{% if days_late and overdue_total != total %}, of which {{ overdue_total }} is overdue"
    "{% endif %}.",
    "penalties": "{% if interest %}Please note that, under article L441-10 of the French "
    "Commercial Code, late payment automatically incurs late-payment interest at "
    "{{ interest_rate }} ({{ interest }} to date) and a fixed recovery indemnity of EUR 40 per "
    "invoice (article D441-5), i.e. {{ indemnity }}.{% endif %}",
    "payment": "{% if company.iban %}Payment by bank transfer, quoting "
    "{% if payment_reference %}the reference {{ payment_reference }}{% else %}the invoice "
    "numbers{% endif %}:\nIBAN: {{ company.iban }}{% if company.bic %} — BIC: "
    "{{ company.bic }}{% endif %}{% endif %}",
    "self_service": "{% if self_service_url %}You can view and download your invoices, and "
    "tell us when you will pay, on your customer page: {{ self_service_url }}{% endif %}",
    "proofs": "Please find attached the invoices and their supporting documents (purchase "
    "order, delivery note or signed quote).",
    "questions": "If you have any questions, {{ collector.name }} will be glad to help"
    "{% if collector.email %} ({{ collector.email }}){% endif %}.",
    "cordially": "Kind regards,",
    "formal_close": "{% if contact.has_name %}Yours sincerely,{% else %}Yours faithfully,"
    "{% endif %}",
    "signature": "{{ collector.name }}\n{{ company.name }}"
    "{% if company.phone %}\n{{ company.phone }}{% endif %}",
    "letter_head": "{{ company.name }}\n{{ company.address }}\n\n{{ customer.name }}\n"
    "{% if contact.has_name %}For the attention of {{ contact.name }}\n{% endif %}"
    "{{ customer.address }}\n\n{% if company.city %}{{ company.city }}, {% endif %}{{ date }}",
    "registered": "Registered letter with acknowledgement of receipt",
    "subject_line": "Subject: ",
}

# Each tone: (subject, paragraphs); "@name" is a shared paragraph of the language.
_LETTERS = {
    "fr": {
        COURTEOUS: (
            "{{ company.name }} — Prochaine échéance de vos factures",
            [
                "@hello",
                "Nous nous permettons de vous rappeler l'échéance prochaine de vos factures"
                "{% if days_late %} ; certaines sont d'ailleurs déjà échues{% endif %} :",
                "@items",
                "Afin d'en faciliter le traitement, nous vous remercions de bien vouloir vérifier "
                "qu'elles ont été enregistrées et programmées pour règlement. Si l'une d'elles "
                "appelle une remarque, n'hésitez pas à nous contacter dès à présent : nous ferons "
                "le nécessaire rapidement.",
                "@proofs?",
                "@payment",
                "@self_service",
                "Si votre règlement est déjà programmé, nous vous en remercions et vous prions "
                "de ne pas tenir compte de ce message.",
                "@cordially",
                "@signature",
            ],
        ),
        FRIENDLY: (
            "{{ company.name }} — Rappel de factures échues",
            [
                "@hello",
                "Sauf erreur ou omission de notre part, les factures suivantes restent impayées "
                "à ce jour{% if days_late %}, avec un retard pouvant atteindre {{ days_late }} "
                "jour{{ days_late|pluralize }}{% endif %} :",
                "@items",
                "Il s'agit sans doute d'un simple oubli : nous vous remercions de bien vouloir "
                "procéder à leur règlement dans les meilleurs délais. Si celui-ci a été effectué "
                "entre-temps, nous vous prions de ne pas tenir compte de ce message.",
                "@proofs?",
                "@penalties",
                "@payment",
                "@self_service",
                "@questions",
                "@cordially",
                "@signature",
            ],
        ),
        FIRM: (
            "{{ company.name }} — Relance : factures impayées",
            [
                "@madam",
                "Malgré notre précédent rappel, nous constatons que les factures suivantes "
                "demeurent impayées, avec un retard pouvant atteindre {{ days_late }} "
                "jour{{ days_late|pluralize }} :",
                "@items",
                "Nous vous demandons de bien vouloir procéder à leur règlement sans délai.",
                "@proofs?",
                "@penalties",
                "Si l'une de ces factures fait l'objet d'une difficulté ou d'un désaccord, nous "
                "vous invitons à nous contacter rapidement afin que nous trouvions ensemble une "
                "solution.",
                "@payment",
                "@self_service",
                "@formal_close",
                "@signature",
            ],
        ),
        LAST: (
            "{{ company.name }} — Dernière relance avant mise en demeure",
            [
                "@madam",
                "Nos précédentes relances étant restées sans effet, les factures ci-dessous "
                "demeurent impayées, avec un retard pouvant atteindre {{ days_late }} "
                "jour{{ days_late|pluralize }} :",
                "@items",
                "Nous vous demandons de régler cette somme dans un délai de quinze jours. À "
                "défaut, nous vous adresserons une mise en demeure, préalable à l'engagement "
                "d'une procédure de recouvrement.",
                "@proofs?",
                "@penalties",
                "Si vous rencontrez des difficultés, contactez-nous sans attendre : un échéancier "
                "de paiement peut être étudié.",
                "@payment",
                "@self_service",
                "@formal_close",
                "@signature",
            ],
        ),
        FORMAL_NOTICE: (
            "Mise en demeure de payer — {{ customer.name }}",
            [
                "@madam",
                "Malgré nos relances, vous restez redevable envers {{ company.name }} de la somme "
                "de {{ overdue_total }} au titre des factures échues suivantes :",
                "{{ overdue_items_table }}",
                "Par la présente, nous vous mettons en demeure de régler cette somme dans un "
                "délai de huit (8) jours à compter de la réception de ce courrier.",
                "{% if overdue_total != total %}Pour mémoire, le solde de votre compte s'élève à "
                "{{ total }}, factures non encore échues comprises.{% endif %}",
                "{% if interest %}Conformément à l'article L441-10 du Code de commerce, cette "
                "somme est majorée de plein droit des pénalités de retard au taux de "
                "{{ interest_rate }}, soit {{ interest }} à ce jour, ainsi que de l'indemnité "
                "forfaitaire pour frais de recouvrement de 40 € par facture prévue à l'article "
                "D441-5, soit {{ indemnity }}.{% elif customer.is_consumer %}Conformément à "
                "l'article 1344-1 du Code civil, la somme due portera intérêts au taux légal à "
                "compter de la présente mise en demeure.{% endif %}",
                "À défaut de règlement dans ce délai, nous engagerons sans autre préavis une "
                "procédure judiciaire en recouvrement de notre créance ; les frais de procédure "
                "et d'exécution qui en résulteront pourront être mis à votre charge.",
                "La présente lettre vaut mise en demeure au sens des articles 1344 et suivants "
                "du Code civil.",
                "@payment",
                "@formal_close",
                "@signature",
            ],
        ),
    },
    "en": {
        COURTEOUS: (
            "{{ company.name }} — Invoices falling due soon",
            [
                "@hello",
                "This is a courtesy reminder that your invoices will soon fall due"
                "{% if days_late %}; some of them are already overdue{% endif %}:",
                "@items",
                "We would be grateful if you could check that they have been approved and "
                "scheduled for payment. If any of them raises a question, please let us know now "
                "so that we can resolve it in good time.",
                "@proofs?",
                "@payment",
                "@self_service",
                "If payment is already scheduled, thank you, and please disregard this message.",
                "@cordially",
                "@signature",
            ],
        ),
        FRIENDLY: (
            "{{ company.name }} — Reminder: overdue invoices",
            [
                "@hello",
                "According to our records, the following invoices remain unpaid"
                "{% if days_late %}, up to {{ days_late }} day{{ days_late|pluralize }} past "
                "due{% endif %}:",
                "@items",
                "This is probably an oversight: we would be grateful if you could arrange "
                "payment at your earliest convenience. If you have paid in the meantime, please "
                "disregard this message.",
                "@proofs?",
                "@penalties",
                "@payment",
                "@self_service",
                "@questions",
                "@cordially",
                "@signature",
            ],
        ),
        FIRM: (
            "{{ company.name }} — Second reminder: unpaid invoices",
            [
                "@madam",
                "Despite our previous reminder, the following invoices remain unpaid, up to "
                "{{ days_late }} day{{ days_late|pluralize }} past due:",
                "@items",
                "We ask you to settle them without further delay.",
                "@proofs?",
                "@penalties",
                "If there is a problem or a disagreement with any of these invoices, please "
                "contact us promptly so that we can find a solution together.",
                "@payment",
                "@self_service",
                "@formal_close",
                "@signature",
            ],
        ),
        LAST: (
            "{{ company.name }} — Final reminder before formal notice",
            [
                "@madam",
                "Our previous reminders have gone unanswered, and the following invoices remain "
                "unpaid, up to {{ days_late }} day{{ days_late|pluralize }} past due:",
                "@items",
                "We ask you to settle this amount within fifteen days. Failing that, we will send "
                "you a formal notice to pay, the step before recovery proceedings.",
                "@proofs?",
                "@penalties",
                "If you are experiencing difficulties, please contact us without delay: we are "
                "open to discussing a payment plan.",
                "@payment",
                "@self_service",
                "@formal_close",
                "@signature",
            ],
        ),
        FORMAL_NOTICE: (
            "Formal notice to pay (mise en demeure) — {{ customer.name }}",
            [
                "@madam",
                "Despite our reminders, you still owe {{ company.name }} the sum of "
                "{{ overdue_total }} for the following overdue invoices:",
                "{{ overdue_items_table }}",
                "We hereby give you formal notice (mise en demeure) to pay this sum within eight "
                "(8) days of receipt of this letter.",
                "{% if overdue_total != total %}For your information, the balance of your account "
                "is {{ total }}, including invoices not yet due.{% endif %}",
                "{% if interest %}Under article L441-10 of the French Commercial Code, this sum "
                "is automatically increased by late-payment interest at {{ interest_rate }}, i.e. "
                "{{ interest }} to date, and by the fixed recovery indemnity of EUR 40 per "
                "invoice provided for by article D441-5, i.e. {{ indemnity }}."
                "{% elif customer.is_consumer %}Under article 1344-1 of the French Civil Code, "
                "the sum due will bear interest at the legal rate from the date of this formal "
                "notice.{% endif %}",
                "Failing payment within this period, we will start legal proceedings to recover "
                "the debt without further notice; the resulting legal and enforcement costs may "
                "be charged to you.",
                "This letter constitutes a formal notice within the meaning of articles 1344 et "
                "seq. of the French Civil Code.",
                "@payment",
                "@formal_close",
                "@signature",
            ],
        ),
    },
}

# One or two SMS segments (relance/dunning/channels/sms/): short, and GSM-7 when the names
# allow it (no "dû", "—" or other characters outside GSM 03.38, which would halve the room).
# A text too long is cut after its last whole sentence that fits, the link kept.
_SMS = {
    "fr": (
        "{{ company.name }} — Relance",
        "{{ company.name }} : sauf erreur, {{ overdue_total }} restent impayés sur votre compte "
        "{{ customer.code }}{% if overdue_total != total %} (solde total : {{ total }}){% endif %}"
        ". Merci de régulariser rapidement.{% if interest %} Pénalités de "
        "retard applicables (Code de commerce, L441-10).{% endif %}{% if self_service_url %} "
        "Détail et règlement : {{ self_service_url }}{% elif collector.email %} Contact : "
        "{{ collector.email }}{% endif %}",
    ),
    "en": (
        "{{ company.name }} — Reminder",
        "{{ company.name }}: according to our records, {{ overdue_total }} is overdue on your "
        "account {{ customer.code }}{% if overdue_total != total %} (total due: {{ total }})"
        "{% endif %}. Please arrange payment promptly.{% if interest %} "
        "Late-payment interest applies (French Commercial Code, L441-10).{% endif %}"
        "{% if self_service_url %} Details and payment: {{ self_service_url }}"
        "{% elif collector.email %} Contact: {{ collector.email }}{% endif %}",
    ),
}

_CALL = {
    "fr": {
        "subject": "Appel : {{ customer.name }} — {{ overdue_total }} échus",
        "head": "Appeler {{ contact.name }} ({{ customer.name }}, compte {{ customer.code }})"
        "{% if contact.phone %} au {{ contact.phone }}{% endif %}.\n"
        "Objectif : obtenir une date de règlement pour {{ total }}, dont {{ overdue_total }} "
        "échus (retard maximal : {{ days_late }} jour{{ days_late|pluralize }}).",
        "points": "Points à aborder :",
        "intro": "Se présenter : son nom, service recouvrement de {{ company.name }}.",
        "received": "Vérifier que les factures ont bien été reçues et qu'aucune n'est contestée "
        "(sinon, noter un litige avec son motif).",
        "validation": "Faire confirmer que chaque facture est validée pour paiement : nom de la "
        "personne qui valide, bon de commande et bon de livraison en sa possession.",
        "plan": "Proposer un échéancier adapté aux capacités du client (nombre et dates des "
        "versements) et l'informer qu'il lui sera confirmé par écrit.",
        "date": "Demander la date et le mode de règlement ; noter une promesse de règlement "
        "(date, montant).",
        "block": "Informer le client que les nouvelles commandes sont suspendues jusqu'à "
        "régularisation.",
        "penalties": "{% if interest %}Si nécessaire, rappeler que des pénalités de retard "
        "(L441-10, {{ interest }} à ce jour) et l'indemnité forfaitaire de 40 € par facture "
        "(D441-5, {{ indemnity }}) sont dues.{% endif %}",
        "outcome": "Noter l'issue : promesse, litige, échéancier demandé, message laissé ou "
        "injoignable.",
    },
    "en": {
        "subject": "Call: {{ customer.name }} — {{ overdue_total }} overdue",
        "head": "Call {{ contact.name }} ({{ customer.name }}, account {{ customer.code }})"
        "{% if contact.phone %} on {{ contact.phone }}{% endif %}.\n"
        "Goal: a payment date for {{ total }}, of which {{ overdue_total }} is overdue "
        "(up to {{ days_late }} day{{ days_late|pluralize }} late).",
        "points": "Talking points:",
        "intro": "Introduce yourself: your name, credit control at {{ company.name }}.",
        "received": "Check that the invoices were received and that none is disputed "
        "(otherwise, record a dispute with its reason).",
        "validation": "Have each invoice confirmed as approved for payment: who approves it, and "
        "whether they hold the purchase order and delivery note.",
        "plan": "Offer a payment plan the customer can keep (number and dates of instalments) "
        "and say it will be confirmed in writing.",
        "date": "Ask for the payment date and method; record a promise to pay (date, amount).",
        "block": "Tell the customer that new orders are on hold until the account is settled.",
        "penalties": "{% if interest %}If needed, point out that late-payment interest (L441-10, "
        "{{ interest }} to date) and the fixed indemnity of EUR 40 per invoice (D441-5, "
        "{{ indemnity }}) are due.{% endif %}",
        "outcome": "Record the outcome: promise, dispute, payment plan requested, message left "
        "or unreachable.",
    },
}

_TASKS = {
    "fr": {
        "chorus_check": (
            "Chorus Pro : vérifier le dépôt des factures — {{ customer.name }}",
            "Avant l'échéance, vérifier sur Chorus Pro que chaque facture ci-dessous a été "
            "déposée, mise à disposition du service destinataire et n'a été ni rejetée ni "
            "suspendue (numéro d'engagement et code service présents). Corriger et redéposer "
            "toute facture rejetée.",
        ),
        "chorus_follow_up": (
            "Chorus Pro : relancer le service gestionnaire — {{ customer.name }}",
            "Consulter sur Chorus Pro le statut de chaque facture ci-dessous (mise à "
            "disposition, suspendue, mandatée, mise en paiement). Compléter une facture "
            "suspendue ; sinon, contacter le service gestionnaire pour obtenir la date de "
            "mandatement. Le délai de paiement des acheteurs publics est de 30 jours (50 jours "
            "pour les établissements publics de santé) ; au-delà, les intérêts moratoires et "
            "l'indemnité de 40 € sont dus de plein droit.",
        ),
        "collection": (
            "Transmission au contentieux — {{ customer.name }}",
            "Préparer le dossier contentieux : factures, bons de commande et de livraison, "
            "conditions générales de vente acceptées, copies des relances envoyées, mise en "
            "demeure et son accusé de réception, échanges avec le client. Le transmettre au "
            "cabinet de recouvrement, au commissaire de justice ou à l'avocat retenu, puis "
            "marquer le client comme transmis au contentieux.",
        ),
        "other": (
            "{{ step.name }} — {{ customer.name }}",
            "Tâche : {{ step.name }}.",
        ),
        "tail": "Client : {{ customer.name }} (compte {{ customer.code }})\n\n{{ items_table }}\n\n"
        "Montant total dû : {{ total }}, dont {{ overdue_total }} échus.",
    },
    "en": {
        "chorus_check": (
            "Chorus Pro: check the invoices were filed — {{ customer.name }}",
            "Before the due date, check on Chorus Pro that each invoice below was filed, made "
            "available to the receiving department and neither rejected nor suspended "
            "(commitment number and department code present). Correct and re-file any rejected "
            "invoice.",
        ),
        "chorus_follow_up": (
            "Chorus Pro: follow up with the managing department — {{ customer.name }}",
            "Check on Chorus Pro the status of each invoice below (made available, suspended, "
            "mandated, payment issued). Complete a suspended invoice; otherwise, contact the "
            "managing department for the payment order date. Public buyers must pay within 30 "
            "days (50 days for public hospitals); beyond that, late-payment interest and the "
            "EUR 40 indemnity are due by law.",
        ),
        "collection": (
            "Handover to collection — {{ customer.name }}",
            "Prepare the collection file: invoices, purchase orders and delivery notes, accepted "
            "terms of sale, copies of the reminders sent, the formal notice and its "
            "acknowledgement of receipt, correspondence with the customer. Send it to the "
            "collection agency, bailiff (commissaire de justice) or lawyer chosen, then mark "
            "the customer as handed over.",
        ),
        "other": (
            "{{ step.name }} — {{ customer.name }}",
            "Task: {{ step.name }}.",
        ),
        "tail": "Customer: {{ customer.name }} (account {{ customer.code }})\n\n"
        "{{ items_table }}\n\nTotal due: {{ total }}, of which {{ overdue_total }} is overdue.",
    },
}

_THANKS = {
    "fr": (
        "{{ company.name }} — Merci pour votre règlement",
        "Bonjour {{ contact.name }},\n\n"
        "Nous avons bien reçu votre règlement et vous en remercions.\n\n"
        "Nous restons à votre disposition pour toute question et vous remercions de votre "
        "confiance.\n\n"
        "Bien cordialement,\n\n" + _FR["signature"],
    ),
    "en": (
        "{{ company.name }} — Thank you for your payment",
        "Dear {{ contact.name }},\n\n"
        "We have received your payment, thank you.\n\n"
        "Please do not hesitate to contact us if you have any questions. Thank you for your "
        "continued trust.\n\n"
        "Kind regards,\n\n" + _EN["signature"],
    ),
}


def default_template(step: StepLike, language: str) -> tuple[str, str]:
    """The default (subject, body) of a step; French for any language but English."""
    language = _language(language)
    channel = Channel(step.channel)
    if channel == Channel.TASK:
        return _task(step, language)
    if channel == Channel.CALL:
        return _call(step, language)
    if channel == Channel.SMS:
        return _SMS[language]
    return _letter(step, channel, language)


def thanks_template(language: str) -> tuple[str, str]:
    """The thank-you message sent when a reminded customer pays."""
    return _THANKS[_language(language)]


def tone(step: StepLike) -> str:
    """How firm a written step is: from the courteous pre-due reminder to the formal notice.

    Chosen from the escalation, the channel, the offset and the name, so that a renamed or
    added step still gets a sensible default text."""
    name = step.name.lower()
    if step.escalation == Escalation.FORMAL_NOTICE or name.startswith("mise en demeure"):
        return FORMAL_NOTICE
    if step.offset_days < 0:
        return COURTEOUS
    if "première" in name:
        return FRIENDLY
    if step.channel == Channel.REGISTERED_LETTER or step.offset_days >= 30 or "dernière" in name:
        return LAST
    if step.offset_days >= 15 or "ferme" in name:
        return FIRM
    return FRIENDLY


def _language(language: str) -> str:
    return "en" if (language or "").lower().startswith("en") else "fr"


def _letter(step: StepLike, channel: Channel, language: str) -> tuple[str, str]:
    blocks = _FR if language == "fr" else _EN
    subject, paragraphs = _LETTERS[language][tone(step)]
    with_proofs = "justificatif" in step.name.lower()
    body = [_paragraph(p, blocks, with_proofs) for p in paragraphs]
    if channel in (Channel.LETTER, Channel.REGISTERED_LETTER):
        head = [blocks["letter_head"]]
        if channel == Channel.REGISTERED_LETTER:
            head.append(blocks["registered"])
        body = [*head, blocks["subject_line"] + subject, *body]
    return subject, "\n\n".join(p for p in body if p)


def _paragraph(paragraph: str, blocks: dict[str, str], with_proofs: bool) -> str:
    """A literal paragraph, or a shared one ("@name"; "@name?" only with proofs)."""
    if paragraph == "@proofs?":
        return blocks["proofs"] if with_proofs else ""
    return blocks[paragraph[1:]] if paragraph.startswith("@") else paragraph


def _call(step: StepLike, language: str) -> tuple[str, str]:
    """A call script: who to call, the goal, numbered talking points, what to record."""
    texts, name = _CALL[language], step.name.lower()
    points = ["intro", "received"]
    if "validation" in name:
        points.append("validation")
    points.append("plan" if "échéancier" in name else "date")
    if step.escalation == Escalation.BLOCK_ORDERS:
        points.append("block")
    lines = [f"{number}. {texts[point]}" for number, point in enumerate(points, 1)]
    lines.append(f"{len(points) + 1}. {texts['outcome']}")
    body = "\n\n".join(
        [texts["head"], "{{ items_table }}", texts["points"] + "\n" + "\n".join(lines)]
    )
    return texts["subject"], body + "\n\n" + texts["penalties"]


def _task(step: StepLike, language: str) -> tuple[str, str]:
    """An internal to-do for the collector, followed by the items concerned."""
    texts, name = _TASKS[language], step.name.lower()
    if step.escalation == Escalation.COLLECTION:
        kind = "collection"
    elif "chorus" in name:
        kind = "chorus_check" if step.offset_days < 0 else "chorus_follow_up"
    else:
        kind = "other"
    subject, text = texts[kind]
    return subject, text + "\n\n" + texts["tail"]
