"""``/api/v1/``: the API's routes, then a JSON 404 for any other path below it."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, include, path, re_path

from comptoir.api.api import api
from comptoir.api.errors import json_errors, unknown_endpoint

_patterns, _app_name, _namespace = api.urls
for _pattern in _patterns:
    if isinstance(_pattern, URLPattern):
        _pattern.callback = json_errors(_pattern.callback)

urlpatterns: list[URLPattern | URLResolver] = [
    path("", include((_patterns, _app_name), namespace=_namespace)),
    re_path(r"^.*$", unknown_endpoint, name="api-unknown"),
]
