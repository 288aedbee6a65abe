"""Checks on uploaded files before they are stored."""

from __future__ import annotations

import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import PurePath

from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from comptoir.core import conf
from comptoir.tickets.exceptions import AttachmentRejected

# Files a browser or an operating system would run or render as active content.
FORBIDDEN_EXTENSIONS = frozenset(
    {
        "exe", "com", "bat", "cmd", "msi", "msp", "scr", "pif", "cpl", "dll", "sys", "ps1",
        "vbs", "vbe", "js", "jse", "wsf", "wsh", "hta", "jar", "app", "sh", "bash", "apk",
        "html", "htm", "xhtml", "shtml", "svg", "svgz", "xml", "php", "phtml", "asp", "aspx",
        "jsp", "cgi", "pl", "py", "lnk", "reg", "iso", "swf",
    }
)  # fmt: skip
# Leading bytes of executables and markup, whatever the file claims to be.
FORBIDDEN_SIGNATURES = (b"MZ", b"\x7fELF", b"#!", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe")
MARKUP_SNIFF = (b"<!doctype html", b"<html", b"<script", b"<svg", b"<?xml")


@dataclass(frozen=True)
class CheckedFile:
    upload: UploadedFile
    name: str
    content_type: str
    size: int
    sha256: str


def clean_name(name: str) -> str:
    """The file's own name without any folder part, control characters or odd length."""
    base = PurePath(name.replace("\\", "/")).name
    base = "".join(ch for ch in base if ch.isprintable() and ch not in '<>:"/\\|?*').strip(" .")
    return base[:200] or "file"


def check_uploads(uploads: list[UploadedFile]) -> list[CheckedFile]:
    """Refuse the whole set if any file breaks a rule; say which and why."""
    settings = conf.get()
    if len(uploads) > settings.max_attachments:
        raise AttachmentRejected(
            _("You can attach at most %(count)d files to one message.")
            % {"count": settings.max_attachments},
            errors={"attachments": [_("Too many files.")]},
        )
    checked = []
    errors: list[str] = []
    for upload in uploads:
        name = clean_name(upload.name or "")
        extension = PurePath(name).suffix.lower().lstrip(".")
        size = upload.size or 0
        if size > settings.max_upload_bytes:
            errors.append(
                _("“%(name)s” is too large (%(size)s); the limit is %(limit)s.")
                % {
                    "name": name,
                    "size": filesizeformat(size),
                    "limit": filesizeformat(settings.max_upload_bytes),
                }
            )
            continue
        if size == 0:
            errors.append(_("“%(name)s” is empty.") % {"name": name})
            continue
        upload.seek(0)
        head = upload.read(512)
        if (
            extension in FORBIDDEN_EXTENSIONS
            or head.startswith(FORBIDDEN_SIGNATURES)
            or head.lstrip().lower().startswith(MARKUP_SNIFF)
        ):
            errors.append(
                _(
                    "“%(name)s” is a type of file we do not accept (programs, scripts and web pages)."
                )
                % {"name": name}
            )
            continue
        upload.seek(0)
        digest = hashlib.sha256()
        for chunk in upload.chunks():
            digest.update(chunk)
        upload.seek(0)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        checked.append(CheckedFile(upload, name, content_type, size, digest.hexdigest()))
    if errors:
        raise AttachmentRejected(" ".join(errors), errors={"attachments": errors})
    return checked
