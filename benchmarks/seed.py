"""Seed a benchmark desk: many tickets with several messages each, fast.

    COMPTOIR_DATA_DIR=var/bench .venv/bin/python benchmarks/seed.py --tickets 100000
    DATABASE_URL=postgres://... .venv/bin/python benchmarks/seed.py --tickets 1000000

Unlike the demo, this writes rows in bulk (no services, no events): a million tickets
through the services would take hours, and a benchmark needs volume, not history. The
search index is rebuilt at the end with `reindex_tickets`. Passwords of every seeded user
are `bench-password-2026`, and each has a verified, primary email address, which sign-in
requires (`ACCOUNT_EMAIL_VERIFICATION = "mandatory"`).

A desk seeded before the addresses were added cannot sign in (allauth sends its users to
the confirm-email page). Repair it in place, without reseeding:

    COMPTOIR_DATA_DIR=var/bench-1m .venv/bin/python benchmarks/seed.py --fix-logins

That adds the missing addresses of the seeded users (`@bench.example`), marks any address
a failed sign-in left unverified as verified, and changes nothing else; it is safe to run
twice.
"""

from __future__ import annotations

import argparse
import datetime
import html
import os
import random
import sys
import time
import uuid
from collections.abc import Iterable
from typing import Any

BATCH = 5000
DOMAIN = "@bench.example"
PASSWORD = "bench-password-2026"  # noqa: S105 - published benchmark credential
WORDS_EN = [
    "printer",
    "network",
    "invoice",
    "refund",
    "password",
    "router",
    "firmware",
    "update",
    "install",
    "error",
    "disk",
    "backup",
    "email",
    "login",
    "account",
    "order",
    "delivery",
    "parcel",
    "warranty",
    "screen",
    "battery",
    "license",
    "server",
    "slow",
    "crash",
    "certificate",
    "domain",
    "payment",
    "subscription",
    "upgrade",
    "vpn",
    "wifi",
    "cable",
    "replacement",
]
WORDS_FR = [
    "imprimante",
    "réseau",
    "facture",
    "remboursement",
    "mot",
    "de",
    "passe",
    "routeur",
    "micrologiciel",
    "mise",
    "à",
    "jour",
    "installation",
    "erreur",
    "disque",
    "sauvegarde",
    "courriel",
    "connexion",
    "compte",
    "commande",
    "livraison",
    "colis",
    "garantie",
    "écran",
    "batterie",
    "licence",
    "serveur",
    "lent",
    "panne",
    "certificat",
    "domaine",
    "paiement",
    "abonnement",
]


def sentence(rng: random.Random, words: list[str], length: int) -> str:
    return " ".join(rng.choices(words, k=length)).capitalize() + "."


def verified_addresses(users: Iterable[Any]) -> list[Any]:
    """A verified, primary allauth address for each user, ready for `bulk_create`."""
    from allauth.account.models import EmailAddress

    return [EmailAddress(user_id=u.pk, email=u.email, verified=True, primary=True) for u in users]


def fix_logins() -> None:
    """Give the users of a desk seeded before `verified_addresses` the address they lack."""
    from allauth.account.models import EmailAddress
    from django.db import transaction
    from django.db.models import Exists, F, OuterRef

    from comptoir.accounts.models import User

    seeded = User.objects.filter(email__endswith=DOMAIN)
    if not seeded.exists():
        sys.exit(f"No seeded users ({DOMAIN}) in this database; nothing to repair.")
    with transaction.atomic():
        # A sign-in attempt on the old desk left an unverified, non-primary row behind.
        marked = (
            EmailAddress.objects.filter(user__in=seeded, email=F("user__email"))
            .exclude(verified=True, primary=True)
            .update(verified=True, primary=True)
        )
        missing = seeded.exclude(
            Exists(EmailAddress.objects.filter(user=OuterRef("pk"), email=OuterRef("email")))
        ).only("pk", "email")
        added = EmailAddress.objects.bulk_create(verified_addresses(missing), batch_size=BATCH)
    print(
        f"logins fixed: {len(added)} addresses added, {marked} marked verified, "
        f"{seeded.count()} seeded users"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--messages", type=int, default=3, help="messages per ticket")
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--fix-logins",
        action="store_true",
        help="only add the missing verified email addresses to a desk seeded before",
    )
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "comptoir.settings")
    import django

    django.setup()
    if args.fix_logins:
        fix_logins()
        return
    from allauth.account.models import EmailAddress
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from comptoir.accounts.models import Organisation, Team, User
    from comptoir.tickets.choices import Channel, MessageKind, Priority, TicketType
    from comptoir.tickets.models import Ticket, TicketCounter

    call_command("migrate", verbosity=0)
    if Ticket.objects.exists():
        sys.exit("This database already has tickets; seed an empty one.")
    rng = random.Random(args.seed)
    started = time.monotonic()
    password = make_password(PASSWORD)
    now = timezone.now()

    def public_id() -> str:
        return uuid.uuid4().hex[:16]

    with transaction.atomic():
        organisations = Organisation.objects.bulk_create(
            [
                Organisation(name=f"Company {n}", shared_tickets=n % 3 == 0, public_id=public_id())
                for n in range(args.customers // 10)
            ]
        )
        teams = Team.objects.bulk_create(
            [Team(name=f"Bench team {n}", public_id=public_id()) for n in range(4)]
        )
        agents = User.objects.bulk_create(
            [
                User(
                    email=f"agent{n}@bench.example",
                    full_name=f"Agent {n}",
                    role="agent",
                    password=password,
                    public_id=public_id(),
                )
                for n in range(20)
            ]
        )
        for index, agent in enumerate(agents):
            teams[index % 4].members.add(agent)
        admin = User.objects.create(
            email="admin@bench.example",
            full_name="Bench Admin",
            role="admin",
            password=password,
            public_id=public_id(),
        )
        customers = User.objects.bulk_create(
            [
                User(
                    email=f"customer{n}@bench.example",
                    full_name=f"Customer {n}",
                    role="customer",
                    organisation=organisations[n % len(organisations)] if n % 4 else None,
                    language="fr" if n % 2 else "en",
                    password=password,
                    public_id=public_id(),
                )
                for n in range(args.customers)
            ],
            batch_size=BATCH,
        )
        EmailAddress.objects.bulk_create(
            verified_addresses([*agents, admin, *customers]), batch_size=BATCH
        )
    print(f"people: {time.monotonic() - started:.1f}s")

    statuses = [
        "new",
        "open",
        "open",
        "pending",
        "on_hold",
        "solved",
        "solved",
        "closed",
        "closed",
        "closed",
    ]
    channels = list(Channel.values)
    priorities = list(Priority.values)
    types = list(TicketType.values)
    agent_ids = [agent.pk for agent in agents]
    team_ids = [team.pk for team in teams]
    people = [(c.pk, c.organisation_id, c.language) for c in customers]
    two_years = 730 * 24 * 3600
    ticket_columns = (
        "number, public_id, subject, requester_id, organisation_id, channel, status, priority, type, "
        "team_id, assignee_id, custom_fields, created_at, updated_at, solved_at, closed_at"
    )
    message_columns = "ticket_id, author_id, kind, channel, body, body_html, created_at, updated_at"
    insert_ticket = (
        f"INSERT INTO tickets_ticket ({ticket_columns}) VALUES ({', '.join(['%s'] * 16)})"  # noqa: S608 - constant text
    )
    insert_message = (
        f"INSERT INTO tickets_message ({message_columns}) VALUES ({', '.join(['%s'] * 8)})"  # noqa: S608 - constant text
    )
    number = 1000
    # Plain executemany: the ORM's bulk_create spends most of its time preparing values.
    for start in range(0, args.tickets, BATCH):
        count = min(BATCH, args.tickets - start)
        ticket_rows, message_plans = [], []
        for _ in range(count):
            number += 1
            requester, organisation, language = people[rng.randrange(len(people))]
            status = rng.choice(statuses)
            created = now - datetime.timedelta(seconds=rng.randrange(two_years))
            updated = min(now, created + datetime.timedelta(seconds=rng.randrange(14 * 24 * 3600)))
            words = WORDS_FR if language == "fr" else WORDS_EN
            assignee = agent_ids[rng.randrange(20)] if status != "new" else None
            channel = rng.choice(channels)
            ticket_rows.append((
                number, public_id(), sentence(rng, words, rng.randint(3, 7))[:200], requester, organisation,
                channel, status, rng.choice(priorities), rng.choice(types),
                team_ids[rng.randrange(4)] if rng.random() < 0.9 else None, assignee, "{}",
                created, updated,
                updated if status in ("solved", "closed") else None, updated if status == "closed" else None,
            ))  # fmt: skip
            message_plans.append(
                (number, requester, assignee or agent_ids[0], channel, words, created, updated)
            )
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.executemany(insert_ticket, ticket_rows)
            cursor.execute(
                "SELECT number, id FROM tickets_ticket WHERE number BETWEEN %s AND %s",
                [number - count + 1, number],
            )
            ids = dict(cursor.fetchall())
            message_rows = []
            for (
                ticket_number,
                requester,
                agent_id,
                channel,
                words,
                created,
                updated,
            ) in message_plans:
                for m in range(args.messages):
                    body = sentence(rng, words, rng.randint(12, 40))
                    kind = MessageKind.NOTE if m == 2 and rng.random() < 0.3 else MessageKind.REPLY
                    moment = created + (updated - created) * (m / max(1, args.messages - 1))
                    message_rows.append((
                        ids[ticket_number], requester if m % 2 == 0 else agent_id, kind, channel, body,
                        f"<p>{html.escape(body)}</p>", moment, moment,
                    ))  # fmt: skip
            cursor.executemany(insert_message, message_rows)
        done = start + count
        if done % 50_000 == 0 or done == args.tickets:
            print(f"tickets: {done} ({time.monotonic() - started:.0f}s)")
    TicketCounter.objects.update_or_create(pk=1, defaults={"last_number": number})
    print(f"seeded {args.tickets} tickets in {time.monotonic() - started:.0f}s; reindexing search")
    from django.core.management import get_commands

    if "reindex_tickets" in get_commands():
        call_command("reindex_tickets")
    # Fresh statistics, as a live desk's would be, taken once the search index is full:
    # taken before, they described it as empty, and SQLite then planned every FTS5 merge as
    # a scan of the whole index (benchmarks/README.md, the correction on the FTS5 stall).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"done in {time.monotonic() - started:.0f}s")


if __name__ == "__main__":
    main()
