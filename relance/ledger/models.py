"""The ledger: companies, customers, contacts, receivable items, payments and allocations.

All data is scoped by company. Amounts are positive Decimals with their currency; the side
(debit or credit) is carried by the kind of record. `open_amount` on items and
`unallocated_amount` on payments are derived from allocations and kept consistent by
relance.ledger.services; CHECK constraints make the database refuse an allocation larger
than what is available.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from relance.core.dunning_due import UNKNOWN as DUNNING_UNKNOWN
from relance.core.records import ItemKind, PayerProfile, PaymentMethod

from . import lookups, validators  # noqa: F401  (lookups registers `__positive`)

MONEY = {"max_digits": 14, "decimal_places": 2}


class Company(models.Model):
    """A creditor legal entity; every other record belongs to one."""

    code = models.SlugField(_("code"), max_length=20, unique=True)
    name = models.CharField(_("raison sociale"), max_length=200)
    siren = models.CharField(
        "SIREN", max_length=9, blank=True, validators=[validators.validate_siren]
    )
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validators.validate_siret]
    )
    vat_number = models.CharField(
        _("n° de TVA"), max_length=20, blank=True, validators=[validators.validate_vat]
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    iban = models.CharField(
        "IBAN", max_length=34, blank=True, validators=[validators.validate_iban]
    )
    bic = models.CharField("BIC", max_length=11, blank=True, validators=[validators.validate_bic])
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    time_zone = models.CharField(_("fuseau horaire"), max_length=50, default="Europe/Paris")
    # Code de commerce L441-10: without a contractual rate, ECB rate + 10 points applies.
    late_interest_rate = models.DecimalField(
        _("taux de pénalités contractuel (%)"),
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text=_("Vide : taux légal (taux BCE + 10 points)."),
    )
    default_payment_days = models.PositiveSmallIntegerField(
        _("délai de paiement (jours)"), default=30
    )
    # Consumers (B2C) are contacted only within these weekday hours, never on public holidays.
    consumer_hours = models.CharField(
        _("heures d'appel des particuliers"),
        max_length=100,
        default="10:00-13:00, 14:00-20:00",
        validators=[validators.validate_hours],
        help_text=_("Du lundi au vendredi, hors jours fériés. Exemple : 10:00-13:00, 14:00-20:00"),
    )
    # Bas-Rhin, Haut-Rhin and Moselle keep Good Friday and 26 December as public holidays.
    alsace_moselle = models.BooleanField(
        _("jours fériés d'Alsace-Moselle"),
        default=False,
        help_text=_(
            "Vendredi saint et 26 décembre chômés : les relances ne partent pas ces jours-là."
        ),
    )
    # Reminders must not go out on stale bank data: a customer may have paid since the last
    # statement (DESIGN.md: "a customer who has paid is not reminded").
    pause_sending_when_bank_older_than_days = models.PositiveSmallIntegerField(
        _("suspendre les envois si le dernier relevé bancaire a plus de (jours)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text=_("Vide : les relances partent quelle que soit la date du dernier relevé."),
    )
    # What one reminder costs per channel, for the cost of collection per invoice on the
    # dashboard (relance.core.kpis.collection_cost); in the company's currency.
    email_unit_cost = models.DecimalField(
        _("coût d'un e-mail"), max_digits=8, decimal_places=2, default=Decimal("0.00"),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    sms_unit_cost = models.DecimalField(
        _("coût d'un SMS"), max_digits=8, decimal_places=2, default=Decimal("0.05"),
        validators=[MinValueValidator(0)],
    )  # fmt: skip
    letter_unit_cost = models.DecimalField(
        _("coût d'un courrier"), max_digits=8, decimal_places=2, default=Decimal("1.50"),
        validators=[MinValueValidator(0)],
        help_text=_("Impression, enveloppe et affranchissement."),
    )  # fmt: skip
    registered_letter_unit_cost = models.DecimalField(
        _("coût d'une lettre recommandée"), max_digits=8, decimal_places=2,
        default=Decimal("7.00"), validators=[MinValueValidator(0)],
    )  # fmt: skip
    phone_minute_cost = models.DecimalField(
        _("coût d'une minute au téléphone"), max_digits=8, decimal_places=2,
        default=Decimal("0.50"), validators=[MinValueValidator(0)],
        help_text=_("Temps du chargé de recouvrement compris."),
    )  # fmt: skip
    call_minutes = models.DecimalField(
        _("durée moyenne d'un appel (minutes)"), max_digits=5, decimal_places=1,
        default=Decimal("5.0"), validators=[MinValueValidator(0)],
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("société")
        verbose_name_plural = _("sociétés")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class Customer(models.Model):
    """A debtor account, identified by its auxiliary account code in the company's ledger."""

    # No index of its own on company: the composite indexes below all start with it.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="customers", db_index=False
    )
    code = models.CharField(_("code client"), max_length=40)
    name = models.CharField(_("nom"), max_length=200)
    siren = models.CharField(
        "SIREN", max_length=9, blank=True, validators=[validators.validate_siren]
    )
    siret = models.CharField(
        "SIRET", max_length=14, blank=True, validators=[validators.validate_siret]
    )
    vat_number = models.CharField(
        _("n° de TVA"), max_length=20, blank=True, validators=[validators.validate_vat]
    )
    is_consumer = models.BooleanField(_("particulier"), default=False)
    payer_profile = models.CharField(
        _("profil payeur"),
        max_length=20,
        choices=[(p.value, p.value) for p in PayerProfile],
        default=PayerProfile.GOOD.value,
    )
    language = models.CharField(_("langue"), max_length=5, default="fr", choices=settings.LANGUAGES)
    credit_limit = models.DecimalField(_("encours autorisé"), null=True, blank=True, **MONEY)
    is_blocked = models.BooleanField(_("commandes bloquées"), default=False)
    collector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="collected_customers",
        verbose_name=_("chargé de recouvrement"),
    )
    sales_rep = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="sold_customers",
        verbose_name=_("commercial"),
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    scenario = models.ForeignKey(
        "dunning.Scenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("scénario"),
        help_text=_("Vide : le scénario de son profil payeur."),
    )
    is_handed_over = models.BooleanField(_("transmis au contentieux"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "code"], name="customer_code_unique")
        ]
        indexes = [
            models.Index(fields=["company", "name"]),
            models.Index(fields=["company", "collector"]),
            models.Index(fields=["company", "sales_rep"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"

    def save(self, *args, **kwargs):
        """A saved customer may have a new scenario or payer profile: the next steps of its
        invoices are worked out again by the next run (see Invoice.dunning_next_on)."""
        super().save(*args, **kwargs)
        invoices = Invoice.objects.filter(customer_id=self.pk)
        invoices.exclude(dunning_next_on=DUNNING_UNKNOWN).update(dunning_next_on=DUNNING_UNKNOWN)


class Contact(models.Model):
    """A person at a customer: who receives reminders, who to call."""

    class Role(models.TextChoices):
        BILLING = "billing", _("Facturation")
        ACCOUNTING = "accounting", _("Comptabilité")
        MANAGEMENT = "management", _("Direction")
        SALES = "sales", _("Commercial")

    class Channel(models.TextChoices):
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")
        LETTER = "letter", _("Courrier")
        PHONE = "phone", _("Téléphone")

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.BILLING)
    name = models.CharField(_("nom"), max_length=200)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(
        _("téléphone"), max_length=20, blank=True, validators=[validators.validate_phone]
    )
    mobile = models.CharField(
        _("mobile"), max_length=20, blank=True, validators=[validators.validate_phone]
    )
    address = models.CharField(_("adresse"), max_length=200, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=12, blank=True)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    country = models.CharField(_("pays"), max_length=2, default="FR")
    preferred_channel = models.CharField(
        _("canal préféré"), max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    # The person asked not to receive SMS (a consumer's right to object, or anyone's wish):
    # the SMS channel skips their numbers.
    sms_opt_out = models.BooleanField(_("refuse les SMS"), default=False)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["role", "name"]

    def __str__(self) -> str:
        return self.name


class Invoice(models.Model):
    """A receivable document on a customer account: invoice, credit note, opening balance,
    adjustment or refund. `open_amount` is what remains to settle."""

    Kind = models.TextChoices("Kind", [(k.value, k.value) for k in ItemKind])

    # Each index costs every import; the composite ones below also serve the foreign keys.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="invoices", db_index=False
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", db_index=False
    )
    number = models.CharField(_("numéro"), max_length=60)
    kind = models.CharField(
        _("type"), max_length=20, choices=Kind.choices, default=ItemKind.INVOICE.value
    )
    is_credit = models.BooleanField(_("au crédit"), default=False)
    issued_on = models.DateField(_("date de facture"))
    due_on = models.DateField(_("échéance"))
    amount = models.DecimalField(_("montant TTC"), **MONEY)
    amount_excl_tax = models.DecimalField(_("montant HT"), null=True, blank=True, **MONEY)
    open_amount = models.DecimalField(_("reste dû"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    po_reference = models.CharField(_("réf. commande"), max_length=60, blank=True)
    # What the invoice asks the payer to quote (an e-invoice's payment reference); an ISO 11649
    # "RF" reference there is matched against bank lines like the one built from the number.
    payment_reference = models.CharField(_("référence de paiement"), max_length=140, blank=True)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    is_disputed = models.BooleanField(_("en litige"), default=False)
    scenario = models.ForeignKey(
        "dunning.Scenario",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("scénario"),
        help_text=_("Vide : celui du client."),
    )
    pdf = models.FileField(_("PDF"), upload_to="invoices/%Y/%m/", blank=True)
    # Derived from the imported line (see relance.imports.store); None for records typed in
    # by hand. Unique per company, so that even two imports racing cannot store a line twice.
    source_key = models.CharField(max_length=120, null=True, blank=True, default=None)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    # The first day the item's next dunning step may be due (relance.core.dunning_due), kept
    # by the daily run so that it reads only the customers with something due, by index.
    # DUNNING_UNKNOWN (the smallest date) means "to work out again": every new row gets it from
    # the database, and any change that can bring the next step closer resets it.
    dunning_next_on = models.DateField(db_default=DUNNING_UNKNOWN, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("facture")
        verbose_name_plural = _("factures")
        ordering = ["due_on", "number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "number"], name="invoice_number_unique"),
            models.UniqueConstraint(fields=["company", "source_key"], name="invoice_source_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="invoice_amount_positive"),
            models.CheckConstraint(
                condition=Q(open_amount__gte=0) & Q(open_amount__lte=F("amount")),
                name="invoice_open_amount_within_amount",
            ),
        ]
        indexes = [
            models.Index(fields=["customer", "due_on"]),
            models.Index(
                fields=["company", "due_on"],
                condition=Q(open_amount__positive=True),
                name="invoice_open_due",
            ),
            models.Index(
                fields=["company", "dunning_next_on"],
                condition=Q(open_amount__positive=True),
                name="invoice_open_dunning_next",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def save(self, *args, **kwargs):
        """A saved invoice may have a new due date or scenario: its next step is worked out
        again by the next run (the bulk paths reset it themselves: relance.dunning.state)."""
        self.dunning_next_on = DUNNING_UNKNOWN
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "dunning_next_on"}
        super().save(*args, **kwargs)

    @property
    def is_open(self) -> bool:
        return self.open_amount > 0

    @property
    def signed_open_amount(self) -> Decimal:
        return -self.open_amount if self.is_credit else self.open_amount


class Payment(models.Model):
    """Money received from a customer; `unallocated_amount` is what no item has absorbed yet."""

    Method = models.TextChoices("Method", [(m.value, m.value) for m in PaymentMethod])

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="payments", db_index=False
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="payments",
        db_index=False,  # the (customer, received_on) index serves it
    )
    received_on = models.DateField(_("date de règlement"))
    amount = models.DecimalField(_("montant"), **MONEY)
    unallocated_amount = models.DecimalField(_("non lettré"), **MONEY)
    currency = models.CharField(_("devise"), max_length=3, default="EUR")
    method = models.CharField(
        _("mode"), max_length=20, choices=Method.choices, default=PaymentMethod.TRANSFER.value
    )
    reference = models.CharField(_("référence"), max_length=120, blank=True)
    label = models.CharField(_("libellé"), max_length=200, blank=True)
    # Derived from the imported line (see relance.imports.store); None for records typed in
    # by hand. Unique per company, so that even two imports racing cannot store a line twice.
    source_key = models.CharField(max_length=120, null=True, blank=True, default=None)
    import_batch = models.ForeignKey(
        "imports.ImportBatch",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="payments",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("règlement")
        verbose_name_plural = _("règlements")
        ordering = ["-received_on"]
        constraints = [
            models.UniqueConstraint(fields=["company", "source_key"], name="payment_source_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(unallocated_amount__gte=0) & Q(unallocated_amount__lte=F("amount")),
                name="payment_unallocated_within_amount",
            ),
        ]
        indexes = [models.Index(fields=["customer", "received_on"])]

    def __str__(self) -> str:
        return f"{self.received_on} {self.amount} {self.currency}"


class Allocation(models.Model):
    """Lettrage: part of a payment or of a credit item settling a debit item."""

    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="allocations", db_index=False
    )
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="allocations")
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="allocations"
    )
    credit_item = models.ForeignKey(
        Invoice, null=True, blank=True, on_delete=models.CASCADE, related_name="credit_allocations"
    )
    amount = models.DecimalField(_("montant"), **MONEY)
    allocated_on = models.DateField(_("date de lettrage"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("lettrage")
        verbose_name_plural = _("lettrages")
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="allocation_amount_positive"),
            models.CheckConstraint(
                condition=(Q(payment__isnull=False) & Q(credit_item__isnull=True))
                | (Q(payment__isnull=True) & Q(credit_item__isnull=False)),
                name="allocation_has_one_source",
            ),
        ]
        indexes = [models.Index(fields=["company", "allocated_on"])]

    def __str__(self) -> str:
        return f"{self.amount} → {self.invoice_id}"
