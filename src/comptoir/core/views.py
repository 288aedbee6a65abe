from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache

from comptoir import __version__
from comptoir.core import runtime


@never_cache
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: 200 when the database answers and the embedded task
    worker (if this process runs one) is alive; 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "unhealthy", whatever its class
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    worker = runtime.worker_state()
    if worker == "stopped":
        # Pages would still answer, but nothing queued would ever run: say so.
        return JsonResponse({"status": "error", "worker": worker}, status=503)
    return JsonResponse({"status": "ok", "version": __version__, "worker": worker})
