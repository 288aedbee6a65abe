"""Time small commits to SQLite's ticket search index (FTS5), and the merges after them.

FTS5 keeps its index as b-trees ("segments") on levels; each commit adds one, and merging
them can happen inside a commit, with the database's only write lock held (see
docs/development/search.md, "Freshness"). This script shows what a desk's index costs per
write: it rebuilds the documents of `--docs` random tickets per transaction, `--commits`
times, through `search.index_tickets` (as one flush batch does), and after each runs the
backend's maintenance step (`SearchBackend.maintain`, merge slices in their own
transactions, as `search.flush_pending` does) unless `--no-maintain`. It prints:

- every write transaction's time: index commits and merge slices, max, p99, and how many
  took over 100 ms (each holds the write lock: ticket creation waits that long);
- the index's segments per level before and after (`L2:3` is three segments on level 2;
  `m3` means an incremental merge of three of them is under way);
- a few searches (the backend's MATCH subquery, best of `--repeat`) before and after.

It WRITES to the database: run it on a copy of a desk, never on one in use. Copy the
database with its -wal and -shm files while nothing writes to it:

    mkdir -p /tmp/fts-copy && cp var/bench-1m/comptoir.sqlite3* /tmp/fts-copy/
    .venv/bin/python benchmarks/fts_commits.py /tmp/fts-copy/comptoir.sqlite3 --commits 400
    .venv/bin/python benchmarks/fts_commits.py /tmp/fts-copy/comptoir.sqlite3 --no-maintain

The file must be named comptoir.sqlite3 (its folder becomes COMPTOIR_DATA_DIR). The
index's own settings (automerge, crisismerge, usermerge) are kept in the database:
`--no-maintain` on a copy that `maintain` already configured does not measure stock FTS5.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

FTS_TABLE = "tickets_search_fts"
STRUCTURE_ROWID = 10  # FTS5 keeps the list of segments in this row of its %_data table
STRUCTURE_V2 = b"\xff\x00\x00\x01"  # marker of the structure record of SQLite >= 3.43
DEFAULT_QUERIES = ["printer", "imprimante réseau", '"mise à jour"', "vpn -wifi", "garan"]


def varint(data: bytes, offset: int) -> tuple[int, int]:
    """SQLite's variable-length integer at ``offset``: (value, next offset)."""
    value = 0
    for n in range(8):
        byte = data[offset + n]
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            return value, offset + n + 1
    return (value << 8) | data[offset + 8], offset + 9


def segments(cursor: Any) -> list[tuple[int, list[int]]]:
    """Per level: (segments being merged, [leaf pages of each segment])."""
    cursor.execute(f"SELECT block FROM {FTS_TABLE}_data WHERE id = %s", [STRUCTURE_ROWID])  # noqa: S608 - constant
    row = cursor.fetchone()
    if row is None:
        return []
    data = bytes(row[0])
    v2 = data[4:8] == STRUCTURE_V2
    offset = 8 if v2 else 4
    levels, offset = varint(data, offset)
    _, offset = varint(data, offset)  # segments in all
    _, offset = varint(data, offset)  # write counter
    if v2:
        _, offset = varint(data, offset)  # origin counter
    result = []
    for _ in range(levels):
        merging, offset = varint(data, offset)
        count, offset = varint(data, offset)
        pages = []
        for _ in range(count):
            _, offset = varint(data, offset)  # segment id
            first, offset = varint(data, offset)
            last, offset = varint(data, offset)
            if v2:
                for _ in range(5):  # origins, tombstones, entries
                    _, offset = varint(data, offset)
            pages.append(last - first + 1)
        result.append((merging, pages))
    return result


def describe(levels: list[tuple[int, list[int]]]) -> str:
    total = sum(len(pages) for _, pages in levels)
    parts = [
        f"L{n}:{len(pages)}" + (f"m{merging}" if merging else "")
        for n, (merging, pages) in enumerate(levels)
        if pages
    ]
    biggest = max((max(pages) for _, pages in levels if pages), default=0)
    return f"{total} segments ({' '.join(parts)}), largest {biggest} pages"


def summary(label: str, times: list[float]) -> str:
    if not times:
        return f"{label}: none"
    ordered = sorted(times)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    slow = sum(t > 100 for t in ordered)
    return (
        f"{label}: {len(ordered)}, max {ordered[-1]:.0f} ms, p99 {p99:.0f} ms, "
        f"p50 {statistics.median(ordered):.1f} ms, over 100 ms: {slow}"
    )


def time_searches(queries: list[str], repeat: int) -> dict[str, tuple[float, int]]:
    from django.db import connection

    from comptoir.tickets.search_backends import backend_for, parse_query

    backend = backend_for()
    result = {}
    for text in queries:
        query = parse_query(text)
        if query is None:
            continue
        subquery = backend.matching_ids(query, internal=True)
        best, count = float("inf"), 0
        for _ in range(repeat):
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(subquery.sql, subquery.params)
                count = len(cursor.fetchall())
            best = min(best, (time.perf_counter() - started) * 1000)
        result[text] = (best, count)
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database", type=Path, help="a COPY of a desk's comptoir.sqlite3")
    parser.add_argument("--commits", type=int, default=400, help="index commits to time")
    parser.add_argument("--docs", type=int, default=16, help="tickets per commit")
    parser.add_argument("--no-maintain", action="store_true", help="skip the maintenance step")
    parser.add_argument("--query", action="append", help="search to time (repeatable)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per search (best kept)")
    parser.add_argument("--seed", type=int, default=1, help="random seed (which tickets)")
    parser.add_argument("--verbose", action="store_true", help="print every slow transaction")
    args = parser.parse_args()
    path = args.database.resolve()
    if path.name != "comptoir.sqlite3" or not path.is_file():
        raise SystemExit("give the path of a copy of a desk's comptoir.sqlite3")
    if path.parent == (Path(__file__).resolve().parent.parent / "var"):
        raise SystemExit("run it on a copy, not on the development desk")
    os.environ["COMPTOIR_DATA_DIR"] = str(path.parent)
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Max

    from comptoir.tickets.models import Ticket
    from comptoir.tickets.search import index_tickets
    from comptoir.tickets.search_backends.sqlite import SqliteBackend

    slices: list[float] = []

    class TimedBackend(SqliteBackend):
        """The backend whose merge slices (one transaction each) are timed."""

        def merge_slice(self) -> bool:
            began = time.perf_counter()
            merged = super().merge_slice()
            if merged:
                slices.append((time.perf_counter() - began) * 1000)
            return merged

    backend = TimedBackend(connection)
    queries = args.query or DEFAULT_QUERIES
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT k, v FROM {FTS_TABLE}_config ORDER BY k")  # noqa: S608 - constant
        config = dict(cursor.fetchall())
        print(f"index settings: {config or 'FTS5 defaults'}")
        print(f"before: {describe(segments(cursor))}")
    before = time_searches(queries, args.repeat)

    top = Ticket.objects.aggregate(top=Max("id"))["top"] or 0
    if not top:
        raise SystemExit("no tickets in this database")
    rng = random.Random(args.seed)
    commits: list[float] = []
    maintenance: list[float] = []  # whole maintain() calls: how long a flush waits on them
    started = time.perf_counter()
    for n in range(args.commits):
        ids = [rng.randint(1, top) for _ in range(args.docs)]
        if args.verbose:
            with connection.cursor() as cursor:
                shape = describe(segments(cursor))
        began = time.perf_counter()
        index_tickets(ids)  # one transaction
        commits.append((time.perf_counter() - began) * 1000)
        if args.verbose and commits[-1] > 100:
            with connection.cursor() as cursor:
                print(
                    f"  commit {n}: {commits[-1]:.0f} ms, {shape} -> {describe(segments(cursor))}"
                )
        if not args.no_maintain:
            began = time.perf_counter()
            done = backend.maintain()
            maintenance.append((time.perf_counter() - began) * 1000)
            if args.verbose and done and max(slices[-done:]) > 100:
                with connection.cursor() as cursor:
                    print(
                        f"  after commit {n}: {done} merge slices in {maintenance[-1]:.0f} ms, "
                        f"slowest {max(slices[-done:]):.0f} ms, {describe(segments(cursor))}"
                    )
    elapsed = time.perf_counter() - started

    with connection.cursor() as cursor:
        print(f"after:  {describe(segments(cursor))}")
    after = time_searches(queries, args.repeat)
    print(f"{args.commits} commits of {args.docs} tickets in {elapsed:.1f} s")
    print(summary("index commits", commits))
    if not args.no_maintain:
        print(summary("merge slices", slices))
        print(summary("all write transactions", commits + slices))
        print(summary("maintain() calls", maintenance))
    print("search (MATCH subquery, best of runs): before -> after")
    for text, (ms, count) in before.items():
        ms_after, count_after = after[text]
        print(f"  {text!r:24} {ms:7.1f} -> {ms_after:7.1f} ms  ({count} -> {count_after} ids)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
