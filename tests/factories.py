"""factory_boy factories. They create rows through the services, like every channel does."""

from __future__ import annotations

from typing import Any

import factory

from comptoir.accounts import services
from comptoir.accounts.choices import Language, Role
from comptoir.accounts.models import Organisation, Team, User
from comptoir.core.choices import Source

PASSWORD = "correct-horse-battery"


class OrganisationFactory(factory.Factory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    shared_tickets = False

    @classmethod
    def _create(cls, model_class: type[Organisation], *args: Any, **kwargs: Any) -> Organisation:
        name = kwargs.pop("name")
        return services.do_create_organisation(name, actor=None, source=Source.SYSTEM, **kwargs)


class UserFactory(factory.Factory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    full_name = factory.Faker("name")
    role = Role.CUSTOMER
    language = Language.ENGLISH
    timezone = "Europe/Paris"
    password = PASSWORD
    email_verified = True

    @classmethod
    def _create(cls, model_class: type[User], *args: Any, **kwargs: Any) -> User:
        email = kwargs.pop("email")
        return services.do_create_user(email, source=Source.SYSTEM, **kwargs)


class AgentFactory(UserFactory):
    role = Role.AGENT


class TeamFactory(factory.Factory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    description = ""

    @classmethod
    def _create(cls, model_class: type[Team], *args: Any, **kwargs: Any) -> Team:
        members = kwargs.pop("members", [])
        team = services.do_create_team(
            kwargs.pop("name"), actor=None, source=Source.SYSTEM, **kwargs
        )
        for member in members:
            services.do_add_team_member(team, member, actor=None, source=Source.SYSTEM)
        return team


def open_ticket(
    requester: User, subject: str = "Printer on fire", body: str = "It smokes.", **options: Any
) -> Any:
    """Open a ticket through the service, as the requester would from the portal."""
    from comptoir.tickets import services as ticket_services

    return ticket_services.do_open_ticket(
        requester=requester,
        subject=subject,
        body=body,
        actor=requester,
        source=Source.WEB,
        **options,
    )


def make_category(name: str = "Billing", fields: list[dict[str, Any]] | None = None) -> Any:
    from comptoir.tickets.models import Category, CustomField

    category = Category.objects.create(name=name, name_fr=f"{name} (fr)")
    for position, spec in enumerate(fields or []):
        CustomField.objects.create(category=category, position=position, **spec)
    return category
