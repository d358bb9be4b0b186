"""Web forms: parse and validate what people type; the services write."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from relance.api import webhooks
from relance.banking.models import BankLine
from relance.core.identifiers import IdentifierError, clean_phone
from relance.core.records import ItemKind, PayerProfile, PaymentMethod
from relance.imports.models import ImportBatch
from relance.imports.services import KINDS as IMPORT_KINDS
from relance.ledger.models import Company, Contact, Customer, Invoice, Payment

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

PAYER_PROFILES = [
    (PayerProfile.GOOD.value, _("Bon payeur")),
    (PayerProfile.NEGLIGENT.value, _("Négligent")),
    (PayerProfile.BAD.value, _("Mauvais payeur")),
    (PayerProfile.INSOLVENT.value, _("Insolvable")),
    (PayerProfile.ADMINISTRATIVE.value, _("Administratif")),
    (PayerProfile.DISPUTE_PRONE.value, _("Procédurier")),
    (PayerProfile.AUTOMATIC.value, _("Prélèvement automatique")),
]
METHODS = [
    (PaymentMethod.TRANSFER.value, _("Virement")),
    (PaymentMethod.CARD.value, _("Carte bancaire")),
    (PaymentMethod.CHEQUE.value, _("Chèque")),
    (PaymentMethod.DIRECT_DEBIT.value, _("Prélèvement")),
    (PaymentMethod.LCR.value, _("LCR")),
    (PaymentMethod.CASH.value, _("Espèces")),
    (PaymentMethod.OTHER.value, _("Autre")),
]
ITEM_KINDS = [(ItemKind.INVOICE.value, _("Facture")), (ItemKind.CREDIT_NOTE.value, _("Avoir"))]


def members_of(company: Company):
    return get_user_model().objects.filter(memberships__company=company).order_by("username")


class CustomerFilterForm(forms.Form):
    SORTS = [
        ("name", _("Nom")),
        ("code", _("Code")),
        ("-balance", _("Solde")),
        ("-overdue", _("En retard")),
    ]

    q = forms.CharField(
        label=_("Recherche"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("Code, nom ou SIREN"), "type": "search"}),
    )
    payer_profile = forms.ChoiceField(
        label=_("Profil payeur"),
        required=False,
        choices=[("", _("Tous les profils")), *PAYER_PROFILES],
    )
    collector = forms.ModelChoiceField(
        label=_("Chargé de recouvrement"),
        required=False,
        queryset=None,
        empty_label=_("Tous les chargés"),
    )
    overdue = forms.BooleanField(label=_("En retard uniquement"), required=False)
    blocked = forms.BooleanField(label=_("Bloqués uniquement"), required=False)
    sort = forms.ChoiceField(label=_("Tri"), required=False, choices=SORTS)

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["collector"].queryset = members_of(company)


class CustomerForm(forms.ModelForm):
    payer_profile = forms.ChoiceField(label=_("profil payeur"), choices=PAYER_PROFILES)

    class Meta:
        model = Customer
        fields = [
            "code",
            "name",
            "siren",
            "siret",
            "vat_number",
            "is_consumer",
            "payer_profile",
            "language",
            "credit_limit",
            "is_blocked",
            "is_handed_over",
            "collector",
            "sales_rep",
            "address",
            "postal_code",
            "city",
            "country",
        ]

    def __init__(self, *args, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        for name in ("collector", "sales_rep"):
            self.fields[name].queryset = members_of(company)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        taken = Customer.objects.filter(company=self.company, code=code)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Ce code client existe déjà."))
        return code

    def save(self, commit=True):
        """A customer whose new orders a person blocks (page or API) announces it to the
        webhooks, as an escalation does."""
        newly_blocked = self.cleaned_data.get("is_blocked") and not self.initial.get("is_blocked")
        customer = super().save(commit)
        if commit and newly_blocked:
            webhooks.customer_blocked_by_hand(customer)
        return customer


class ContactForm(forms.ModelForm):
    class Meta:
        model = Contact
        fields = [
            "role",
            "name",
            "email",
            "phone",
            "mobile",
            "preferred_channel",
            "sms_opt_out",
            "address",
            "postal_code",
            "city",
            "country",
        ]

    def _clean_number(self, name: str) -> str:
        country = (self.data.get("country") or "FR").upper()
        try:
            return clean_phone(self.cleaned_data[name], country)
        except IdentifierError:
            raise forms.ValidationError(
                _("Numéro de téléphone invalide : %(value)s"),
                params={"value": self.cleaned_data[name]},
            ) from None

    def clean_phone(self) -> str:
        return self._clean_number("phone")

    def clean_mobile(self) -> str:
        return self._clean_number("mobile")


class CustomerCodeField(forms.CharField):
    """A customer typed by its code, looked up among the customers the member sees."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Code client"))
        super().__init__(**kwargs)
        self.customers = None

    def clean(self, value):
        code = super().clean(value).strip()
        customer = self.customers.filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(_("Client inconnu : %(code)s"), params={"code": code})
        return customer


class InvoiceForm(forms.ModelForm):
    customer = CustomerCodeField()
    kind = forms.ChoiceField(label=_("type"), choices=ITEM_KINDS)

    class Meta:
        model = Invoice
        fields = [
            "customer",
            "number",
            "kind",
            "issued_on",
            "due_on",
            "amount",
            "amount_excl_tax",
            "currency",
            "po_reference",
            "label",
            "is_disputed",
        ]
        widgets = {"issued_on": DATE, "due_on": DATE}

    def __init__(self, *args, customers, company: Company, **kwargs):
        super().__init__(*args, **kwargs)
        self.company = company
        self.fields["customer"].customers = customers
        if self.instance.pk:
            del self.fields["customer"]  # an item stays on its account
            self.initial["kind"] = self.instance.kind

    def clean_number(self):
        number = self.cleaned_data["number"].strip()
        taken = Invoice.objects.filter(company=self.company, number=number)
        if taken.exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(_("Ce numéro de pièce existe déjà."))
        return number

    def clean(self):
        data = super().clean()
        issued_on, due_on = data.get("issued_on"), data.get("due_on")
        if issued_on and due_on and due_on < issued_on:
            self.add_error("due_on", _("L'échéance précède la date de facture."))
        return data

    def _post_clean(self):
        # The service validates the whole record; here only the fields typed in the form.
        pass

    def values(self) -> dict:
        data = {name: value for name, value in self.cleaned_data.items() if name != "customer"}
        data["is_credit"] = data["kind"] == ItemKind.CREDIT_NOTE.value
        return data


class PaymentForm(forms.ModelForm):
    customer = CustomerCodeField()
    invoices = forms.ModelMultipleChoiceField(
        label=_("Pièces à lettrer"),
        required=False,
        queryset=Invoice.objects.none(),
        widget=forms.CheckboxSelectMultiple,
    )
    method = forms.ChoiceField(label=_("mode"), choices=METHODS)

    class Meta:
        model = Payment
        fields = ["customer", "received_on", "amount", "currency", "method", "reference", "label"]
        widgets = {"received_on": DATE}

    def __init__(self, *args, customers, open_items, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].customers = customers
        self.fields["invoices"].queryset = open_items

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        if customer and any(item.customer_id != customer.pk for item in data.get("invoices", [])):
            self.add_error("invoices", _("Ces pièces ne sont pas celles de ce client."))
        return data

    def _post_clean(self):
        pass

    def values(self) -> dict:
        skip = {"customer", "invoices"}
        return {name: value for name, value in self.cleaned_data.items() if name not in skip}


# The unit costs of the dashboard's cost of collection per invoice (relance.core.kpis).
UNIT_COSTS = (
    "email_unit_cost",
    "sms_unit_cost",
    "letter_unit_cost",
    "registered_letter_unit_cost",
    "phone_minute_cost",
    "call_minutes",
)


class CompanyForm(forms.ModelForm):
    class Meta:
        model = Company
        fields = [
            "name",
            "siren",
            "siret",
            "vat_number",
            "address",
            "postal_code",
            "city",
            "country",
            "iban",
            "bic",
            "currency",
            "time_zone",
            "late_interest_rate",
            "default_payment_days",
            "alsace_moselle",
            "consumer_hours",
            "pause_sending_when_bank_older_than_days",
            *UNIT_COSTS,
        ]

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for name in UNIT_COSTS:  # optional, and "1,50" as well as "1.50" in French
            field = self.fields[name]
            field.required, field.localize, field.widget.is_localized = False, True, True
        if read_only:
            for field in self.fields.values():
                field.disabled = True

    def clean(self):
        """An empty unit cost is a cost of nothing (0), not an error."""
        data = super().clean()
        for name in UNIT_COSTS:
            if name in data and data[name] is None:
                data[name] = Decimal(0)
        return data


class ImportUploadForm(forms.Form):
    # Bank statements and e-invoices have their own pages (views/banking.py).
    kind = forms.ChoiceField(
        label=_("Type de fichier"),
        choices=[(k, label) for k, label in ImportBatch.Kind.choices if k in IMPORT_KINDS],
    )
    file = forms.FileField(label=_("Fichier"))
    mapping = forms.FileField(
        label=_("Correspondance des colonnes (TOML, facultatif)"), required=False
    )

    def clean_mapping(self) -> str:
        upload = self.cleaned_data.get("mapping")
        if not upload:
            return ""
        try:
            return upload.read().decode("utf-8")
        except UnicodeDecodeError:
            raise forms.ValidationError(
                _("Le fichier de correspondance doit être en UTF-8.")
            ) from None


class BankStatementUploadForm(forms.Form):
    file = forms.FileField(
        label=_("Relevé bancaire"),
        help_text=_("CAMT.053 ou CAMT.054 (XML), CFONB 120, OFX ou MT940"),
    )


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files from one `<input type=file multiple>` (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class EInvoiceUploadForm(forms.Form):
    files = MultipleFileField(
        label=_("Factures électroniques"),
        help_text=_("Factur-X (PDF), CII ou UBL (XML) ; plusieurs fichiers à la fois"),
    )


class BankLineFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Recherche"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": _("Libellé, contrepartie, référence ou montant"),
                "type": "search",
            }
        ),
    )
    status = forms.ChoiceField(
        label=_("Statut"),
        required=False,
        choices=[("", _("Tous les statuts")), *BankLine.Status.choices],
    )
    statement = forms.IntegerField(required=False, widget=forms.HiddenInput)
