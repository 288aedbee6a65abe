"""Fixtures of the customer portal tests."""

from __future__ import annotations

import pytest

from comptoir.tickets.choices import FieldKind
from tests.factories import make_category


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def hardware():
    return make_category(
        "Hardware",
        fields=[
            {"key": "serial", "label": "Serial number", "kind": FieldKind.TEXT, "required": True},
            {"key": "units", "label": "Units affected", "kind": FieldKind.NUMBER},
            {
                "key": "region",
                "label": "Region",
                "kind": FieldKind.CHOICE,
                "choices": [
                    {"value": "eu", "label": "Europe"},
                    {"value": "us", "label": "America"},
                ],
            },
            {"key": "bought", "label": "Bought on", "kind": FieldKind.DATE},
        ],
    )
