from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from comptoir import __version__


def site(request: HttpRequest) -> dict[str, Any]:
    return {"COMPTOIR_VERSION": __version__}
