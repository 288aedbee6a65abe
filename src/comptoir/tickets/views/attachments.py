"""Attachment downloads, for customers and agents alike.

A file is only served after ``queries.attachment_for`` says the user may read it, and
always as a download: a file someone uploaded must never run as a page of our site.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from comptoir.core.http import AuthenticatedHttpRequest
from comptoir.tickets import queries

# Types a browser shows passively; anything else is announced as opaque bytes, so that
# even a mislabelled HTML or SVG file cannot be rendered or sniffed into a page.
PASSIVE_TYPES = frozenset(
    {"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"}
)


def served_content_type(stored: str) -> str:
    content_type = stored.split(";", 1)[0].strip().lower()
    return content_type if content_type in PASSIVE_TYPES else "application/octet-stream"


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, public_id: str) -> FileResponse:
    attachment = queries.attachment_for(request.user, public_id)
    if attachment is None:
        raise Http404
    try:
        stream = attachment.file.open("rb")
    except FileNotFoundError:
        # The row outlived its file (a restore without the media folder): not a crash.
        raise Http404 from None
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
