import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from relance.banking import services as banking
from relance.imports import services
from relance.imports.report import RECORD_LABELS, ImportFileError
from relance.ledger.models import Company

KINDS = (*services.KINDS, "bank", "einvoice")


class Command(BaseCommand):
    help = (
        "Import a file: customers, contacts, invoices or payments (CSV/XLSX), a FEC ledger, "
        "a bank statement (bank: CAMT.053/054, CFONB 120, OFX, MT940) or e-invoices "
        "(einvoice: Factur-X PDF, CII, UBL; several files at once)."
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS)
        parser.add_argument("files", type=Path, nargs="+", metavar="file")
        parser.add_argument("--company", required=True, help="company code")
        parser.add_argument(
            "--mapping",
            type=Path,
            help="TOML column mapping ([columns], [defaults], date_format, decimal_separator)",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")

    def handle(self, *args, kind, files, company, mapping, format, **options):
        target = Company.objects.filter(code=company).first()
        if target is None:
            raise CommandError(f"société inconnue : {company}")
        for file in files:
            if not file.is_file():
                raise CommandError(f"fichier introuvable : {file}")
        if mapping and kind in ("bank", "einvoice"):
            raise CommandError("--mapping ne s'applique qu'aux fichiers CSV et XLSX")
        if kind == "einvoice":
            return self.import_einvoices(target, files, format)
        if len(files) > 1:
            raise CommandError(f"un seul fichier à la fois pour un import {kind}")
        file = files[0]
        report = self.import_file(target, kind, file, mapping)
        if format == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
            return
        self.stdout.write(f"Import {kind} de {file.name} dans {target.code} :")
        self.write_counts(report.as_json(), "  ")
        self.stdout.write(f"  lignes rejetées : {len(report.rejected)}")
        for rejection in sorted(report.rejected, key=lambda r: r.line):
            self.stdout.write(f"    ligne {rejection.line} : {rejection.reason}")

    def import_file(self, company: Company, kind: str, file: Path, mapping: Path | None):
        try:
            if kind == "bank":
                return banking.import_statement_file(company, file)
            mapping_text = mapping.read_text(encoding="utf-8") if mapping else None
            return services.import_file(company, kind, file, mapping_text=mapping_text)
        except ImportFileError as error:
            raise CommandError(f"{file} : {error}") from None

    def write_counts(self, summary: dict, indent: str) -> None:
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
                self.stdout.write(f"{indent}{title} : {detail}")

    def import_einvoices(self, company: Company, files: list[Path], format: str) -> None:
        results = banking.import_einvoices(company, files)
        if format == "json":
            payload = {"files": [result.as_json() for result in results]}
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            self.stdout.write(f"Import de factures électroniques dans {company.code} :")
            for result in results:
                self.write_einvoice(result)
        refused = [result for result in results if result.status == "refused"]
        if refused:
            raise CommandError(f"{len(refused)} fichier(s) refusé(s) sur {len(results)}")

    def write_einvoice(self, result) -> None:
        words = {"created": "importée", "unchanged": "déjà importée", "refused": "refusée"}
        number = f" {result.number}" if result.number else ""
        customer = f" (client {result.customer_code})" if result.customer_code else ""
        self.stdout.write(f"  {result.file_name} :{number} {words[result.status]}{customer}")
        for reason in result.reasons:
            self.stdout.write(f"    motif : {reason}")
        for note in result.notes:
            self.stdout.write(f"    note : {note}")
