from __future__ import annotations

import pytest

from comptoir import demo
from comptoir.accounts.models import User
from comptoir.tickets.models import HistoryEntry, Message, Ticket

pytestmark = pytest.mark.django_db


def test_demo_creates_a_bilingual_desk_with_working_logins():
    desk = demo.seed(tickets=32)

    assert desk.created
    assert {u.role for u in desk.users} == {"admin", "agent", "customer"}
    assert User.objects.get(email="dave@acme.example").check_password(demo.DEMO_PASSWORD)
    assert Ticket.objects.count() == 32
    assert len(set(Ticket.objects.values_list("status", flat=True))) >= 4
    assert len(set(Ticket.objects.values_list("channel", flat=True))) >= 2
    bodies = " ".join(Message.objects.values_list("body", flat=True))
    assert "Bonjour" in bodies and "Hello" in bodies
    assert Message.objects.filter(kind="note").exists()


def test_demo_tickets_went_through_the_services():
    demo.seed(tickets=12)

    # Every ticket has the history the services write, and an assigned one its assignee.
    assert HistoryEntry.objects.filter(field="created").count() == 12
    for ticket in Ticket.objects.exclude(status="new"):
        assert ticket.assignee is not None
        assert ticket.history.filter(field="assignee").exists()


def test_demo_ages_the_desk_without_putting_anything_in_the_future():
    from django.utils import timezone

    demo.seed(tickets=20)

    now = timezone.now()
    assert not Ticket.objects.filter(updated_at__gt=now).exists()
    assert Ticket.objects.filter(created_at__lt=now - timezone.timedelta(days=2)).exists()


def test_demo_is_idempotent():
    demo.seed(tickets=8)
    again = demo.seed(tickets=8)

    assert not again.created
    assert again.tickets == 8
    assert User.objects.filter(email="admin@comptoir.example").count() == 1


def test_demo_command_prints_the_logins(capsys):
    from comptoir.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("comptoir.cli._prepare", lambda verbosity=0: None)
        main(["demo", "--tickets", "4"])

    output = capsys.readouterr().out
    assert "4 tickets" in output
    assert "admin@comptoir.example" in output
    assert demo.DEMO_PASSWORD in output
