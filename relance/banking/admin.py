from django.contrib import admin

from .models import BankLine, Statement


@admin.register(Statement)
class StatementAdmin(admin.ModelAdmin):
    list_display = ("closing_on", "company", "account", "reference", "format", "line_count")
    list_filter = ("company", "format")


@admin.register(BankLine)
class BankLineAdmin(admin.ModelAdmin):
    list_display = ("booked_on", "company", "amount", "currency", "counterparty_name", "status")
    list_filter = ("company", "status")
    search_fields = ("remittance", "counterparty_name", "bank_reference")
    raw_id_fields = ("statement", "payment")
