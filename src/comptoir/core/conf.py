"""Comptoir's own settings, read once from ``django.conf.settings`` and typed.

Code outside settings.py reads Comptoir options from here, never through
``getattr(settings, ...)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings


@dataclass(frozen=True)
class ComptoirSettings:
    data_dir: Path
    site_url: str
    redis_url: str
    allow_signups: bool
    max_upload_bytes: int
    max_attachments: int
    task_results_days: int
    task_stale_minutes: int

    @property
    def scaled(self) -> bool:
        """True when Redis carries the task queue and the Channels layer."""
        return bool(self.redis_url)


def get() -> ComptoirSettings:
    return ComptoirSettings(
        data_dir=Path(settings.DATA_DIR),
        site_url=settings.SITE_URL,
        redis_url=settings.REDIS_URL,
        allow_signups=settings.ACCOUNT_ALLOW_SIGNUPS,
        max_upload_bytes=settings.COMPTOIR_MAX_UPLOAD_MB * 1024 * 1024,
        max_attachments=settings.COMPTOIR_MAX_ATTACHMENTS,
        task_results_days=settings.COMPTOIR_TASK_RESULTS_DAYS,
        task_stale_minutes=settings.COMPTOIR_TASK_STALE_MINUTES,
    )
