"""The demo desk: a small bilingual company, so a first visitor sees Comptoir at work.

``seed()`` is idempotent: run twice, it creates nothing new and prints the same logins.
Every row is created through the services, like any other channel would.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.test.utils import override_settings

from comptoir.accounts import services
from comptoir.accounts.choices import Language, Role
from comptoir.accounts.models import Organisation, Team, User
from comptoir.core.choices import Source
from comptoir.demo_tickets import seed_tickets
from comptoir.tickets.models import Ticket

DEMO_TICKETS = 300
_INLINE_TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
DEMO_PASSWORD = "help-desk-2026"  # noqa: S105 - printed to the operator on purpose

ORGANISATIONS = [
    ("Acme Hosting Ltd", True),
    ("Boulangeries Dupont SARL", True),
    ("Globex Retail", False),
]
TEAMS = [
    ("Support niveau 1 / Level 1", "Première ligne : questions, comptes, commandes. First line."),
    ("Technique / Engineering", "Incidents, hébergement, matériel. Incidents and hardware."),
]
# (email, full name, role, organisation, language, time zone, team indexes)
PEOPLE = [
    (
        "admin@comptoir.example",
        "Alice Admin",
        Role.ADMIN,
        None,
        Language.ENGLISH,
        "Europe/London",
        (0, 1),
    ),
    (
        "camille@comptoir.example",
        "Camille Martin",
        Role.AGENT,
        None,
        Language.FRENCH,
        "Europe/Paris",
        (0,),
    ),
    (
        "sam@comptoir.example",
        "Sam Patel",
        Role.AGENT,
        None,
        Language.ENGLISH,
        "Europe/London",
        (0,),
    ),
    (
        "hugo@comptoir.example",
        "Hugo Lefèvre",
        Role.AGENT,
        None,
        Language.FRENCH,
        "Europe/Paris",
        (1,),
    ),
    (
        "dave@acme.example",
        "Dave Miller",
        Role.CUSTOMER,
        0,
        Language.ENGLISH,
        "America/New_York",
        (),
    ),
    (
        "grace@acme.example",
        "Grace Hopper",
        Role.CUSTOMER,
        0,
        Language.ENGLISH,
        "America/Chicago",
        (),
    ),
    ("marie@dupont.example", "Marie Dupont", Role.CUSTOMER, 1, Language.FRENCH, "Europe/Paris", ()),
    ("luc@dupont.example", "Luc Bernard", Role.CUSTOMER, 1, Language.FRENCH, "Europe/Paris", ()),
    ("erin@globex.example", "Erin Walsh", Role.CUSTOMER, 2, Language.ENGLISH, "Europe/Dublin", ()),
    (
        "julie@exemple.fr",
        "Julie Moreau",
        Role.CUSTOMER,
        None,
        Language.FRENCH,
        "America/Montreal",
        (),
    ),
]


@dataclass
class DemoDesk:
    users: list[User] = field(default_factory=list)
    created: bool = False
    tickets: int = 0

    def summary(self) -> list[str]:
        lines = [
            "Comptoir demo desk " + ("created." if self.created else "already present."),
            f"{self.tickets} tickets. Every demo login uses the password: {DEMO_PASSWORD}",
        ]
        lines += [f"  {user.get_role_display():<14} {user.email}" for user in self.users]
        return lines


def seed(tickets: int = DEMO_TICKETS) -> DemoDesk:
    """Create the demo desk. Subscribers run inline so the search index and the audit
    trail are complete when the command returns."""
    with override_settings(TASKS=_INLINE_TASKS):
        with transaction.atomic():
            desk = _seed_people()
        if not Ticket.objects.exists():
            # One transaction per ticket (the services' own), so a running server's
            # requests never wait long behind the seeding for SQLite's write lock.
            desk.created = True
            seed_tickets(desk.users, count=tickets)
    desk.tickets = Ticket.objects.count()
    return desk


def _seed_people() -> DemoDesk:
    desk = DemoDesk()
    password_hash = make_password(DEMO_PASSWORD)  # hashing is slow on purpose: do it once
    organisations = [_organisation(name, shared) for name, shared in ORGANISATIONS]
    teams = [_team(name, description) for name, description in TEAMS]
    for email, name, role, org_index, language, zone, team_indexes in PEOPLE:
        user = User.objects.filter(email=email).first()
        if user is None:
            desk.created = True
            user = services.do_create_user(
                email,
                password_hash=password_hash,
                full_name=name,
                role=role,
                organisation=organisations[org_index] if org_index is not None else None,
                language=language,
                timezone=zone,
                is_superuser=role == Role.ADMIN,
                email_verified=True,
                source=Source.SYSTEM,
            )
            for index in team_indexes:
                services.do_add_team_member(teams[index], user, actor=None, source=Source.SYSTEM)
        desk.users.append(user)
    return desk


def _organisation(name: str, shared: bool) -> Organisation:
    existing = Organisation.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return services.do_create_organisation(
        name, shared_tickets=shared, actor=None, source=Source.SYSTEM
    )


def _team(name: str, description: str) -> Team:
    existing = Team.objects.filter(name=name).first()
    if existing is not None:
        return existing
    return services.do_create_team(name, description=description, actor=None, source=Source.SYSTEM)
