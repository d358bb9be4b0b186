"""The evidence export of a customer, as a ZIP download from the customer file.

It lives with its app rather than in relance/web/views/ (where the other pages are) because the
evidence app owns it; relance/web/urls.py routes to it like to any other page."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponse

from relance.team.access import Action
from relance.web.views.base import CompanyView

from . import services


class CustomerEvidenceView(CompanyView):
    """GET: the ZIP of evidence of the customer, amounts as of today; the export is logged.
    Those who dun the customer (admin, manager, collector of its portfolio) may export it."""

    action = Action.DUN

    def get(self, request, pk):
        customer = self.get_customer(pk)
        try:
            content = services.export_customer_evidence(customer, self.today, request.user)
        except ValidationError as error:
            return HttpResponse(" ".join(error.messages), status=409, content_type="text/plain")
        response = HttpResponse(content, content_type="application/zip")
        name = services.file_name(customer, self.today)
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
