"""Imports: past batches, upload, preview of the column mapping, progress and result."""

from __future__ import annotations

import threading

from django.db import connection, transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from relance.imports import services as import_services
from relance.imports.models import ImportBatch
from relance.imports.report import RECORD_LABELS, ImportFileError
from relance.team.access import Action

from .. import uploads
from ..forms import ImportUploadForm
from ..queries import paginate
from .base import CompanyView

SESSION_KEY = "pending_imports"


def run_in_background(batch_id: int, path: str, mapping_text: str) -> None:
    """Large files take a while: the page polls the batch's progress meanwhile."""
    threading.Thread(
        target=_run_and_close, args=(batch_id, path, mapping_text), daemon=True
    ).start()


def _run_and_close(batch_id: int, path: str, mapping_text: str) -> None:
    try:
        import_services.run_import_batch(batch_id, path, mapping_text)
    finally:
        connection.close()  # the thread's own connection


class ImportListView(CompanyView):
    write_action = Action.IMPORT

    def get(self, request):
        return self.render_page(ImportUploadForm())

    def post(self, request):
        form = ImportUploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form)
        data = form.cleaned_data
        token, digest = uploads.store_pending(self.company.code, data["file"], data["mapping"])
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"kind": data["kind"], "file_name": data["file"].name, "sha256": digest}
        request.session[SESSION_KEY] = pending
        return redirect("import_preview", code=self.company.code, token=token)

    def render_page(self, form):
        batches = ImportBatch.objects.filter(company=self.company).select_related("user")
        return render(
            self.request,
            "web/import_list.html",
            {
                "form": form,
                "page": paginate(batches, self.request.GET.get("page")),
                "can_import": self.can(Action.IMPORT),
            },
        )


class ImportPreviewView(CompanyView):
    """The detected mapping and first rows; POST confirms and starts the import."""

    action = Action.IMPORT

    def pending(self, token: str) -> dict:
        info = self.request.session.get(SESSION_KEY, {}).get(token)
        if info is None:
            raise Http404
        folder = uploads.pending_folder(self.company.code, token)
        if not folder.exists():
            raise Http404
        info = dict(info, folder=folder)
        info["mapping_text"] = (folder / "mapping.toml").read_text(encoding="utf-8")
        return info

    def get(self, request, token):
        info = self.pending(token)
        context = {"info": info, "token": token, "kind_label": ImportBatch.Kind(info["kind"]).label}
        try:
            context["preview"] = import_services.preview(
                info["kind"], uploads.data_file(info["folder"]), info["mapping_text"]
            )
        except ImportFileError as error:
            context["error"] = str(error)
        return render(request, "web/import_preview.html", context)

    def post(self, request, token):
        info = self.pending(token)
        batch = import_services.open_import_batch(
            self.company,
            kind=info["kind"],
            file_name=info["file_name"],
            file_sha256=info["sha256"],
            user=request.user,
        )
        path = uploads.promote(self.company.code, token, batch.pk)
        transaction.on_commit(lambda: run_in_background(batch.pk, str(path), info["mapping_text"]))
        pending = request.session.get(SESSION_KEY, {})
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        return redirect("import_detail", code=self.company.code, pk=batch.pk)


class ImportDetailView(CompanyView):
    template_name = "web/import_detail.html"

    def get(self, request, pk):
        batch = get_object_or_404(ImportBatch.objects.filter(company=self.company), pk=pk)
        return render(
            request,
            self.template_name,
            {
                "batch": batch,
                "is_running": batch.status == ImportBatch.Status.RUNNING,
                "percent": _percent(batch),
                "rejections": batch.rejections.all()[:1000],
                "counts": _counts(batch),
            },
        )


class ImportProgressView(ImportDetailView):
    """The fragment that the result page polls every second while the import runs."""

    template_name = "web/import_progress.html"


def _percent(batch: ImportBatch) -> int:
    if batch.status != ImportBatch.Status.RUNNING:
        return 100
    processed, total = import_services.progress_of(batch)
    return min(100, processed * 100 // total) if total else 0


def _counts(batch: ImportBatch) -> list[tuple[str, str, int]]:
    """(outcome, record kind, n) rows from `counts`: created/updated/unchanged per kind."""
    labels = {"created": _("créés"), "updated": _("mis à jour"), "unchanged": _("inchangés")}
    return [
        (labels.get(outcome, outcome), RECORD_LABELS.get(kind, kind), number)
        for outcome, per_kind in (batch.counts or {}).items()
        if isinstance(per_kind, dict)
        for kind, number in per_kind.items()
    ]
