"""Imports: upload a file, get the import's report. The file goes exactly the way of the
upload page (relance.web.views.imports): checked by ImportUploadForm, kept under
UPLOAD_ROOT (relance.web.uploads), recorded as an ImportBatch, then imported by
relance.imports.services.run_import_batch; here in the request itself, so the answer is the
report (`{"batch", "created", "updated", "unchanged", "rejected"}` as `relance import
--format json` prints it)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from relance.imports import services as import_services
from relance.imports.models import ImportBatch
from relance.team.access import Action
from relance.web import uploads
from relance.web.forms import ImportUploadForm

from ..common import CompanyCode, Id, Page, PageParams, valid
from ..common import page as paginate
from ..errors import Invalid, NotFound
from ..scope import scope_for

router = Router(tags=["Imports"])
NO_MAPPING = File(None)  # the optional TOML column mapping, a part of the multipart form
REJECTIONS_SHOWN = 1000


class Rejected(Schema):
    line: int
    reason: str


class ImportOut(Schema):
    batch: int
    kind: str
    file_name: str
    status: str = Field(description="running, done ou failed.")
    started_at: datetime
    finished_at: datetime | None
    lines: int
    created: dict[str, int] = Field(description="Enregistrements créés, par type.")
    updated: dict[str, int]
    unchanged: dict[str, int]
    rejected: list[Rejected] = Field(description="Lignes refusées (1 000 au plus ici).")
    error: str = Field(description="Pourquoi le fichier entier a été refusé, sinon vide.")

    @staticmethod
    def resolve_batch(obj) -> int:
        return obj.pk

    @staticmethod
    def resolve_lines(obj) -> int:
        return obj.total_lines

    @staticmethod
    def resolve_created(obj) -> dict:
        return (obj.counts or {}).get("created", {})

    @staticmethod
    def resolve_updated(obj) -> dict:
        return (obj.counts or {}).get("updated", {})

    @staticmethod
    def resolve_unchanged(obj) -> dict:
        return (obj.counts or {}).get("unchanged", {})

    @staticmethod
    def resolve_rejected(obj) -> list:
        return list(obj.rejections.all()[:REJECTIONS_SHOWN])


class ImportSummary(ImportOut):
    rejected_count: int = Field(description="Nombre de lignes refusées.")

    @staticmethod
    def resolve_rejected(obj) -> list:
        return []

    @staticmethod
    def resolve_rejected_count(obj) -> int:
        return obj.rejections.count()


@router.get("/imports", response=Page[ImportSummary], summary="Imports (le plus récent d'abord)")
def list_imports(request, company: CompanyCode, params: Query[PageParams]):
    scope = scope_for(request, company)
    batches = ImportBatch.objects.filter(company=scope.company).order_by("-started_at", "-pk")
    return paginate(request, batches, params)


@router.get("/imports/{pk}", response=ImportOut, summary="Rapport d'un import")
def get_import(request, company: CompanyCode, pk: Id):
    scope = scope_for(request, company)
    batch = ImportBatch.objects.filter(company=scope.company, pk=pk).first()
    if batch is None:
        raise NotFound(_("Import introuvable : %(id)s") % {"id": pk})
    return batch


@router.post(
    "/imports",
    response={201: ImportOut},
    summary="Importer un fichier (CSV, XLSX ou FEC)",
    description="Formulaire multipart : `kind` (customers, contacts, invoices, payments, fec), "
    "`file`, et `mapping` facultatif (correspondance des colonnes, TOML). L'import se fait "
    "pendant la requête ; un fichier illisible est refusé en entier (422, avec le numéro "
    "de l'import dans `details.batch`).",
)
def create_import(
    request,
    company: CompanyCode,
    kind: Form[Literal["customers", "contacts", "invoices", "payments", "fec"]],
    file: File[UploadedFile],
    mapping: UploadedFile | None = NO_MAPPING,
):
    scope = scope_for(request, company, Action.IMPORT)
    files = {"file": file, **({"mapping": mapping} if mapping else {})}
    data = valid(ImportUploadForm({"kind": kind}, files))
    token, digest = uploads.store_pending(scope.company.code, data["file"], data["mapping"])
    batch = import_services.open_import_batch(
        scope.company,
        kind=data["kind"],
        file_name=data["file"].name,
        file_sha256=digest,
        user=request.user,
    )
    path = uploads.promote(scope.company.code, token, batch.pk)
    import_services.run_import_batch(batch.pk, path, data["mapping"])
    batch.refresh_from_db()
    if batch.status != ImportBatch.Status.DONE:
        raise Invalid(batch.error, {"batch": batch.pk})
    return Status(201, batch)
