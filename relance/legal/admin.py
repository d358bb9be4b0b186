from django.contrib import admin

from .models import HalfYearRate


@admin.register(HalfYearRate)
class HalfYearRateAdmin(admin.ModelAdmin):
    list_display = (
        "__str__",
        "ecb_rate",
        "legal_rate_professionals",
        "legal_rate_individuals",
        "is_confirmed",
        "updated_at",
    )
    list_filter = ("is_confirmed",)
    readonly_fields = ("updated_at",)
