"""Uploaded import files, kept under settings.UPLOAD_ROOT (outside the web root).

A file waits in `<company>/pending/<token>/` while its preview is shown, then moves to
`<company>/<batch id>/` when the user confirms the import.
"""

from __future__ import annotations

import hashlib
import secrets
import shutil
from pathlib import Path

from django.conf import settings
from django.utils.text import get_valid_filename


def company_root(company_code: str) -> Path:
    return Path(settings.UPLOAD_ROOT) / company_code


def store_pending(company_code: str, upload, mapping_text: str) -> tuple[str, str]:
    """Write the upload (and its mapping) to a fresh pending folder; return (token, sha256)."""
    token = secrets.token_urlsafe(16)
    folder = company_root(company_code) / "pending" / token
    folder.mkdir(parents=True)
    digest = hashlib.sha256()
    name = get_valid_filename(upload.name)
    name = f"file-{name}" if name == "mapping.toml" else name
    with open(folder / name, "wb") as target:
        for chunk in upload.chunks():
            digest.update(chunk)
            target.write(chunk)
    (folder / "mapping.toml").write_text(mapping_text, encoding="utf-8")
    return token, digest.hexdigest()


def pending_folder(company_code: str, token: str) -> Path:
    if not token.replace("-", "").replace("_", "").isalnum():
        raise FileNotFoundError(token)
    return company_root(company_code) / "pending" / token


def data_file(folder: Path) -> Path:
    return next(path for path in sorted(folder.iterdir()) if path.name != "mapping.toml")


def promote(company_code: str, token: str, batch_id: int) -> Path:
    """Move a confirmed upload to its batch folder; return the data file's new path."""
    target = company_root(company_code) / str(batch_id)
    shutil.move(str(pending_folder(company_code, token)), str(target))
    return data_file(target)
