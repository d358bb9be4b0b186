from django.contrib import admin

from .models import Allocation, Company, Contact, Customer, Invoice, Payment


def superusers_only(request) -> bool:
    """The Django admin bypasses company scoping: it is for superusers only."""
    return request.user.is_active and request.user.is_superuser


admin.site.has_permission = superusers_only
admin.site.site_header = "Relance — administration"


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "siren", "currency")
    search_fields = ("code", "name", "siren")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "company", "payer_profile", "is_blocked")
    list_filter = ("company", "payer_profile", "is_consumer", "is_blocked")
    search_fields = ("code", "name", "siren")
    raw_id_fields = ("collector", "sales_rep")


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "customer", "role", "email", "phone")
    raw_id_fields = ("customer",)
    search_fields = ("name", "email")


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "kind", "due_on", "amount", "open_amount", "currency")
    list_filter = ("company", "kind", "is_credit")
    raw_id_fields = ("customer", "import_batch")
    search_fields = ("number",)


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("received_on", "customer", "amount", "unallocated_amount", "method")
    raw_id_fields = ("customer", "import_batch")


@admin.register(Allocation)
class AllocationAdmin(admin.ModelAdmin):
    list_display = ("invoice", "payment", "credit_item", "amount", "allocated_on")
    raw_id_fields = ("invoice", "payment", "credit_item")
