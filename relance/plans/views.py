"""The editor of the instalment reminder texts: the company's own subject and text of each
kind ("Échéance à venir", "Échéance impayée") in each language, with a live preview on an
example customer, as the step templates of the scenarios (relance/web/views/dunning.py).

It lives with its app, like relance.evidence.views; relance/web/urls.py routes to it.
Everybody reads the texts; managers and admins change them.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from relance.core.plans import NOTICE_DAYS, OVERDUE_AFTER_DAYS, NoticeKind
from relance.dunning.render import TemplateTextError, render_preview
from relance.team.access import Action
from relance.web.views.base import CompanyView, FormView

from . import services
from .forms import InstalmentTemplateForm
from .models import InstalmentTemplate
from .render import example_instalment_context, instalment_text

KIND_LABELS = {
    NoticeKind.BEFORE: gettext_lazy("Échéance à venir (%(days)s jours avant la date)"),
    NoticeKind.OVERDUE: gettext_lazy("Échéance impayée (à partir de %(days)s jours après)"),
}


def kind_of(value: str) -> NoticeKind:
    try:
        return NoticeKind(value)
    except ValueError:
        raise Http404 from None


def language_of(value: str) -> str:
    return value if value in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def kind_label(kind: NoticeKind) -> str:
    days = NOTICE_DAYS if kind == NoticeKind.BEFORE else OVERDUE_AFTER_DAYS
    return str(KIND_LABELS[kind]) % {"days": days}


class InstalmentTextListView(CompanyView):
    """Each kind in each language: the company's own text or the default one."""

    def get(self, request):
        own = set(
            InstalmentTemplate.objects.filter(company=self.company).values_list("kind", "language")
        )
        rows = [
            {
                "kind": kind.value,
                "label": kind_label(kind),
                "languages": [
                    (code, name, (kind.value, code) in own) for code, name in settings.LANGUAGES
                ],
            }
            for kind in NoticeKind
        ]
        return render(
            request,
            "plans/instalment_texts.html",
            {"rows": rows, "can_edit": self.can(Action.MANAGE_SCENARIOS)},
        )


class InstalmentTextView(FormView):
    """GET: the text of one kind in one language (?language=), the company's or the default;
    POST: save it (checked by rendering it first)."""

    write_action = Action.MANAGE_SCENARIOS
    template_name = "plans/instalment_text.html"

    def get(self, request, kind):
        kind, language = kind_of(kind), language_of(request.GET.get("language", ""))
        subject, body = instalment_text(self.company, language, kind)
        form = InstalmentTemplateForm(
            initial={"language": language, "subject": subject, "body": body}
        )
        return self.render_form(form, **self.extra(kind, language))

    def post(self, request, kind):
        kind = kind_of(kind)
        form = InstalmentTemplateForm(request.POST)
        language = language_of(form.data.get("language", ""))
        return self.save_or_render(
            form,
            lambda form: services.save_instalment_template(
                self.company,
                kind,
                form.cleaned_data["language"],
                form.cleaned_data["subject"],
                form.cleaned_data["body"],
                request.user,
            ),
            lambda saved: reverse("instalment_texts", args=[self.company.code]),
            **self.extra(kind, language),
        )

    def extra(self, kind: NoticeKind, language: str) -> dict:
        own = InstalmentTemplate.objects.filter(
            company=self.company, kind=kind.value, language=language
        ).exists()
        return {
            "title": f"{kind_label(kind)} — {dict(settings.LANGUAGES)[language]}",
            "kind": kind.value,
            "language": language,
            "languages": settings.LANGUAGES,
            "is_own": own,
            "can_edit": self.can(Action.MANAGE_SCENARIOS),
            "cancel_url": reverse("instalment_texts", args=[self.company.code]),
        }


class InstalmentTextResetView(CompanyView):
    """POST: back to the default text of the kind in the language posted."""

    action = Action.MANAGE_SCENARIOS

    def post(self, request, kind):
        kind, language = kind_of(kind), language_of(request.POST.get("language", ""))
        if services.reset_instalment_template(self.company, kind, language):
            messages.success(request, _("Texte par défaut rétabli."))
        return redirect("instalment_texts", code=self.company.code)


class InstalmentTextPreviewView(CompanyView):
    """HTMX: the text as the customer would read it, on the example customer."""

    write_action = Action.VIEW  # a preview writes nothing

    def post(self, request, kind):
        kind = kind_of(kind)
        form = InstalmentTemplateForm(request.POST)
        context = {"error": None, "preview": None}
        if not form.is_valid():
            context["error"] = _("Objet et texte sont obligatoires.")
        else:
            data = form.cleaned_data
            example = example_instalment_context(self.company, data["language"], kind, self.today)
            try:
                subject, text, html = render_preview(data["subject"], data["body"], example)
            except TemplateTextError as error:
                context["error"] = _("Modèle invalide : %(error)s") % {"error": error}
            else:
                context["preview"] = {"subject": subject, "text": text, "html": html}
        return render(request, "web/dunning_preview.html", context)
