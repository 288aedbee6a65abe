from __future__ import annotations

import pytest

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.choices import Status, TicketType
from comptoir.tickets.exceptions import InvalidInput, NotAllowed
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


def test_merge_moves_conversation_and_followers_and_closes_the_source(
    dave, grace, alice, committed
):
    source = open_ticket(grace, subject="Duplicate")
    target = open_ticket(dave, subject="Original")
    services.check_add_message(grace, source, body="More detail", source=Source.WEB)

    with committed() as events:
        services.check_merge_tickets(alice, source, target, source=Source.WEB)

    source.refresh_from_db()
    assert source.merged_into == target and source.status == Status.CLOSED
    assert target.messages.count() == 4  # two from each, plus the merge note
    assert grace in target.followers.all()  # the other requester keeps hearing about it
    assert [e.type for e in events] == ["ticket.merged"]
    assert target.history.filter(field="merged_from", new=f"#{source.number}").exists()


def test_merge_into_itself_or_a_closed_ticket_is_refused(dave, alice):
    ticket = open_ticket(dave)
    with pytest.raises(InvalidInput):
        services.check_merge_tickets(alice, ticket, ticket, source=Source.WEB)


def test_customers_cannot_merge(dave):
    a, b = open_ticket(dave), open_ticket(dave)
    with pytest.raises(NotAllowed):
        services.check_merge_tickets(dave, a, b, source=Source.WEB)


def test_incidents_link_to_a_problem(dave, erin, alice):
    problem = open_ticket(dave, subject="Outage", type=TicketType.PROBLEM)
    incident = open_ticket(erin, subject="Site down")

    services.do_link_problem(incident, problem, actor=alice, source=Source.WEB)

    assert list(problem.incidents.all()) == [incident]
    assert incident.type == TicketType.INCIDENT


def test_only_problem_tickets_take_incidents(dave, alice):
    a, b = open_ticket(dave), open_ticket(dave)
    with pytest.raises(InvalidInput):
        services.do_link_problem(a, b, actor=alice, source=Source.WEB)


def test_followers_gain_sight_of_the_ticket(dave, erin, alice):
    from comptoir.tickets.queries import can_see_ticket

    ticket = open_ticket(dave)
    assert not can_see_ticket(erin, ticket)

    services.do_add_follower(ticket, erin, actor=alice, source=Source.WEB)
    assert can_see_ticket(erin, ticket)

    services.do_remove_follower(ticket, erin, actor=alice, source=Source.WEB)
    assert not can_see_ticket(erin, ticket)
