"""Ticket search: what it finds, who finds what, odd input, and index freshness.

Runs on SQLite (FTS5) and PostgreSQL (tsvector) alike; the index is written by a
subscriber after commit, hence ``committed()`` around every write.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from comptoir.accounts import services as account_services
from comptoir.core.choices import Source
from comptoir.core.pagination import keyset_page
from comptoir.tickets import services
from comptoir.tickets.choices import MessageKind
from comptoir.tickets.search import best_matches, index_tickets, search_tickets
from comptoir.tickets.search_backends import Term, parse_query
from comptoir.tickets.search_backends import postgres as postgres_backend
from comptoir.tickets.search_backends import sqlite as sqlite_backend
from tests.factories import open_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(committed):
    """Open a ticket and let its events commit, so the index has it."""

    def _open(requester: Any, subject: str = "Printer on fire", body: str = "It smokes.", **kw):
        with committed():
            return open_ticket(requester, subject, body, **kw)

    return _open


def found(user, text: str) -> set[int]:
    return set(search_tickets(user, text).values_list("number", flat=True))


def test_finds_a_ticket_by_a_word_of_its_subject(dave, opened):
    ticket = opened(dave, subject="Invoice missing for March")
    opened(dave, subject="Password reset")

    assert found(dave, "invoice") == {ticket.number}


def test_finds_a_ticket_by_a_word_of_a_public_reply(dave, alice, opened, committed):
    ticket = opened(dave)
    with committed():
        services.check_add_message(
            alice, ticket, body="Please check the toner cartridge.", source=Source.WEB
        )

    assert found(dave, "cartridge") == {ticket.number}
    assert found(dave, "smokes") == {ticket.number}  # the description is the first reply


def test_finds_tickets_by_requester_name_and_email(dave, grace, alice, opened):
    ticket = opened(dave)
    opened(grace)

    assert found(alice, "Miller") == {ticket.number}
    assert found(alice, "dave@acme.example") == {ticket.number}
    assert found(alice, "dave") == {ticket.number}


@pytest.mark.parametrize("template", ["{}", "#{}"])
def test_finds_a_ticket_by_its_number(dave, opened, template):
    ticket = opened(dave)
    other = opened(dave)

    assert found(dave, template.format(ticket.number)) == {ticket.number}
    assert other.number not in found(dave, template.format(ticket.number))


def test_accents_do_not_matter(dave, opened):
    ticket = opened(dave, subject="Panne du réseau au siège")

    assert found(dave, "reseau") == {ticket.number}
    assert found(dave, "RÉSEAU siege") == {ticket.number}


def test_the_last_word_matches_as_a_prefix_so_imprim_finds_imprimante(dave, opened):
    ticket = opened(dave, subject="L'imprimante du deuxième étage")

    assert found(dave, "imprim") == {ticket.number}
    assert found(dave, "deuxieme imprim") == {ticket.number}


def test_french_plurals_find_the_singular_and_back(dave, opened):
    ticket = opened(dave, subject="Imprimantes bloquées")

    assert found(dave, "imprimante") == {ticket.number} or found(dave, "imprimant") == {
        ticket.number
    }
    assert found(dave, "imprimantes") == {ticket.number}


def test_a_matching_ticket_of_another_customer_stays_hidden(dave, erin, opened):
    opened(dave, subject="Quarterly invoice")
    own = opened(erin, subject="Quarterly invoice")

    assert found(erin, "quarterly invoice") == {own.number}


def test_colleagues_of_a_sharing_organisation_find_each_others_tickets(dave, grace, opened):
    ticket = opened(dave, subject="Quarterly invoice")

    assert found(grace, "invoice") == {ticket.number}


def test_customers_never_match_words_found_only_in_internal_notes(dave, alice, opened, committed):
    # Otherwise a customer could probe what agents wrote about them, word by word.
    ticket = opened(dave)
    with committed():
        services.check_add_message(
            alice, ticket, body="Customer is litigious, escalate.", kind=MessageKind.NOTE,
            source=Source.WEB,
        )  # fmt: skip

    assert found(dave, "litigious") == set()
    assert found(dave, "printer -litigious") == {ticket.number}
    assert found(alice, "litigious") == {ticket.number}
    # Agents match words spread over the public side and the notes.
    assert found(alice, "printer escalate") == {ticket.number}


def test_agents_do_not_find_tickets_of_other_teams(dave, alice, bob, team_a, opened):
    ticket = opened(dave, subject="Broken keyboard", team=team_a)

    assert found(alice, "keyboard") == {ticket.number}
    assert found(bob, "keyboard") == set()


def test_anonymous_visitors_find_nothing(dave, opened):
    from django.contrib.auth.models import AnonymousUser

    opened(dave)
    assert found(AnonymousUser(), "printer") == set()
    assert found(AnonymousUser(), "") == set()


@pytest.mark.parametrize(
    "text",
    [
        '"', '""', "AND", "OR", "NOT", "NEAR", "*", "(", ")", "a:b", "title:printer",
        "{title}: x", "printer AND", "OR printer", "- -", "-printer", "^printer", "'",
        "printer\x00fire", "NEAR(printer fire)", "printer*", "\\", "%", "_", "&|!<->:*",
        "é" * 3000, "printer " * 2000, "🔥", "l'imprimante", "«réseau»",
    ],
)  # fmt: skip
def test_odd_input_never_raises(dave, alice, opened, text):
    opened(dave)

    assert isinstance(found(dave, text), set)
    assert isinstance(found(alice, text), set)
    assert isinstance(list(best_matches(alice, text)[:5]), list)


def test_blank_text_filters_nothing_and_punctuation_alone_matches_nothing(dave, opened):
    ticket = opened(dave)

    assert found(dave, "   ") == {ticket.number}
    assert found(dave, "*") == set()


def test_operators_are_read_as_words(dave, opened):
    ticket = opened(dave, subject="Fire and smoke")

    assert found(dave, "fire AND smoke") == {ticket.number}
    # "near" is a word the ticket lacks (and "not" a stop word PostgreSQL would skip).
    assert found(dave, "fire NEAR smoke") == set()


def test_phrases_or_and_exclusion(dave, opened):
    fire = opened(dave, subject="Printer on fire")
    paper = opened(dave, subject="Printer out of paper")

    assert found(dave, '"printer on fire"') == {fire.number}
    assert found(dave, "fire OR paper") == {fire.number, paper.number}
    assert found(dave, "printer -fire") == {paper.number}


def test_the_index_follows_subject_edits(dave, alice, opened, committed):
    ticket = opened(dave, subject="Scanner jammed")
    with committed():
        services.check_update_ticket(alice, ticket, source=Source.WEB, subject="Fax jammed")

    assert found(dave, "scanner") == set()
    assert found(dave, "fax") == {ticket.number}


def test_merged_conversations_are_found_on_the_target(dave, alice, opened, committed):
    source = opened(dave, subject="Laptop", body="The hinge cracked.")
    target = opened(dave, subject="Laptop repair")
    with committed():
        services.check_merge_tickets(alice, source, target, source=Source.WEB)

    assert target.number in found(dave, "hinge")
    # The closed source keeps its subject, but the moved reply now lives on the target.
    assert source.number not in found(dave, "hinge")
    # Agents also find the target by the old number, quoted in the merge note.
    assert target.number in found(alice, str(source.number))


def test_a_requesters_new_name_is_searchable(dave, alice, opened, committed):
    ticket = opened(dave)
    with committed():
        account_services.do_update_profile(
            dave, full_name="Dave Lambert", language="en", timezone="UTC", actor=dave,
            source=Source.WEB,
        )  # fmt: skip

    assert found(alice, "lambert") == {ticket.number}
    assert found(alice, "miller") == set()


def test_writes_are_not_indexed_before_commit(dave):
    # Subscribers run after commit: a rolled back ticket never reaches the index.
    ticket = open_ticket(dave, subject="Uncommitted gadget")

    assert found(dave, "gadget") == set()
    index_tickets([ticket.pk])
    assert found(dave, "gadget") == {ticket.number}


def test_reindex_command_indexes_everything_and_can_run_again(dave, capsys):
    tickets = [open_ticket(dave, subject=f"Router model {n}") for n in range(5)]

    call_command("reindex_tickets", batch_size=2)
    call_command("reindex_tickets", batch_size=2)

    assert found(dave, "router") == {t.number for t in tickets}
    assert "Indexed 5 tickets" in capsys.readouterr().out


def test_results_can_be_filtered_ordered_and_paged(dave, opened):
    tickets = [opened(dave, subject=f"Router model {n}") for n in range(3)]
    opened(dave, subject="Unrelated")

    results = search_tickets(dave, "router").filter(status="new")
    page = keyset_page(results, order=("-updated_at", "-id"), size=2)
    rest = keyset_page(results, order=("-updated_at", "-id"), size=2, cursor=page.next_cursor)

    assert [t.number for t in page.items + rest.items] == [t.number for t in reversed(tickets)]


def test_a_search_costs_at_most_three_queries(dave, opened, django_assert_max_num_queries):
    # The tickets the customer follows (tickets_visible_to), then the search: one query on
    # SQLite; PostgreSQL first asks the index whether the matches are few (search.md).
    opened(dave)

    with django_assert_max_num_queries(3):
        list(search_tickets(dave, "printer"))


def test_best_matches_puts_subject_hits_first(dave, alice, opened, committed):
    in_reply = opened(dave, subject="Question", body="My modem blinks red.")
    in_subject = opened(dave, subject="Modem blinks", body="Since this morning.")

    ranked = list(best_matches(alice, "modem"))

    assert ranked == [in_subject, in_reply]
    assert ranked[0].search_rank <= ranked[1].search_rank


def test_best_matches_can_be_narrowed_first(dave, alice, opened, committed):
    solved = opened(dave, subject="Modem blinks")
    still_open = opened(dave, subject="Question", body="My modem blinks red.")
    with committed():
        services.check_update_ticket(alice, solved, source=Source.WEB, status="solved")

    ranked = best_matches(alice, "modem", within=search_tickets(alice, "").exclude(status="solved"))

    assert list(ranked) == [still_open]


def test_best_matches_of_a_customer_ignore_internal_notes(dave, alice, opened, committed):
    ticket = opened(dave)
    with committed():
        services.check_add_message(
            alice, ticket, body="Customer is litigious.", kind=MessageKind.NOTE,
            source=Source.WEB,
        )  # fmt: skip

    assert list(best_matches(dave, "litigious")) == []
    assert list(best_matches(alice, "litigious")) == [ticket]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's cap on vague queries")
def test_a_vague_query_searches_only_the_newest_matches_on_sqlite(dave, opened, monkeypatch):
    # Bounds the cost of a word found in a large share of all tickets (see search.md).
    monkeypatch.setattr(sqlite_backend, "MATCH_LIMIT", 2)
    tickets = [opened(dave, subject=f"Router {n}") for n in range(3)]

    assert found(dave, "router") == {t.number for t in tickets[1:]}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's two join plans")
def test_many_matches_are_joined_by_the_planner_with_the_same_results(
    dave, erin, opened, monkeypatch
):
    monkeypatch.setattr(postgres_backend, "FEW_MATCHES", 1)
    tickets = [opened(dave, subject=f"Router {n}") for n in range(3)]
    opened(erin, subject="Router")

    assert found(dave, "router") == {t.number for t in tickets}


def test_parse_query_reads_words_phrases_exclusions_and_alternatives():
    query = parse_query('"power supply" -fan OR imprim')

    assert query is not None
    assert query.groups == (
        (Term(words=("power", "supply")), Term(words=("fan",), negated=True)),
        (Term(words=("imprim",), prefix=True),),
    )
    assert parse_query("-fan") is None
    assert parse_query("#1234").groups == ((Term(words=("1234",)),),)  # type: ignore[union-attr]


# --- Indexing in batches ------------------------------------------------------------------


@pytest.fixture
def flushes_held(monkeypatch):
    """Flushes are queued and not run, as while the worker is busy with earlier tasks."""
    from django.core.cache import cache

    from comptoir.tickets import search

    queued: list[bool] = []
    monkeypatch.setattr(search, "enqueue_flush", lambda: queued.append(True))
    cache.clear()
    yield queued
    cache.clear()


def test_a_burst_of_changes_queues_one_flush_that_indexes_them_all(
    dave, alice, committed, flushes_held
):
    from comptoir.tickets.models import TicketSearchPending
    from comptoir.tickets.search import flush_pending

    with committed():
        tickets = [open_ticket(dave, f"Modem number {n}") for n in range(3)]

    assert flushes_held == [True]
    assert TicketSearchPending.objects.count() == 3
    assert found(alice, "modem") == set()  # not yet indexed

    assert flush_pending(batch=2) == 3  # two transactions, every waiting ticket

    assert found(alice, "modem") == {t.number for t in tickets}
    assert not TicketSearchPending.objects.exists()


def test_a_change_after_a_flush_started_queues_the_next_flush(dave, committed, flushes_held):
    from comptoir.tickets.search import flush_pending

    with committed():
        open_ticket(dave, "Router")
    flush_pending()
    with committed():
        open_ticket(dave, "Switch")

    assert flushes_held == [True, True]


def test_a_deleted_ticket_waiting_for_the_index_is_dropped(dave, committed, flushes_held):
    from comptoir.tickets.models import Ticket, TicketSearchPending
    from comptoir.tickets.search import flush_pending

    with committed():
        ticket = open_ticket(dave, "Ephemeral")
    Ticket.objects.filter(pk=ticket.pk).delete()

    assert flush_pending() == 1
    assert not TicketSearchPending.objects.exists()


def test_tickets_left_waiting_by_a_stopped_server_are_flushed_at_the_next_start(
    dave, committed, flushes_held
):
    from django.core.cache import cache

    from comptoir.tickets.search import resume_pending

    with committed():
        open_ticket(dave, "Left behind")
    cache.clear()  # the server stopped: its memory of a queued flush is gone

    assert resume_pending() is True
    assert flushes_held == [True, True]


def test_nothing_waiting_queues_nothing_at_start(flushes_held):
    from comptoir.tickets.search import resume_pending

    assert resume_pending() is False
    assert flushes_held == []


# --- Index maintenance (SQLite's FTS5 merges) -----------------------------------------------

sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's segments")


def segment_count() -> int:
    # Every FTS5 segment has rows in %_idx (the first term of each of its leaf pages).
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(DISTINCT segid) FROM tickets_search_fts_idx")
        return int(cursor.fetchone()[0])


def index_settings() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT k, v FROM tickets_search_fts_config")
        return dict(cursor.fetchall())


def long_body(n: int) -> str:
    return "Smudges on every page. " + " ".join(f"part{n}of{i}" for i in range(300))


@sqlite_only
def test_flushes_merge_the_segments_their_commits_leave(dave, alice, committed, flushes_held):
    # Each index commit adds a segment to FTS5's index; merging them used to happen inside
    # the commits, holding the write lock for seconds at a million tickets (search.md).
    from comptoir.tickets.search import flush_pending

    tickets = []
    for n in range(20):
        with committed():
            tickets.append(open_ticket(dave, f"Scanner jam {n}", "Paper stuck in the tray."))
        flush_pending()
        assert segment_count() < sqlite_backend.MERGE_SETTINGS["usermerge"]

    assert sqlite_backend.SqliteBackend(connection).merge_slice() is False  # nothing left
    assert found(alice, "scanner") == {t.number for t in tickets}
    assert found(alice, '"paper stuck" tray') == {t.number for t in tickets}
    assert found(alice, "scanner -tray") == set()


@sqlite_only
def test_maintenance_runs_slices_until_nothing_is_left_to_merge(dave, alice, monkeypatch):
    monkeypatch.setattr(sqlite_backend, "MERGE_PAGES", 1)  # many slices for a small index
    backend = sqlite_backend.SqliteBackend(connection)
    backend.maintain()
    # One segment each: more than 'usermerge', fewer than FTS5's own crisis merge (16); each
    # with enough distinct words to fill several merged pages.
    tickets = [open_ticket(dave, f"Toner {n}", long_body(n)) for n in range(12)]
    for ticket in tickets:
        index_tickets([ticket.pk])
    slices: list[bool] = []
    real_slice = backend.merge_slice
    monkeypatch.setattr(backend, "merge_slice", lambda: slices.append(real_slice()) or slices[-1])

    ran = backend.maintain()

    assert ran > 1
    assert slices == [True] * ran + [False]  # the last slice found nothing and stopped it
    assert segment_count() < sqlite_backend.MERGE_SETTINGS["usermerge"]
    assert found(alice, "toner smudges") == {t.number for t in tickets}
    assert found(alice, "part3of150") == {tickets[3].number}


@sqlite_only
def test_maintenance_stops_at_its_budget_and_the_next_call_goes_on(dave, alice, monkeypatch):
    monkeypatch.setattr(sqlite_backend, "MERGE_PAGES", 1)
    backend = sqlite_backend.SqliteBackend(connection)
    backend.maintain()
    tickets = [open_ticket(dave, f"Fuser {n}", long_body(n)) for n in range(12)]
    for ticket in tickets:
        index_tickets([ticket.pk])

    assert backend.maintain(budget=0) == 1
    assert backend.maintain() > 0
    assert backend.merge_slice() is False
    assert found(alice, "fuser") == {t.number for t in tickets}


@sqlite_only
def test_maintenance_takes_merging_out_of_writes_once():
    # An index built before this release still has FTS5's defaults (automerge 4).
    with connection.cursor() as cursor:
        cursor.execute(sqlite_backend._CONFIGURE, ["automerge", 4])
    backend = sqlite_backend.SqliteBackend(connection)

    backend.maintain()

    assert index_settings()["automerge"] == 0
    assert index_settings()["usermerge"] == sqlite_backend.MERGE_SETTINGS["usermerge"]
    with CaptureQueriesContext(connection) as context:
        backend.maintain()
    writes = [
        query["sql"]
        for query in context.captured_queries
        if query["sql"].startswith(("INSERT", "ANALYZE")) and "'merge'" not in query["sql"]
    ]
    assert writes == []  # the settings are kept in the index: written once


@sqlite_only
def test_reindexing_leaves_merging_to_maintenance(dave):
    open_ticket(dave, "Router")

    call_command("reindex_tickets")

    assert index_settings()["automerge"] == 0
    assert index_settings()["usermerge"] == sqlite_backend.MERGE_SETTINGS["usermerge"]
    assert segment_count() == 1


def stored_rows(table: str) -> int | None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        row = cursor.fetchone()
        return None if row is None else int(row[0].split()[0])


@sqlite_only
def test_maintenance_repairs_statistics_taken_while_the_index_was_empty(dave, monkeypatch):
    # A whole-database ANALYZE on a new desk records FTS5's page table as two rows; SQLite
    # then scans all of it for each range FTS5 deletes while merging (search.md).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_search_fts_data")
    assert stored_rows("tickets_search_fts_data") == 2
    for n in range(12):
        index_tickets([open_ticket(dave, f"Dock {n}").pk])
    backend = sqlite_backend.SqliteBackend(connection)
    monkeypatch.setattr(sqlite_backend, "_SCAN_HARMLESS_ROWS", 10)

    backend.maintain()

    assert (stored_rows("tickets_search_fts_data") or 0) >= 10
    with connection.cursor() as cursor:
        cursor.execute(sqlite_backend._DATA_RANGE_PLAN, [1, 2])
        assert sqlite_backend._RANGE_SEARCH in cursor.fetchall()[-1][-1]


@sqlite_only
def test_maintenance_leaves_the_statistics_of_a_tiny_index_alone(dave):
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE tickets_search_fts_data")
    index_tickets([open_ticket(dave, "Dock").pk])

    sqlite_backend.SqliteBackend(connection).maintain()

    assert stored_rows("tickets_search_fts_data") == 2  # a scan of a few rows costs nothing


def test_maintenance_is_nothing_on_postgresql(django_assert_num_queries):
    # The GIN index needs no merge step of ours; a flush makes no extra query for it.
    with django_assert_num_queries(0):
        assert postgres_backend.PostgresBackend(connection).maintain() == 0
