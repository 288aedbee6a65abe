from __future__ import annotations

import threading

import pytest

from comptoir.core import runtime

pytestmark = pytest.mark.django_db


def test_health_says_which_worker_runs_the_tasks(client, monkeypatch):
    monkeypatch.setattr(runtime, "embedded_worker", None)

    assert client.get("/health/").json() == {
        "status": "ok",
        "version": "0.1.0",
        "worker": "external",
    }


def test_health_fails_when_the_embedded_worker_died(client, monkeypatch):
    # A dead worker thread leaves pages answering while nothing queued ever runs.
    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()
    monkeypatch.setattr(runtime, "embedded_worker", dead)

    response = client.get("/health/")

    assert response.status_code == 503
    assert response.json()["worker"] == "stopped"


def test_health_reports_a_live_embedded_worker(client, monkeypatch):
    stop = threading.Event()
    alive = threading.Thread(target=stop.wait)
    alive.start()
    monkeypatch.setattr(runtime, "embedded_worker", alive)
    try:
        assert client.get("/health/").json()["worker"] == "embedded"
    finally:
        stop.set()
        alive.join()
