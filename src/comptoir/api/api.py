"""The REST API: one NinjaAPI, version 1, mounted at ``/api/v1/``.

Routers live in each app's ``api.py``; this module wires them with authentication
(personal tokens, or the browser session), throttling and the one error shape.
"""

from __future__ import annotations

from ninja import NinjaAPI
from ninja.operation import Operation

from comptoir.accounts.api import router as accounts_router
from comptoir.api.auth import session_auth, throttles, token_auth
from comptoir.api.errors import register_error_handlers
from comptoir.tickets.api import router as tickets_router

DESCRIPTION = """\
Comptoir's REST API. Authenticate with a personal API token
(`Authorization: Bearer cpt_...`, created from the user menu, *API tokens*); a `read` token
may only use GET. Lists are paginated by cursor: pass `next_cursor` back as `cursor`.
Every error answers `{"error": {"code", "message", "fields"}}`.
"""


class ComptoirAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation: Operation) -> str:
        # Short, stable ids (``list_tickets``) for generated clients.
        return operation.view_func.__name__


def build_api() -> NinjaAPI:
    api = ComptoirAPI(
        title="Comptoir API",
        version="1",
        description=DESCRIPTION,
        urls_namespace="api-1",
        docs_url="/docs",
        openapi_url="/openapi.json",
        auth=[token_auth, session_auth],
        throttle=throttles,
    )
    register_error_handlers(api)
    api.add_router("", tickets_router)
    api.add_router("", accounts_router)
    return api


api = build_api()
