"""Files a debtor attaches: checked by what they contain, not by their name, and kept under
settings.UPLOAD_ROOT (outside the web root, served only to the company's members).

Accepted: PDF, PNG and JPEG, recognised by their first bytes (a program renamed "proof.pdf"
is refused); RELANCE_PORTAL_UPLOAD_MAX_BYTES each, RELANCE_PORTAL_UPLOAD_MAX_FILES at once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from .models import DebtorAction, Upload

# The signatures ("magic numbers") that open each accepted format.
SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)


@dataclass(frozen=True)
class Checked:
    """An accepted file, read whole (a few megabytes at most)."""

    name: str
    content: bytes
    content_type: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


def content_type(head: bytes) -> str:
    """The format the first bytes announce, "" when none of the accepted ones."""
    return next((kind for magic, kind in SIGNATURES if head.startswith(magic)), "")


def check_files(files) -> list[Checked]:
    """Every file accepted, or ValidationError naming each refused file and why."""
    files = list(files)
    limit, most = settings.RELANCE_PORTAL_UPLOAD_MAX_FILES, settings.RELANCE_PORTAL_UPLOAD_MAX_BYTES
    if len(files) > limit:
        raise ValidationError(
            _("%(count)s fichiers : %(limit)s au plus.") % {"count": len(files), "limit": limit}
        )
    checked, errors = [], []
    for upload in files:
        name = get_valid_filename(Path(upload.name or "fichier").name)[:150] or "fichier"
        if upload.size > most:
            errors.append(
                _("%(name)s : fichier trop lourd (%(size)s Mo au plus).")
                % {"name": name, "size": most // (1024 * 1024) or 1}
            )
            continue
        content = b"".join(upload.chunks())
        kind = content_type(content[:8])
        if not kind:
            errors.append(
                _("%(name)s : ce n'est ni un PDF, ni une image PNG ou JPEG.") % {"name": name}
            )
            continue
        checked.append(Checked(name, content, kind))
    if errors:
        raise ValidationError(errors)
    return checked


def store(action: DebtorAction, files: list[Checked]) -> list[Upload]:
    """Write the files under <company>/portal/<customer>/ and record them on the action.

    Written before the transaction commits: a rollback leaves an orphan file, never a record
    without its file."""
    folder = customer_folder(action)
    rows = []
    for file in files:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{action.pk}-{file.sha256[:12]}-{file.name}"
        path.write_bytes(file.content)
        rows.append(
            Upload(
                company_id=action.company_id,
                action=action,
                name=file.name,
                path=str(path.relative_to(settings.UPLOAD_ROOT)),
                content_type=file.content_type,
                size=len(file.content),
                sha256=file.sha256,
            )
        )
    return Upload.objects.bulk_create(rows)


def customer_folder(action: DebtorAction) -> Path:
    return Path(settings.UPLOAD_ROOT) / action.company.code / "portal" / str(action.customer_id)


def stored(upload: Upload) -> Path:
    return Path(settings.UPLOAD_ROOT) / upload.path
