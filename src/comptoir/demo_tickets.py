"""The demo desk's tickets: a few hundred bilingual conversations of various ages.

Everything is created through the services (opening, assigning, replying, notes, status
changes), then the timestamps are moved into the past so the desk looks lived in.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence
from typing import TypeVar

from django.utils import timezone
from django.utils.text import slugify

from comptoir.accounts import services as account_services
from comptoir.accounts.choices import Language, Role
from comptoir.accounts.models import Organisation, Team, User
from comptoir.catalog.models import Product
from comptoir.core.choices import Source
from comptoir.demo_content import CATEGORIES, EXTRA_CUSTOMERS, INTERNAL_NOTES, PRODUCTS, SCENARIOS
from comptoir.tickets import services
from comptoir.tickets.choices import MessageKind, Status
from comptoir.tickets.models import Category, CustomField, HistoryEntry, Message, Ticket

T = TypeVar("T")

# (status, weight): most of a desk's tickets are solved or closed; a healthy queue remains.
STATUS_WEIGHTS = [
    (Status.NEW, 12), (Status.OPEN, 20), (Status.PENDING, 12), (Status.ON_HOLD, 4),
    (Status.SOLVED, 27), (Status.CLOSED, 25),
]  # fmt: skip
SOURCE_WEIGHTS = [
    (Source.WEB, 45),
    (Source.EMAIL, 35),
    (Source.CHAT, 10),
    (Source.PHONE, 5),
    (Source.API, 5),
]
PRIORITY_WEIGHTS = [("low", 15), ("normal", 60), ("high", 20), ("urgent", 5)]
TEAM_OF_CATEGORY = {
    "billing": 0,
    "orders": 0,
    "account": 0,
    "install": 1,
    "hardware": 1,
    "hosting": 1,
}
DOMAIN_OF_LANGUAGE = {"en": "example.com", "fr": "exemple.fr"}


def _weighted(rng: random.Random, choices: Sequence[tuple[T, int]]) -> T:
    values = [value for value, _weight in choices]
    return rng.choices(values, weights=[weight for _value, weight in choices])[0]


def _catalogue() -> tuple[dict[str, Category], dict[str, Product]]:
    categories = {}
    for position, (key, name, name_fr, fields) in enumerate(CATEGORIES):
        category, created = Category.objects.get_or_create(
            name=name, defaults={"name_fr": name_fr, "position": position}
        )
        if created:
            for index, spec in enumerate(fields):
                CustomField.objects.create(category=category, position=index, **spec)
        categories[key] = category
    products = {
        key: Product.objects.get_or_create(name=name, defaults={"name_fr": name_fr})[0]
        for key, name, name_fr in PRODUCTS
    }
    return categories, products


def _customers(users: list[User], rng: random.Random) -> dict[str, list[User]]:
    by_language: dict[str, list[User]] = {"en": [], "fr": []}
    organisations = list(Organisation.objects.all())
    for language, name in EXTRA_CUSTOMERS:
        email = f"{slugify(name).replace('-', '.')}@{DOMAIN_OF_LANGUAGE[language]}"
        user = User.objects.filter(email=email).first() or account_services.do_create_user(
            email,
            full_name=name,
            role=Role.CUSTOMER,
            organisation=rng.choice([*organisations, None]),
            language=Language(language),
            timezone="Europe/Paris" if language == "fr" else "Europe/London",
            email_verified=True,
            source=Source.SYSTEM,
        )
        users = [*users, user]
    for user in users:
        if user.role == Role.CUSTOMER:
            by_language[user.language].append(user)
    return by_language


def _field_values(category: Category, rng: random.Random, n: int) -> dict[str, object]:
    values: dict[str, object] = {}
    for field in category.fields.all():
        if field.kind == "text":
            values[field.key] = f"{field.key[:3].upper()}-{n}"
        elif field.kind == "number":
            values[field.key] = rng.randint(19, 900)
        elif field.kind == "choice":
            values[field.key] = rng.choice(field.choice_options())[0]
        elif field.kind == "date":
            values[field.key] = (
                (timezone.now() - datetime.timedelta(days=rng.randint(30, 700))).date().isoformat()
            )
    return values


def seed_tickets(users: list[User], *, count: int) -> None:
    rng = random.Random(2026)  # noqa: S311 - demo data, the same desk every time
    categories, products = _catalogue()
    customers = _customers(users, rng)
    teams = list(Team.objects.order_by("name").prefetch_related("members"))
    now = timezone.now()
    for index in range(count):
        language, category_key, product_key, ticket_type, subject, request, answer, follow_up = (
            SCENARIOS[index % len(SCENARIOS)]
        )
        customer = rng.choice(customers[language])
        team = teams[TEAM_OF_CATEGORY[category_key] % len(teams)]
        agents = [member for member in team.members.all() if member.role == Role.AGENT] or list(
            team.members.all()
        )
        agent = rng.choice(agents)
        n = 40_000 + index * 7
        fill = {
            "name": customer.display_name.split()[0],
            "agent": agent.display_name.split()[0],
            "n": n,
        }
        source = _weighted(rng, SOURCE_WEIGHTS)
        status = _weighted(rng, STATUS_WEIGHTS)
        category = categories[category_key]
        ticket = services.do_open_ticket(
            requester=customer,
            subject=subject,
            body=request.format(**fill),
            actor=customer,
            source=source,
            category=category,
            custom_fields=_field_values(category, rng, n),
            product=products[product_key] if product_key else None,
            type=ticket_type,
            priority=_weighted(rng, PRIORITY_WEIGHTS),
        )
        if status != Status.NEW:
            services.do_update_ticket(
                ticket, actor=None, source=Source.SYSTEM, team=team, assignee=agent
            )
            if rng.random() < 0.3:
                services.do_add_message(
                    ticket,
                    author=agent,
                    body=rng.choice(INTERNAL_NOTES[language]),
                    kind=MessageKind.NOTE,
                    source=Source.WEB,
                )
            answered_status = Status.PENDING if status == Status.PENDING else Status.OPEN
            services.do_add_message(
                ticket,
                author=agent,
                body=answer.format(**fill),
                kind=MessageKind.REPLY,
                source=Source.WEB,
                status=answered_status,
            )
            if status in (Status.SOLVED, Status.CLOSED):
                services.do_add_message(
                    ticket, author=customer, body=follow_up, kind=MessageKind.REPLY, source=source
                )
                services.do_update_ticket(
                    ticket, actor=agent, source=Source.WEB, status=Status.SOLVED
                )
            if status in (Status.ON_HOLD, Status.CLOSED):
                services.do_update_ticket(ticket, actor=agent, source=Source.WEB, status=status)
        _age(ticket, now, rng, status)


def _age(ticket: Ticket, now: datetime.datetime, rng: random.Random, status: object) -> None:
    """Move the ticket and its conversation into the past: unsolved tickets are recent,
    closed ones older."""
    max_days = 6 if status in (Status.NEW, Status.OPEN, Status.PENDING) else 120
    opened = now - datetime.timedelta(days=rng.uniform(0.05, max_days), minutes=rng.randint(0, 600))
    moment = opened
    for message in Message.objects.filter(ticket=ticket).order_by("id"):
        Message.objects.filter(pk=message.pk).update(created_at=moment, updated_at=moment)
        moment += datetime.timedelta(hours=rng.uniform(0.3, 20))
    last = min(moment, now)
    HistoryEntry.objects.filter(ticket=ticket).update(created_at=opened)
    Ticket.objects.filter(pk=ticket.pk).update(
        created_at=opened,
        updated_at=last,
        solved_at=last if ticket.solved_at else None,
        closed_at=last if ticket.closed_at else None,
    )
