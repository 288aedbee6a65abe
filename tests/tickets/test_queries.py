"""Who sees which ticket, message and attachment. A missing scope is a security bug."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from comptoir.core.choices import Source
from comptoir.tickets import queries, services
from comptoir.tickets.choices import UNSOLVED, MessageKind
from comptoir.tickets.models import Ticket
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


def test_customers_see_the_tickets_they_follow_and_only_while_they_follow(dave, erin, alice):
    followed, other = open_ticket(dave), open_ticket(dave)
    services.do_add_follower(followed, erin, actor=alice, source=Source.WEB)

    assert set(queries.tickets_visible_to(erin)) == {followed}
    assert queries.ticket_for(erin, other.number) is None
    services.do_remove_follower(followed, erin, actor=alice, source=Source.WEB)
    assert not queries.tickets_visible_to(erin).exists()


def test_a_visible_ticket_counts_once_whatever_the_reasons(dave, grace):
    # Dave asked it, follows it, and his organisation shares it: one ticket, not three.
    ticket = open_ticket(dave, followers=[dave, grace])

    assert list(queries.tickets_visible_to(dave)) == [ticket]
    assert queries.tickets_visible_to(grace).count() == 1


def test_a_followers_attachments_go_through_the_same_scope(dave, erin, alice, settings, tmp_path):
    # attachment_for nests tickets_visible_to in a subquery.
    settings.MEDIA_ROOT = tmp_path
    ticket = open_ticket(dave, uploads=[SimpleUploadedFile("log.txt", b"log")])
    attachment = ticket.attachments.get()
    assert queries.attachment_for(erin, attachment.public_id) is None

    services.do_add_follower(ticket, erin, actor=alice, source=Source.WEB)

    assert queries.attachment_for(erin, attachment.public_id) == attachment


def test_a_customer_following_many_tickets_sees_them_through_a_subquery(
    dave, erin, alice, monkeypatch, settings, tmp_path
):
    # Past FOLLOWED_INLINE the followed ids are no longer written into the query.
    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(queries, "FOLLOWED_INLINE", 1)
    followed = [open_ticket(dave, uploads=[SimpleUploadedFile("a.txt", b"a")]) for _ in range(2)]
    open_ticket(dave)
    for ticket in followed:
        services.do_add_follower(ticket, erin, actor=alice, source=Source.WEB)
    own = open_ticket(erin)

    assert set(queries.tickets_visible_to(erin)) == {*followed, own}
    assert queries.attachment_for(erin, followed[1].attachments.get().public_id) is not None
    assert set(queries.tickets_visible_to(dave)) == set(Ticket.objects.exclude(pk=own.pk))


def test_a_customers_page_of_tickets_costs_two_queries(dave, grace, django_assert_num_queries):
    open_ticket(dave)
    open_ticket(grace, followers=[dave])

    with django_assert_num_queries(2):  # the tickets they follow, then the page
        assert len(queries.tickets_visible_to(dave).order_by("-updated_at", "-id")[:25]) == 2


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
@pytest.mark.parametrize("who", ["dave", "erin"])
def test_a_customers_list_reads_their_tickets_by_index_not_every_ticket(who, request, dave, alice):
    # OR-ed with a correlated EXISTS on the followers, the scope matched no index: the
    # list walked every ticket of the desk (660 ms at a million). Each reason must be an
    # index lookup, even without statistics (a desk that never ran ANALYZE): then a
    # subquery of ids loses to walking the status index.
    user = request.getfixturevalue(who)  # Dave's organisation shares tickets, Erin's does not
    services.do_add_follower(open_ticket(dave), user, actor=alice, source=Source.WEB)
    tickets = queries.tickets_visible_to(user).filter(status__in=UNSOLVED)
    sql, params = tickets.order_by("-updated_at", "-id")[:26].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = [str(row[-1]) for row in cursor.fetchall()]

    assert plan[0] == "MULTI-INDEX OR", plan
    assert not [step for step in plan if step.startswith("SCAN")], plan


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
