"""REST API for users, organisations and teams (read only), scoped like the UI:
customers see themselves and, when their organisation shares, its members; teams are
internal and never shown to customers."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from comptoir.accounts import queries
from comptoir.accounts.choices import Language, Role
from comptoir.accounts.models import Organisation, Team, User
from comptoir.api.auth import current_user
from comptoir.api.errors import not_found
from comptoir.api.pagination import PageParams, paginate
from comptoir.api.schemas import (
    READ_ERRORS,
    OrganisationRef,
    UserRef,
    organisation_ref,
    user_ref,
    utc,
)

router = Router()


class UserOut(Schema):
    id: str
    email: str
    name: str = Field(..., description="The full name, or the start of the email address.")
    full_name: str
    role: Role
    organisation: OrganisationRef | None
    language: Language
    timezone: str
    is_active: bool
    created_at: datetime.datetime


class UserPage(Schema):
    items: list[UserOut]
    next_cursor: str | None


class UserFilters(PageParams):
    q: str | None = Field(None, description="Part of the name or email address.")


class OrganisationOut(Schema):
    id: str
    name: str
    shared_tickets: bool
    notes: str | None = Field(None, description="Internal notes, for agents only.")
    created_at: datetime.datetime


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    next_cursor: str | None


class NameFilters(PageParams):
    q: str | None = Field(None, description="Part of the name.")


class TeamOut(Schema):
    id: str
    name: str
    description: str
    members: list[UserRef]


class TeamPage(Schema):
    items: list[TeamOut]
    next_cursor: str | None


def user_out(user: User) -> UserOut:
    return UserOut(
        id=user.public_id,
        email=user.email,
        name=user.display_name,
        full_name=user.full_name,
        role=Role(user.role),
        organisation=organisation_ref(user.organisation),
        language=Language(user.language),
        timezone=user.timezone,
        is_active=user.is_active,
        created_at=utc(user.created_at),
    )


def organisation_out(organisation: Organisation, viewer: User) -> OrganisationOut:
    return OrganisationOut(
        id=organisation.public_id,
        name=organisation.name,
        shared_tickets=organisation.shared_tickets,
        notes=organisation.notes if viewer.is_agent else None,
        created_at=utc(organisation.created_at),
    )


def team_out(team: Team, viewer: User) -> TeamOut:
    return TeamOut(
        id=team.public_id,
        name=team.name,
        description=team.description,
        members=[user_ref(member, viewer) for member in team.members.all()],
    )


# --- Users ------------------------------------------------------------------------------


@router.get("/users", response={200: UserPage, **READ_ERRORS}, tags=["users"])
def list_users(request: HttpRequest, filters: Query[UserFilters]) -> UserPage:
    """The people you may see, by email address."""
    users = queries.users_visible_to(current_user(request))
    if filters.q:
        users = users.filter(Q(email__icontains=filters.q) | Q(full_name__icontains=filters.q))
    page = paginate(users, order=("email", "id"), cursor=filters.cursor, limit=filters.limit)
    return UserPage(items=[user_out(user) for user in page.items], next_cursor=page.next_cursor)


@router.get("/users/me", response={200: UserOut, **READ_ERRORS}, tags=["users"])
def get_me(request: HttpRequest) -> UserOut:
    """The user the token (or session) acts as."""
    return user_out(current_user(request))


@router.get("/users/{public_id}", response={200: UserOut, **READ_ERRORS}, tags=["users"])
def get_user(request: HttpRequest, public_id: str) -> UserOut:
    user = queries.users_visible_to(current_user(request)).filter(public_id=public_id).first()
    if user is None:
        raise not_found()
    return user_out(user)


# --- Organisations ------------------------------------------------------------------------


@router.get(
    "/organisations", response={200: OrganisationPage, **READ_ERRORS}, tags=["organisations"]
)
def list_organisations(request: HttpRequest, filters: Query[NameFilters]) -> OrganisationPage:
    """Agents see every organisation; a customer sees their own."""
    viewer = current_user(request)
    organisations = queries.organisations_visible_to(viewer)
    if filters.q:
        organisations = organisations.filter(name__icontains=filters.q)
    page = paginate(organisations, order=("name", "id"), cursor=filters.cursor, limit=filters.limit)
    return OrganisationPage(
        items=[organisation_out(organisation, viewer) for organisation in page.items],
        next_cursor=page.next_cursor,
    )


@router.get(
    "/organisations/{public_id}",
    response={200: OrganisationOut, **READ_ERRORS},
    tags=["organisations"],
)
def get_organisation(request: HttpRequest, public_id: str) -> OrganisationOut:
    viewer = current_user(request)
    organisation = queries.organisations_visible_to(viewer).filter(public_id=public_id).first()
    if organisation is None:
        raise not_found()
    return organisation_out(organisation, viewer)


# --- Teams --------------------------------------------------------------------------------


@router.get("/teams", response={200: TeamPage, **READ_ERRORS}, tags=["teams"])
def list_teams(request: HttpRequest, filters: Query[NameFilters]) -> TeamPage:
    """Agent teams with their members. Customers get an empty list."""
    viewer = current_user(request)
    teams = queries.teams_with_members(viewer)
    if filters.q:
        teams = teams.filter(name__icontains=filters.q)
    page = paginate(teams, order=("name", "id"), cursor=filters.cursor, limit=filters.limit)
    return TeamPage(
        items=[team_out(team, viewer) for team in page.items], next_cursor=page.next_cursor
    )


@router.get("/teams/{public_id}", response={200: TeamOut, **READ_ERRORS}, tags=["teams"])
def get_team(request: HttpRequest, public_id: str) -> TeamOut:
    viewer = current_user(request)
    team = queries.teams_with_members(viewer).filter(public_id=public_id).first()
    if team is None:
        raise not_found()
    return team_out(team, viewer)
