"""The agent workspace's ticket lists: built-in views, saved views, paging, query budget."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from comptoir.core.choices import Source
from comptoir.core.pagination import keyset_page
from comptoir.tickets import listing, services
from comptoir.tickets.choices import UNSOLVED
from comptoir.tickets.models import Ticket
from tests.factories import make_category, open_ticket

pytestmark = pytest.mark.django_db

LIST = reverse("agent_tickets:list")


def numbers(response) -> list[int]:
    """The ticket numbers a list shows, in order."""
    return [ticket.number for ticket in response.context["page"].items]


def update(ticket: Ticket, **changes) -> Ticket:
    return services.do_update_ticket(ticket, actor=None, source=Source.SYSTEM, **changes)


@pytest.fixture
def queues(dave, alice, bob, team_a, team_b):
    """One ticket in each situation the built-in views tell apart."""
    return {
        "alice_open": update(open_ticket(dave, subject="Alice's", team=team_a), assignee=alice),
        "alice_solved": update(
            update(open_ticket(dave, team=team_a), assignee=alice), status="solved"
        ),
        "a_unassigned": open_ticket(dave, subject="Team A queue", team=team_a),
        "b_unassigned": open_ticket(dave, subject="Team B queue", team=team_b),
        "unrouted": open_ticket(dave, subject="Nobody's"),
        "a_pending": update(open_ticket(dave, team=team_a), status="pending"),
        "b_assigned": update(open_ticket(dave, team=team_b), assignee=bob),
    }


def view(client, user, name: str, **params) -> set[int]:
    client.force_login(user)
    response = client.get(LIST, {"view": name, **params})
    assert response.status_code == 200
    return set(numbers(response))


def test_my_tickets_are_my_unsolved_assigned_tickets(client, alice, bob, queues):
    assert view(client, alice, "mine") == {queues["alice_open"].number}
    assert view(client, bob, "mine") == {queues["b_assigned"].number}


def test_unassigned_shows_my_teams_queue_and_the_unrouted_one(client, alice, bob, queues):
    assert view(client, alice, "unassigned") == {
        queues["a_unassigned"].number,
        queues["unrouted"].number,
        queues["a_pending"].number,
    }
    assert view(client, bob, "unassigned") == {
        queues["b_unassigned"].number,
        queues["unrouted"].number,
    }


def test_my_teams_shows_the_unsolved_tickets_of_my_teams(client, alice, bob, queues):
    assert view(client, alice, "my_teams") == {
        queues["alice_open"].number,
        queues["a_unassigned"].number,
        queues["a_pending"].number,
    }
    assert view(client, bob, "my_teams") == {
        queues["b_unassigned"].number,
        queues["b_assigned"].number,
    }


def test_all_open_is_every_unsolved_ticket_i_may_see(client, alice, bob, queues):
    assert view(client, alice, "open") == {
        queues[key].number for key in ("alice_open", "a_unassigned", "unrouted", "a_pending")
    }
    assert view(client, bob, "open") == {
        queues[key].number for key in ("b_unassigned", "unrouted", "b_assigned")
    }


def test_pending_lists_pending_tickets_only(client, alice, bob, queues):
    assert view(client, alice, "pending") == {queues["a_pending"].number}
    assert view(client, bob, "pending") == set()


def test_solved_lists_solved_and_closed_tickets(client, alice, bob, queues):
    closed = update(open_ticket(queues["unrouted"].requester), status="solved")
    update(closed, status="closed")

    assert view(client, alice, "solved") == {queues["alice_solved"].number, closed.number}
    assert view(client, bob, "solved") == {closed.number}


def test_recently_updated_leaves_out_tickets_untouched_for_a_week(client, alice, queues):
    stale = queues["a_unassigned"]
    Ticket.objects.filter(pk=stale.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=8)
    )

    shown = view(client, alice, "recent")

    assert stale.number not in shown
    assert queues["alice_open"].number in shown


def test_administrators_see_every_queue(client, admin_user, queues):
    assert view(client, admin_user, "open") == {
        ticket.number for ticket in queues.values() if ticket.is_unsolved
    }


def test_an_unknown_view_is_not_found(client, alice):
    client.force_login(alice)
    assert client.get(LIST, {"view": "everything"}).status_code == 404


def test_customers_are_refused_and_visitors_sent_to_sign_in(client, dave):
    anonymous = client.get(LIST)
    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))

    client.force_login(dave)
    assert client.get(LIST).status_code == 403


def test_extra_filters_narrow_a_view(client, alice, dave, grace, team_a):
    urgent = open_ticket(dave, team=team_a, priority="urgent")
    open_ticket(grace, team=team_a, priority="urgent")
    open_ticket(dave, team=team_a)

    shown = view(client, alice, "open", priority="urgent", requester="dave@acme.example")

    assert shown == {urgent.number}


def test_search_text_goes_through_the_search_entry_point(
    client, alice, dave, monkeypatch, committed
):
    with committed():  # the search index is kept by an after-commit subscriber
        wanted = open_ticket(dave, subject="VPN drops every hour")
        open_ticket(dave, subject="Printer")
    searched = []
    real = listing.search_tickets

    def spy(user, text):
        searched.append(text)
        return real(user, text)

    monkeypatch.setattr(listing, "search_tickets", spy)

    assert view(client, alice, "open", q="vpn") == {wanted.number}
    assert searched == ["vpn"]


def test_list_shows_the_next_page_after_the_cursor(client, alice, dave):
    tickets = [open_ticket(dave, subject=f"T{n}") for n in range(53)]
    client.force_login(alice)

    first = client.get(LIST, {"view": "open", "sort": "number"})
    cursor = first.context["page"].next_cursor
    second = client.get(LIST, {"view": "open", "sort": "number", "cursor": cursor})

    assert numbers(first) == [t.number for t in tickets[:50]]
    assert numbers(second) == [t.number for t in tickets[50:]]
    assert second.context["page"].next_cursor is None


@pytest.mark.parametrize("sort", ["-priority", "due"])
def test_sorts_on_computed_keys_page_through_every_ticket_once(client, alice, dave, sort):
    # Priority and due date are sorted on annotations (a rank, a date that is never
    # NULL): the cursor of the next page must decode them too.
    now = timezone.now()
    priorities = ["low", "normal", "high", "urgent"]
    for n in range(7):
        open_ticket(
            dave,
            priority=priorities[n % 4],
            due_at=now + datetime.timedelta(hours=n) if n % 3 else None,
        )
    client.force_login(alice)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"view": "open", "sort": sort, **({"cursor": cursor} if cursor else {})}
        response = client.get(LIST, params)
        page = response.context["page"]
        seen += [t.number for t in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(page.items) == 50 or cursor is None

    expected = Ticket.objects.all()
    assert sorted(seen) == sorted(t.number for t in expected)


@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "-priority"])
def test_merged_pages_follow_the_sort_exactly_across_statuses_and_priorities(alice, dave, sort):
    # Small pages make every page boundary fall between statuses and priorities.
    priorities = ["low", "urgent", "normal", "high"]
    statuses = ["new", "open", "pending", "on_hold", "solved"]
    for n in range(15):
        ticket = open_ticket(dave, priority=priorities[n % 4])
        if statuses[n % 5] != "new":
            update(ticket, status=statuses[n % 5])
    spec = listing.resolve_spec("recent", alice, sort=sort)
    assert spec is not None
    seen, cursor = [], None
    while True:
        page = listing.list_page(spec, alice, {}, cursor=cursor, size=2)
        seen += [ticket.pk for ticket in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    rank = {"low": 0, "normal": 1, "high": 2, "urgent": 3}
    every = list(Ticket.objects.all())
    if sort == "-priority":
        every.sort(key=lambda t: (rank[t.priority], t.updated_at, t.pk), reverse=True)
    else:
        every.sort(key=lambda t: (t.updated_at, t.pk), reverse=sort.startswith("-"))
    assert seen == [ticket.pk for ticket in every]


def test_priority_sort_puts_urgent_first_and_due_sort_puts_undated_last(client, alice, dave):
    now = timezone.now()
    low = open_ticket(dave, priority="low", due_at=now + datetime.timedelta(days=1))
    urgent = open_ticket(dave, priority="urgent")
    normal = open_ticket(dave, priority="normal", due_at=now + datetime.timedelta(hours=1))
    client.force_login(alice)

    by_priority = numbers(client.get(LIST, {"view": "open", "sort": "-priority"}))
    by_due = numbers(client.get(LIST, {"view": "open", "sort": "due"}))

    assert by_priority == [urgent.number, normal.number, low.number]
    assert by_due == [normal.number, low.number, urgent.number]


def test_a_forged_cursor_is_a_bad_request(client, alice):
    client.force_login(alice)
    assert client.get(LIST, {"view": "open", "cursor": "not-a-cursor"}).status_code == 400


def test_next_rows_come_alone_to_htmx(client, alice, dave):
    for _ in range(51):
        open_ticket(dave)
    client.force_login(alice)
    cursor = client.get(LIST, {"view": "open"}).context["page"].next_cursor

    response = client.get(LIST, {"view": "open", "cursor": cursor}, HTTP_HX_REQUEST="true")

    assert response.templates[0].name == "tickets/agent/partials/_rows.html"
    assert b"<table" not in response.content


def test_a_filter_change_swaps_the_results_and_refreshes_the_sidebar(client, alice, dave):
    open_ticket(dave)
    client.force_login(alice)

    response = client.get(
        LIST, {"view": "open", "q": "printer"}, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="ticket-list"
    )

    content = response.content.decode()
    assert response.templates[0].name == "tickets/agent/partials/_list_refresh.html"
    assert 'id="sidebar-views" class="sidebar-views" hx-swap-oob="true"' in content
    assert "list-filters" not in content  # the filters the agent is typing in stay put


def test_sorting_by_a_column_title_updates_the_sort_menu_too(client, alice, dave):
    open_ticket(dave)
    client.force_login(alice)
    headers = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "ticket-list"}

    by_title = client.get(LIST, {"view": "open", "sort": "-number"}, **headers).content.decode()
    by_menu = client.get(
        LIST, {"view": "open", "sort": "-number"}, HTTP_HX_TRIGGER="list-filters", **headers
    ).content.decode()

    assert '<select id="id_sort" name="sort" hx-swap-oob="true">' in by_title
    assert 'id="id_sort"' not in by_menu  # the menu the agent is using stays as it is


def test_the_list_page_costs_the_same_queries_for_3_or_40_tickets(
    client, alice, dave, team_a, django_assert_num_queries
):
    category = make_category()
    client.force_login(alice)
    columns = [column.key for column in listing.COLUMNS]
    saved = services.check_create_saved_view(
        alice, name="Everything", filters={}, sort="-updated_at", columns=columns,
        shared=False, source=Source.WEB,
    )  # fmt: skip
    url = f"{LIST}?view=saved-{saved.pk}"
    client.get(url)  # warm the session cache: it is not the list's cost

    def add(count: int) -> None:
        for n in range(count):
            ticket = open_ticket(dave, team=team_a, category=category, tags=[f"t{n}", "x"])
            update(ticket, assignee=alice)

    add(3)
    with CaptureQueriesContext(connection) as small:
        assert len(client.get(url).context["page"].items) == 3
    add(37)
    with django_assert_num_queries(len(small.captured_queries)):
        assert len(client.get(url).context["page"].items) == 40


def test_the_sidebar_counts_every_built_in_view_in_one_query(alice, dave, team_a):
    open_ticket(dave, team=team_a)
    update(open_ticket(dave, team=team_a), assignee=alice)

    with CaptureQueriesContext(connection) as queries:
        counts = listing.builtin_counts(alice)

    assert len(queries.captured_queries) == 1
    assert counts == {
        "mine": 1, "unassigned": 1, "my_teams": 2, "open": 2, "pending": 0, "recent": 2,
    }  # fmt: skip


def test_old_counts_are_shown_while_a_task_counts_again(alice, dave, team_a, monkeypatch):
    from django.core.cache import cache

    from comptoir.tickets import tasks

    cache.clear()
    open_ticket(dave, team=team_a)
    assert listing.sidebar_counts(alice)["my_teams"] == 1  # counted on the spot
    open_ticket(dave, team=team_a)
    queued: list[int] = []
    monkeypatch.setattr(listing, "enqueue_recount", lambda user: queued.append(user.pk))
    clock = [1_000_000.0]
    monkeypatch.setattr(listing.time, "time", lambda: clock[0])
    listing.count_now(alice)
    open_ticket(dave, team=team_a)

    assert listing.sidebar_counts(alice)["my_teams"] == 2  # fresh: kept
    assert queued == []
    clock[0] += listing.COUNTS_SECONDS + 1
    assert listing.sidebar_counts(alice)["my_teams"] == 2  # old, shown at once...
    assert listing.sidebar_counts(alice)["my_teams"] == 2
    assert queued == [alice.pk]  # ...while one task (not one per page) counts again

    tasks.recount_tickets.call(alice.pk)
    assert listing.sidebar_counts(alice)["my_teams"] == 3
    cache.clear()


def test_an_agents_own_change_is_counted_on_the_spot(alice, dave, team_a):
    from django.core.cache import cache

    cache.clear()
    ticket = open_ticket(dave, team=team_a)
    assert listing.sidebar_counts(alice)["mine"] == 0
    update(ticket, assignee=alice)
    listing.forget_counts(alice)

    assert listing.sidebar_counts(alice)["mine"] == 1
    cache.clear()


def test_the_sidebar_shows_counts_and_saved_views_on_every_agent_page(client, alice, dave):
    open_ticket(dave)
    services.check_create_saved_view(
        alice, name="VIP", filters={"tag": "vip"}, sort="-updated_at", columns=["subject"],
        shared=False, source=Source.WEB,
    )  # fmt: skip
    client.force_login(alice)

    page = client.get(reverse("agent_home")).content.decode()

    assert f"{LIST}?view=unassigned" in page
    assert "VIP" in page
    assert '<span class="count">1</span>' in page


def test_an_agents_own_change_shows_in_their_counts_at_once(client, alice, dave, team_a):
    # Counts are kept for a few seconds, but never hide what the agent just did.
    ticket = open_ticket(dave, team=team_a)
    client.force_login(alice)
    mine = re.compile(r"view=mine\"[^>]*>\s*<span>[^<]+</span><span class=\"count\">(\d+)<")

    assert mine.search(client.get(reverse("agent_home")).content.decode()).group(1) == "0"
    client.post(reverse("agent_tickets:assign", args=[ticket.number]), {"me": "1"})

    assert mine.search(client.get(reverse("agent_home")).content.decode()).group(1) == "1"


def test_private_saved_views_stay_private_and_shared_ones_are_listed_for_all(
    client, alice, bob, dave
):
    mine = services.check_create_saved_view(
        alice, name="Alice private", filters={}, sort="-updated_at", columns=["subject"],
        shared=False, source=Source.WEB,
    )  # fmt: skip
    shared = services.check_create_saved_view(
        alice, name="Team shared", filters={}, sort="-updated_at", columns=["subject"],
        shared=True, source=Source.WEB,
    )  # fmt: skip
    client.force_login(bob)

    assert client.get(LIST, {"view": f"saved-{mine.pk}"}).status_code == 404
    response = client.get(LIST, {"view": f"saved-{shared.pk}"})
    assert response.status_code == 200
    assert "Alice private" not in response.content.decode()


def test_saved_view_filters_sort_and_columns_shape_the_list(client, alice, dave, grace, team_a):
    category = make_category("Hardware")
    old = open_ticket(dave, team=team_a, category=category, tags=["vip"], priority="high")
    new = open_ticket(grace, team=team_a, category=category, tags=["vip"], priority="urgent")
    open_ticket(dave, team=team_a, category=category, priority="urgent")  # no tag
    open_ticket(dave, team=team_a, tags=["vip"], priority="urgent")  # no category
    saved = services.check_create_saved_view(
        alice, name="VIP hardware",
        filters={"tag": "vip", "category": category.pk, "priority": ["high", "urgent"]},
        sort="number", columns=["number", "subject", "category"], shared=False,
        source=Source.WEB,
    )  # fmt: skip
    client.force_login(alice)

    response = client.get(LIST, {"view": f"saved-{saved.pk}"})

    assert numbers(response) == [old.number, new.number]
    assert [column.key for column in response.context["columns"]] == [
        "number", "subject", "category",
    ]  # fmt: skip


def test_me_and_nobody_in_a_shared_view_mean_whoever_looks(client, alice, bob, dave):
    for_alice = update(open_ticket(dave), assignee=alice)
    for_bob = update(open_ticket(dave), assignee=bob)
    nobodys = open_ticket(dave)
    mine = services.check_create_saved_view(
        alice, name="Mine", filters={"assignee": "me"}, sort="-updated_at",
        columns=["subject"], shared=True, source=Source.WEB,
    )  # fmt: skip
    unowned = services.check_create_saved_view(
        alice, name="Unowned", filters={"assignee": "nobody"}, sort="-updated_at",
        columns=["subject"], shared=True, source=Source.WEB,
    )  # fmt: skip

    assert view(client, alice, f"saved-{mine.pk}") == {for_alice.number}
    assert view(client, bob, f"saved-{mine.pk}") == {for_bob.number}
    assert view(client, bob, f"saved-{unowned.pk}") == {nobodys.number}


def test_created_dates_and_channel_filter_the_list(client, alice, dave):
    old = open_ticket(dave)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=30))
    recent = services.do_open_ticket(
        requester=dave, subject="By mail", body="x", actor=dave, source=Source.EMAIL
    )
    since = (timezone.localdate() - datetime.timedelta(days=2)).isoformat()

    assert view(client, alice, "open", created_after=since) == {recent.number}
    assert view(client, alice, "open", created_before=since) == {old.number}
    assert view(client, alice, "open", channel="email") == {recent.number}


def test_an_unknown_requester_filter_is_reported_not_applied(client, alice, dave):
    ticket = open_ticket(dave)
    client.force_login(alice)

    response = client.get(LIST, {"view": "open", "requester": "nobody@nowhere.example"})

    assert numbers(response) == [ticket.number]
    assert "Nobody with this email address." in response.content.decode()


# --- Indexes -----------------------------------------------------------------------------


def plans_of(run) -> list[str]:
    """The query plans of the ordered ticket reads ``run`` makes."""
    with CaptureQueriesContext(connection) as captured:
        run()
    plans = []
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            if 'FROM "tickets_ticket"' not in sql or "ORDER BY" not in sql:
                continue
            cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
            plans.append(" | ".join(str(row[-1]) for row in cursor.fetchall()))
    return plans


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
@pytest.mark.parametrize("sort", ["-updated_at", "updated_at", "-priority"])
@pytest.mark.parametrize("view_key", [view.key for view in listing.BUILTIN_VIEWS])
def test_built_in_views_read_each_status_in_index_order(alice, dave, team_a, view_key, sort):
    # At a million tickets a sort of every matching row costs seconds: each page must be
    # read in the order of the (status, updated_at, id) index, on page 1 as on page 2.
    for status in ("open", "pending", "solved"):
        for priority in ("low", "urgent"):
            ticket = open_ticket(dave, team=team_a, priority=priority)
            update(ticket, assignee=alice, status=status)
    spec = listing.resolve_spec(view_key, alice, sort=sort)
    assert spec is not None
    first = listing.list_page(spec, alice, {}, cursor=None, size=2)
    # A cursor for page 2 even when page 1 is the last: (rank,) last update, id.
    keys = [3] * (len(spec.sort.order) - 2) + [timezone.now(), 10**9]
    cursor = first.next_cursor or listing.encode_cursor(keys)

    for cursor_used in (None, cursor):
        plans = plans_of(lambda c=cursor_used: listing.list_page(spec, alice, {}, cursor=c, size=2))
        assert plans
        for plan in plans:
            assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
            assert "USING INDEX ticket_" in plan or "USING COVERING INDEX ticket_" in plan, plan


# --- Due-date sort -------------------------------------------------------------------------


@pytest.fixture
def due_desk(dave):
    """Tickets of every status, with and without a due date, some due at the same time."""
    now = timezone.now().replace(microsecond=0)
    statuses = ["new", "open", "pending", "on_hold", "solved"]
    dues = [None, now + datetime.timedelta(hours=2), None, now + datetime.timedelta(hours=1)]
    dues += [now + datetime.timedelta(hours=1), None, now - datetime.timedelta(days=1)]
    for n in range(21):
        ticket = open_ticket(dave, due_at=dues[n % len(dues)])
        if statuses[n % 5] != "new":
            update(ticket, status=statuses[n % 5])
    return now


def due_order(tickets) -> list[int]:
    """Soonest first, tickets without a due date last, the newest first among equals."""
    return [t.pk for t in sorted(tickets, key=lambda t: (t.due_at or listing.NO_DUE_DATE, -t.pk))]


def page_through(spec, user, size: int) -> list[int]:
    seen, cursor = [], None
    while True:
        page = listing.list_page(spec, user, {}, cursor=cursor, size=size)
        assert len(page.items) == size or page.next_cursor is None
        seen += [ticket.pk for ticket in page.items]
        cursor = page.next_cursor
        if cursor is None:
            return seen


@pytest.mark.parametrize("size", [1, 2, 3, 5, 50])
def test_due_sort_pages_across_statuses_dates_and_ties_like_one_sorted_list(alice, due_desk, size):
    # Every page size puts some boundary between dated and undated tickets, between
    # statuses, and inside a group of tickets due at the same time.
    spec = listing.resolve_spec("recent", alice, sort="due")
    assert spec is not None

    assert page_through(spec, alice, size) == due_order(Ticket.objects.all())


def test_due_sort_pages_the_same_as_one_keyset_over_the_whole_list(alice, due_desk):
    # The order the list had when the database sorted it all (still used with search text).
    spec = listing.resolve_spec("open", alice, sort="due")
    assert spec is not None
    whole, cursor = [], None
    while True:
        page = keyset_page(
            listing.spec_tickets(spec, alice, {}), order=spec.sort.order, cursor=cursor, size=4
        )
        whole += [ticket.pk for ticket in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break

    assert page_through(spec, alice, 4) == whole
    assert whole == due_order(Ticket.objects.filter(status__in=UNSOLVED))


def test_a_due_sort_cursor_among_undated_tickets_goes_on_with_older_undated_ones(alice, dave):
    dated = open_ticket(dave, due_at=timezone.now())
    undated = [open_ticket(dave) for _ in range(3)]
    spec = listing.resolve_spec("open", alice, sort="due")
    assert spec is not None

    first = listing.list_page(spec, alice, {}, cursor=None, size=2)
    second = listing.list_page(spec, alice, {}, cursor=first.next_cursor, size=2)

    assert [t.pk for t in first.items] == [dated.pk, undated[2].pk]
    assert [t.pk for t in second.items] == [undated[1].pk, undated[0].pk]
    assert second.next_cursor is None


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query planner")
@pytest.mark.parametrize("view_key", [view.key for view in listing.BUILTIN_VIEWS])
def test_due_sort_reads_each_status_in_index_order(alice, dave, team_a, view_key):
    # At a million tickets, sorting on COALESCE(due_at, ...) took seconds: each range must
    # come in the order of the (status, due_at, -id) index, from the top, after a dated
    # cursor and after an undated one. "Mine" and "recent" may rather sort the few rows
    # a narrower index finds (the agent's own, the week's); never a scan.
    for status in ("open", "pending", "solved"):
        for due in (None, timezone.now()):
            update(open_ticket(dave, team=team_a, due_at=due), assignee=alice, status=status)
    spec = listing.resolve_spec(view_key, alice, sort="due")
    assert spec is not None
    cursors = [
        None,
        listing.encode_cursor([timezone.now(), 10**9]),
        listing.encode_cursor([listing.NO_DUE_DATE, 10**9]),
    ]

    for cursor in cursors:
        plans = plans_of(lambda c=cursor: listing.list_page(spec, alice, {}, cursor=c, size=2))
        assert plans
        for plan in plans:
            assert "SCAN tickets_ticket" not in plan, plan
            if view_key not in ("mine", "recent"):
                assert "USE TEMP B-TREE FOR ORDER BY" not in plan, plan
                assert "INDEX ticket_status_due" in plan, plan
