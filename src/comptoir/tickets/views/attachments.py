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
from comptoir.tickets.downloads import FileMissing, attachment_response


@login_required
@require_GET
def download(request: AuthenticatedHttpRequest, public_id: str) -> FileResponse:
    attachment = queries.attachment_for(request.user, public_id)
    if attachment is None:
        raise Http404
    try:
        return attachment_response(attachment)
    except FileMissing:
        raise Http404 from None
