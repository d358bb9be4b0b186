from django.contrib import admin

from .models import ImportBatch


@admin.register(ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ("started_at", "company", "kind", "file_name", "status", "user")
    list_filter = ("company", "kind", "status")
