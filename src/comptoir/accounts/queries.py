"""Reads of accounts data, always scoped to what the asking user may see.

``visible_to`` is the one place that decides it for each model; views, the API,
consumers and exports all start from these querysets.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet

from comptoir.accounts.choices import Role
from comptoir.accounts.models import ApiToken, Organisation, Team, User


def users_visible_to(user: User | AnonymousUser) -> QuerySet[User]:
    """Agents see everyone; a customer sees themselves and, when their organisation shares
    tickets, its other members."""
    users = User.objects.select_related("organisation")
    if not user.is_authenticated or not user.is_active:
        return users.none()
    if user.is_agent:
        return users.all()
    organisation = user.organisation
    if organisation is not None and organisation.shared_tickets:
        return users.filter(Q(pk=user.pk) | Q(organisation_id=user.organisation_id))
    return users.filter(pk=user.pk)


def organisations_visible_to(user: User | AnonymousUser) -> QuerySet[Organisation]:
    organisations = Organisation.objects.all()
    if not user.is_authenticated or not user.is_active:
        return organisations.none()
    if user.is_agent:
        return organisations
    if user.organisation_id is None:
        return organisations.none()
    return organisations.filter(pk=user.organisation_id)


def teams_visible_to(user: User | AnonymousUser) -> QuerySet[Team]:
    """Teams are internal: customers never see them."""
    if not user.is_authenticated or not user.is_active or not user.is_agent:
        return Team.objects.none()
    return Team.objects.all()


def teams_with_members(user: User | AnonymousUser) -> QuerySet[Team]:
    return teams_visible_to(user).prefetch_related("members")


def organisations_with_member_counts(user: User | AnonymousUser) -> QuerySet[Organisation]:
    return organisations_visible_to(user).annotate(member_count=Count("members"))


def agents_visible_to(user: User | AnonymousUser) -> QuerySet[User]:
    return users_visible_to(user).filter(role__in=[Role.AGENT, Role.ADMIN], is_active=True)


def api_tokens_visible_to(user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """A user's own tokens; administrators see everyone's (to revoke a leaked one)."""
    if not user.is_authenticated or not user.is_active:
        return ApiToken.objects.none()
    tokens = ApiToken.objects.select_related("user")
    if user.is_admin:
        return tokens.all()
    return tokens.filter(user=user)


def own_api_tokens(user: User | AnonymousUser) -> QuerySet[ApiToken]:
    """The tokens ``user`` manages on their token page, newest first."""
    if not user.is_authenticated:
        return ApiToken.objects.none()
    return api_tokens_visible_to(user).filter(user_id=user.pk)
