"""The reconciliation page (rapprochement bancaire): proposals accepted in one click or
rejected, unmatched lines searched and matched by hand, matches undone, return alerts.

Reading needs the VIEW role; accepting, matching and undoing change the ledger
(Action.EDIT_LEDGER); resolving an alert is the collector's (Action.DUN)."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.banking import matching
from relance.banking.models import BankAlert, BankLine, Match, MatchProposal
from relance.ledger.models import Customer, Invoice
from relance.team.access import Action

from ..queries import paginate
from .banking import search_bank_lines
from .base import CompanyView

TABS = ("proposed", "unmatched", "matched", "alerts")
REASONS = {
    "reference": gettext_lazy("référence structurée"),
    "number": gettext_lazy("n° de facture"),
    "amount": gettext_lazy("montant exact"),
    "combination": gettext_lazy("somme de factures"),
    "iban": gettext_lazy("IBAN connu"),
    "name": gettext_lazy("nom du client"),
    "partial": gettext_lazy("paiement partiel"),
    "fee": gettext_lazy("frais déduits"),
    "overpayment": gettext_lazy("trop-perçu"),
    "manual": gettext_lazy("à la main"),
    "return": gettext_lazy("rejet"),
}


class ReconciliationFilterForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Recherche"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "placeholder": gettext_lazy("Libellé, contrepartie ou montant"),
                "type": "search",
            }
        ),
    )
    booked_from = forms.DateField(
        label=gettext_lazy("Du"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    booked_to = forms.DateField(
        label=gettext_lazy("Au"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


def reasons_text(reasons) -> str:
    return ", ".join(str(REASONS.get(reason, reason)) for reason in reasons)


class ReconciliationView(CompanyView):
    """The page, one tab at a time; read-only for roles that may not edit the ledger."""

    def get(self, request):
        tab = request.GET.get("tab") if request.GET.get("tab") in TABS else "proposed"
        form = ReconciliationFilterForm(request.GET or None)
        filters = form.cleaned_data if form.is_valid() else {}
        lines = self.lines(tab, filters)
        page = paginate(lines, request.GET.get("page"))
        return render(
            request,
            "web/reconciliation.html",
            {
                "tab": tab,
                "form": form,
                "page": page,
                "rows": self.rows(tab, list(page)),
                "counts": self.counts(),
                "alerts": self.alerts() if tab == "alerts" else [],
                "can_match": self.can(Action.EDIT_LEDGER),
                "can_resolve": self.can(Action.DUN),
            },
        )

    def lines(self, tab: str, filters: dict) -> QuerySet[BankLine]:
        lines = BankLine.objects.filter(company=self.company)
        if tab == "proposed":
            lines = lines.filter(pk__in=self.proposals().values("bank_line"))
        elif tab == "unmatched":
            lines = lines.filter(status=BankLine.Status.UNMATCHED)
        elif tab == "matched":
            lines = lines.filter(pk__in=self.matches().values("bank_line"))
        else:
            return lines.none()
        if filters.get("booked_from"):
            lines = lines.filter(booked_on__gte=filters["booked_from"])
        if filters.get("booked_to"):
            lines = lines.filter(booked_on__lte=filters["booked_to"])
        return search_bank_lines(lines, {"q": filters.get("q")})

    def proposals(self) -> QuerySet[MatchProposal]:
        return self.scoped(MatchProposal.objects.all()).filter(
            rejected_at__isnull=True, bank_line__status=BankLine.Status.UNMATCHED
        )

    def matches(self) -> QuerySet[Match]:
        return self.scoped(Match.objects.all())

    def alerts(self) -> QuerySet[BankAlert]:
        return self.scoped(BankAlert.objects.all()).select_related("customer", "bank_line")

    def counts(self) -> dict[str, int]:
        return {
            "proposed": self.proposals().values("bank_line").distinct().count(),
            "unmatched": BankLine.objects.filter(
                company=self.company, status=BankLine.Status.UNMATCHED
            ).count(),
            "matched": self.matches().filter(undone_at__isnull=True).count(),
            "alerts": self.alerts().filter(resolved_at__isnull=True).count(),
        }

    def rows(self, tab: str, lines: list[BankLine]) -> list[dict]:
        """Each line of the page with its proposals or its matches, ready to show."""
        ids = [line.pk for line in lines]
        proposals: dict[int, list] = defaultdict(list)
        matches: dict[int, list] = defaultdict(list)
        if tab == "proposed":
            found = self.proposals().filter(bank_line__in=ids).select_related("customer")
            for proposal in found.order_by("rank"):
                proposals[proposal.bank_line_id].append(proposal)
        if tab == "matched":
            found = (
                self.matches()
                .filter(bank_line__in=ids)
                .select_related("customer", "made_by", "undone_by")
            )
            for match in found.order_by("-created_at", "-pk"):
                matches[match.bank_line_id].append(match)
        numbers = _numbers(proposals)
        return [
            {
                "line": line,
                "proposals": [_proposal(p, numbers) for p in proposals[line.pk]],
                "matches": [_match(m) for m in matches[line.pk]],
            }
            for line in lines
        ]


def _numbers(proposals: dict[int, list]) -> dict[int, str]:
    ids = {
        share["invoice"]
        for found in proposals.values()
        for proposal in found
        for share in proposal.candidate.get("shares", [])
    }
    return dict(Invoice.objects.filter(pk__in=ids).values_list("pk", "number"))


def _proposal(proposal: MatchProposal, numbers: dict[int, str]) -> dict:
    candidate = proposal.candidate
    return {
        "proposal": proposal,
        "shares": [
            (numbers.get(share["invoice"], "?"), Decimal(share["amount"]))
            for share in candidate.get("shares", [])
        ],
        "unallocated": Decimal(candidate.get("unallocated", "0")),
        "fee": Decimal(candidate.get("fee", "0")),
        "percent": round(proposal.confidence * 100),
        "reasons": reasons_text(candidate.get("reasons", [])),
    }


def _match(match: Match) -> dict:
    return {
        "match": match,
        "shares": [(share["number"], Decimal(share["amount"])) for share in match.shares],
        "reasons": reasons_text(match.reasons),
        "percent": None if match.confidence is None else round(match.confidence * 100),
    }


class MatchingRunView(CompanyView):
    """The "Lancer le rapprochement" button."""

    action = Action.EDIT_LEDGER

    def post(self, request):
        report = matching.run_matching(self.company, user=request.user)
        messages.success(
            request,
            _(
                "Rapprochement terminé : %(applied)s ligne(s) rapprochée(s) automatiquement, "
                "%(proposed)s proposée(s), %(unmatched)s sans correspondance, "
                "%(returns)s rejet(s)."
            )
            % {
                "applied": len(report.applied),
                "proposed": len(report.proposed),
                "unmatched": len(report.unmatched),
                "returns": len(report.returns),
            },
        )
        return redirect("bank_reconciliation", code=self.company.code)


class ProposalView(CompanyView):
    """Accept (one click) or reject a proposal; HTMX swaps the line's row."""

    action = Action.EDIT_LEDGER
    decision = "accept"

    def post(self, request, pk):
        proposal = get_object_or_404(
            MatchProposal.objects.filter(company=self.company).select_related("bank_line"), pk=pk
        )
        error = ""
        try:
            if self.decision == "accept":
                matching.accept_proposal(proposal, request.user)
            else:
                matching.reject_proposal(proposal, request.user)
        except matching.MatchError as exc:
            error = _("Proposition non appliquée : %(reason)s") % {"reason": exc}
        if request.headers.get("HX-Request"):
            return self.row(proposal.bank_line_id, error)
        if error:
            messages.error(request, error)
        else:
            messages.success(request, _("Rapprochement enregistré.") if self.decision == "accept"
                             else _("Proposition refusée."))  # fmt: skip
        return redirect("bank_reconciliation", code=self.company.code)

    def row(self, line_id: int, error: str) -> HttpResponse:
        line = BankLine.objects.get(pk=line_id)
        match = Match.objects.filter(bank_line=line, undone_at__isnull=True).first()
        left = MatchProposal.objects.filter(bank_line=line, rejected_at__isnull=True)
        return render(
            self.request,
            "web/reconciliation_done.html",
            {
                "line": line,
                "match": _match(match) if match else None,
                "proposals_left": left.count(),
                "error": error,
            },
        )


class ProposalRejectView(ProposalView):
    decision = "reject"


class MatchUndoView(CompanyView):
    action = Action.EDIT_LEDGER

    def post(self, request, pk):
        match = get_object_or_404(Match.objects.filter(company=self.company), pk=pk)
        try:
            matching.undo_match(match, request.user)
        except matching.MatchError as error:
            messages.error(request, _("Annulation impossible : %(reason)s") % {"reason": error})
        else:
            messages.success(request, _("Rapprochement annulé : la ligne est à rapprocher."))
        return redirect(f"{_page_url(self.company.code)}?tab=matched")


class AlertResolveView(CompanyView):
    action = Action.DUN

    def post(self, request, pk):
        alert = get_object_or_404(self.scoped(BankAlert.objects.all()), pk=pk)
        matching.resolve_alert(alert, request.user)
        messages.success(request, _("Alerte traitée."))
        return redirect(request.POST.get("next") or f"{_page_url(self.company.code)}?tab=alerts")


def _page_url(code: str) -> str:
    return reverse("bank_reconciliation", kwargs={"code": code})


class LineMatchView(CompanyView):
    """Match one line by hand: choose the customer, then the amounts per open invoice."""

    action = Action.EDIT_LEDGER

    def get(self, request, pk):
        line = self.line(pk)
        customer = self.customer(request.GET.get("customer"))
        return self.render_page(line, customer)

    def post(self, request, pk):
        line = self.line(pk)
        customer = self.customer(request.POST.get("customer"))
        if customer is None:
            return self.render_page(line, None, error=_("Choisissez un client."))
        invoices = self.open_invoices(customer, line.currency)
        allocations, errors = _amounts(request.POST, invoices)
        if errors:
            return self.render_page(line, customer, error=" ".join(errors), posted=request.POST)
        try:
            matching.match_by_hand(line, customer, allocations, request.user)
        except matching.MatchError as error:
            return self.render_page(line, customer, error=str(error), posted=request.POST)
        messages.success(request, _("Ligne rapprochée."))
        return redirect(f"{_page_url(self.company.code)}?tab=matched")

    def line(self, pk) -> BankLine:
        return get_object_or_404(
            BankLine.objects.filter(company=self.company, status=BankLine.Status.UNMATCHED),
            pk=pk,
            amount__gt=0,
        )

    def customer(self, code: str | None) -> Customer | None:
        if not code:
            return None
        return self.customers().filter(code=code).first()

    def open_invoices(self, customer: Customer, currency: str) -> list[Invoice]:
        return list(
            Invoice.objects.filter(
                customer=customer, is_credit=False, currency=currency, open_amount__gt=0
            ).order_by("due_on", "number")
        )

    def render_page(self, line, customer, error: str = "", posted=None):
        invoices = self.open_invoices(customer, line.currency) if customer else []
        posted = posted or {}
        return render(
            self.request,
            "web/reconciliation_match.html",
            {
                "line": line,
                "customer": customer,
                "customers": self.customers().order_by("name").only("code", "name")[:2000],
                "invoices": [(i, posted.get(f"amount_{i.pk}", "")) for i in invoices],
                "error": error,
            },
        )


def _amounts(data, invoices: list[Invoice]) -> tuple[list[tuple[Invoice, Decimal]], list[str]]:
    """The amounts typed per invoice ('1 200,50' or '1200.50'); empty means none."""
    allocations, errors = [], []
    for invoice in invoices:
        raw = (data.get(f"amount_{invoice.pk}") or "").strip()
        if not raw:
            continue
        cleaned = raw.replace("\u00a0", "").replace(" ", "").replace(",", ".")
        try:
            amount = Decimal(cleaned)
        except InvalidOperation:
            amount = Decimal(-1)
        if not amount.is_finite() or amount < 0 or amount > invoice.open_amount:
            errors.append(
                _("%(number)s : montant invalide (entre 0 et le reste dû).")
                % {"number": invoice.number}
            )
        elif amount:
            allocations.append((invoice, amount))
    return allocations, errors
