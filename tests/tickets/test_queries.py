"""Who sees which ticket, message and attachment. A missing scope is a security bug."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile

from comptoir.core.choices import Source
from comptoir.tickets import queries, services
from comptoir.tickets.choices import MessageKind
from tests.factories import UserFactory, open_ticket

pytestmark = pytest.mark.django_db


def test_customers_see_their_own_and_shared_organisation_tickets(dave, grace, erin):
    mine, colleagues, foreign = open_ticket(dave), open_ticket(grace), open_ticket(erin)

    assert set(queries.tickets_visible_to(dave)) == {mine, colleagues}
    assert set(queries.tickets_visible_to(erin)) == {foreign}


def test_a_private_organisation_does_not_share(erin, globex):
    colleague = UserFactory(organisation=globex)
    ticket = open_ticket(colleague)

    assert ticket not in queries.tickets_visible_to(erin)


def test_agents_see_their_teams_the_unrouted_queue_and_their_own(dave, alice, bob, team_a, team_b):
    team_ticket = open_ticket(dave, team=team_a)
    other_team = open_ticket(dave, team=team_b)
    unrouted = open_ticket(dave)
    assigned_elsewhere = open_ticket(dave, team=team_b)
    services.do_update_ticket(
        assigned_elsewhere, actor=None, source=Source.SYSTEM, team=None, assignee=alice
    )
    services.do_update_ticket(assigned_elsewhere, actor=None, source=Source.SYSTEM, team=team_b)

    visible = set(queries.tickets_visible_to(alice))
    assert {team_ticket, unrouted} <= visible
    assert other_team not in visible
    assert other_team in queries.tickets_visible_to(bob)


def test_administrators_see_everything(dave, admin_user, team_b):
    ticket = open_ticket(dave, team=team_b)
    assert ticket in queries.tickets_visible_to(admin_user)


def test_anonymous_sees_nothing(dave):
    open_ticket(dave)
    assert not queries.tickets_visible_to(AnonymousUser()).exists()


def test_customers_never_see_internal_notes_or_their_attachments(dave, alice, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(dave)
    note = services.check_add_message(
        alice, ticket, body="internal", kind=MessageKind.NOTE, source=Source.WEB,
        uploads=[SimpleUploadedFile("secret.txt", b"secret")],
    )  # fmt: skip
    attachment = note.attachments.get()

    assert list(queries.messages_visible_to(dave, ticket).values_list("body", flat=True)) == [
        "It smokes."
    ]
    assert queries.messages_visible_to(alice, ticket).count() == 2
    assert queries.attachment_for(dave, attachment.public_id) is None
    assert queries.attachment_for(alice, attachment.public_id) == attachment


def test_ticket_for_hides_invisible_tickets_like_missing_ones(dave, erin):
    ticket = open_ticket(dave)

    assert queries.ticket_for(dave, ticket.number) == ticket
    assert queries.ticket_for(erin, ticket.number) is None
    assert queries.ticket_for(dave, 999_999) is None


def test_the_conversation_loads_in_constant_queries(
    dave, alice, django_assert_num_queries, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(dave)
    for n in range(5):
        services.check_add_message(
            alice,
            ticket,
            body=f"reply {n}",
            source=Source.WEB,
            uploads=[SimpleUploadedFile(f"f{n}.txt", b"data")],
        )

    with django_assert_num_queries(2):  # messages with authors, then their attachments
        messages = list(queries.messages_visible_to(alice, ticket))
        assert sum(len(m.attachments.all()) for m in messages) == 5
