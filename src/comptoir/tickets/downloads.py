"""Serving an attachment, the same way for the web and the API.

A file is always sent as a download with headers that keep a browser from running or
rendering it as a page of our site: someone else uploaded it.
"""

from __future__ import annotations

from django.http import FileResponse

from comptoir.tickets.models import Attachment

# Types a browser shows passively; anything else is announced as opaque bytes, so that
# even a mislabelled HTML or SVG file cannot be rendered or sniffed into a page.
PASSIVE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)


class FileMissing(Exception):
    """The row outlived its file (a restore without the media folder)."""


def served_content_type(stored: str) -> str:
    content_type = stored.split(";", 1)[0].strip().lower()
    return content_type if content_type in PASSIVE_TYPES else "application/octet-stream"


def attachment_response(attachment: Attachment) -> FileResponse:
    """The download of ``attachment``; the caller has checked the user may read it."""
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:
        raise FileMissing(attachment.public_id) from None
    response = FileResponse(
        stream,
        as_attachment=True,
        filename=attachment.name,
        content_type=served_content_type(attachment.content_type),
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response
