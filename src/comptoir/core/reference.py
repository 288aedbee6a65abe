"""Reference data kept between requests: the small tables most agent pages read and that
rarely change (agents, teams, categories, products).

A list page and a ticket page each offered them through four queries, a fifth of the
page's CPU at a million tickets (``docs/development/performance.md``). Here a value is
cached with the *generation* it was read under; any save or delete of a watched model
moves the generation (at once and when its transaction commits), so the next request
reads again. One
cache round trip fetches both the generation and the value.

A value also expires after ``REFERENCE_SECONDS``: on the embedded default the cache is the
process's memory, and a change made by another process (``comptoir manage shell``) can't
move this process's generation. Bulk writes that send no signals (``QuerySet.update``,
``bulk_create``) must call ``changed()`` themselves.

What is cached must be the same for everyone who reads it under that name: callers put
the reader's scope in the name (see ``tickets/forms/agent.py``) and still read through
the models' ``visible_to`` functions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import post_delete, post_save

T = TypeVar("T")

GENERATION_KEY = "reference:generation"
REFERENCE_SECONDS = 300


def _key(name: str) -> str:
    return f"reference:value:{name}"


def cached(name: str, read: Callable[[], T]) -> T:
    """``read()``'s value, from the cache while no watched model changed."""
    key = _key(name)
    found = cache.get_many([GENERATION_KEY, key])
    generation = found.get(GENERATION_KEY)
    entry = found.get(key)
    if generation is not None and entry is not None and entry[0] == generation:
        return entry[1]  # type: ignore[no-any-return]
    if generation is None:
        cache.add(GENERATION_KEY, time.time_ns(), None)
        generation = cache.get(GENERATION_KEY)
    value = read()
    cache.set(key, (generation, value), REFERENCE_SECONDS)
    return value


def changed() -> None:
    """Every cached value is out of date from now on."""
    cache.set(GENERATION_KEY, time.time_ns(), None)


def _on_change(**kwargs: Any) -> None:
    if kwargs.get("update_fields") == frozenset({"last_login"}):
        return  # signing in changes nothing anyone's choices show
    # Now, and again once the transaction commits: a reader between the write and the
    # commit caches the old rows under the first new generation, which the second ends.
    changed()
    transaction.on_commit(changed, robust=True)


def watch(*watched: type[models.Model]) -> None:
    """Move the generation whenever one of these models is saved or deleted."""
    for model in watched:
        uid = f"comptoir.reference.{model._meta.label}"
        post_save.connect(_on_change, sender=model, dispatch_uid=f"{uid}.save")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"{uid}.delete")
