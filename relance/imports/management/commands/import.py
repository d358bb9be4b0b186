import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from relance.imports import services
from relance.imports.report import RECORD_LABELS, ImportFileError
from relance.ledger.models import Company


class Command(BaseCommand):
    help = "Import a file: customers, contacts, invoices or payments (CSV/XLSX), or a FEC ledger."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=services.KINDS)
        parser.add_argument("file", type=Path)
        parser.add_argument("--company", required=True, help="company code")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="TOML column mapping ([columns], [defaults], date_format, decimal_separator)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, kind, file, company, mapping, format, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        if not file.is_file():
            raise CommandError(f"fichier introuvable : {file}")
        mapping_text = mapping.read_text(encoding="utf-8") if mapping else None
        try:
            report = services.import_file(target, kind, file, mapping_text=mapping_text)
        except ImportFileError as error:
            raise CommandError(f"{file} : {error}") from None
        if format == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Import {kind} de {file.name} dans {target.code} :")
        summary = report.as_json()
        for title, key in (
            ("créés", "created"),
            ("mis à jour", "updated"),
            ("inchangés", "unchanged"),
        ):
            counts = summary[key]
            if counts:
                detail = ", ".join(
                    f"{n} {RECORD_LABELS.get(k, k)}" for k, n in sorted(counts.items())
                )
                self.stdout.write(f"  {title} : {detail}")
        self.stdout.write(f"  lignes rejetées : {len(report.rejected)}")
        for rejection in sorted(report.rejected, key=lambda r: r.line):
            self.stdout.write(f"    ligne {rejection.line} : {rejection.reason}")
