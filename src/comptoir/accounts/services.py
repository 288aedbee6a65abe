"""Every write to accounts, organisations and teams goes through here.

``do_*`` functions are trusted operations: they validate values, write in one
transaction and emit events after commit. ``check_*`` functions first verify that
the ``actor`` may act, then call the matching ``do_*``.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from comptoir.accounts.choices import Language, Role
from comptoir.accounts.exceptions import NotAnAgent
from comptoir.accounts.models import Organisation, Team, User, normalize_email
from comptoir.core.choices import Source
from comptoir.core.events import emit
from comptoir.core.exceptions import InvalidInput, NotAllowed

_PROFILE_FIELDS = ("full_name", "language", "timezone")


def _validated(instance: User | Organisation | Team, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        errors = {field: [str(m) for m in messages] for field, messages in exc.message_dict.items()}
        raise InvalidInput(_("Please correct the errors below."), errors=errors) from exc


def _actor_id(actor: User | None) -> int | None:
    return actor.pk if actor is not None else None


def do_save_new_user(user: User, *, actor: User | None, source: Source) -> User:
    """Store a user built elsewhere (the sign-up form) and announce it."""
    user.email = normalize_email(user.email)
    _validated(user, exclude=["password"])
    with transaction.atomic():
        user.save()
        emit(
            "user.created",
            {"user": user.public_id, "role": user.role},
            actor_id=_actor_id(actor) or user.pk,
            source=source,
        )
    return user


def do_create_user(
    email: str,
    *,
    password: str | None = None,
    full_name: str = "",
    role: Role | str = Role.CUSTOMER,
    organisation: Organisation | None = None,
    language: Language | str = Language.ENGLISH,
    timezone: str = "UTC",
    is_superuser: bool = False,
    email_verified: bool = False,
    actor: User | None = None,
    source: Source = Source.SYSTEM,
) -> User:
    """Create a user with a ready-to-use login (demo, administrators, integrations).

    ``email_verified`` records the address as confirmed, for accounts whose address an
    administrator vouches for; others confirm it through the link sent at sign-up.
    """
    user = User(
        email=email,
        full_name=full_name,
        role=role,
        organisation=organisation,
        language=language,
        timezone=timezone,
        is_superuser=is_superuser,
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise InvalidInput(
                _("Please choose a stronger password."), errors={"password": list(exc.messages)}
            ) from exc
        user.set_password(password)
    else:
        user.set_unusable_password()
    with transaction.atomic():
        do_save_new_user(user, actor=actor, source=source)
        if email_verified:
            EmailAddress.objects.update_or_create(
                user=user, email=user.email, defaults={"verified": True, "primary": True}
            )
    return user


def check_update_profile(
    actor: User,
    user: User,
    *,
    full_name: str,
    language: str,
    timezone: str,
    source: Source = Source.WEB,
) -> User:
    if actor.pk != user.pk and not actor.is_admin:
        raise NotAllowed(_("You can only change your own profile."))
    return do_update_profile(
        user, full_name=full_name, language=language, timezone=timezone, actor=actor, source=source
    )


def do_update_profile(
    user: User,
    *,
    full_name: str,
    language: str,
    timezone: str,
    actor: User | None,
    source: Source,
) -> User:
    before = {field: getattr(user, field) for field in _PROFILE_FIELDS}
    user.full_name = full_name.strip()
    user.language = language
    user.timezone = timezone
    _validated(user, exclude=["password"])
    changes = {
        field: [before[field], getattr(user, field)]
        for field in _PROFILE_FIELDS
        if before[field] != getattr(user, field)
    }
    if not changes:
        return user
    with transaction.atomic():
        user.save(update_fields=[*changes, "updated_at"])
        emit(
            "user.profile_updated",
            {"user": user.public_id, "changes": changes},
            actor_id=_actor_id(actor),
            source=source,
        )
    return user


def do_set_language(user: User, language: str, *, source: Source = Source.WEB) -> User:
    return do_update_profile(
        user,
        full_name=user.full_name,
        language=language,
        timezone=user.timezone,
        actor=user,
        source=source,
    )


def check_change_role(actor: User, user: User, role: Role, *, source: Source = Source.WEB) -> User:
    if not actor.is_admin:
        raise NotAllowed(_("Only administrators can change roles."))
    if actor.pk == user.pk and role != Role.ADMIN:
        # An administrator demoting themselves could leave the desk with no administrator.
        raise NotAllowed(_("You cannot remove your own administrator role."))
    return do_change_role(user, role, actor=actor, source=source)


def do_change_role(user: User, role: Role, *, actor: User | None, source: Source) -> User:
    old = user.role
    if old == role:
        return user
    with transaction.atomic():
        user.role = role
        user.save(update_fields=["role", "updated_at"])
        if role == Role.CUSTOMER:
            user.teams.clear()
        emit(
            "user.role_changed",
            {"user": user.public_id, "old": old, "new": str(role)},
            actor_id=_actor_id(actor),
            source=source,
        )
    return user


def do_create_organisation(
    name: str,
    *,
    shared_tickets: bool = False,
    notes: str = "",
    actor: User | None,
    source: Source,
) -> Organisation:
    organisation = Organisation(name=name.strip(), shared_tickets=shared_tickets, notes=notes)
    _validated(organisation)
    with transaction.atomic():
        organisation.save()
        emit(
            "organisation.created",
            {"organisation": organisation.public_id, "name": organisation.name},
            actor_id=_actor_id(actor),
            source=source,
        )
    return organisation


def do_set_organisation(
    user: User, organisation: Organisation | None, *, actor: User | None, source: Source
) -> User:
    """Move a customer into an organisation (a customer belongs to at most one)."""
    if organisation is not None and user.is_agent:
        raise InvalidInput(_("Agents do not belong to customer organisations."))
    old = user.organisation
    if old == organisation:
        return user
    with transaction.atomic():
        user.organisation = organisation
        user.save(update_fields=["organisation", "updated_at"])
        emit(
            "user.organisation_changed",
            {
                "user": user.public_id,
                "old": old.public_id if old else None,
                "new": organisation.public_id if organisation else None,
            },
            actor_id=_actor_id(actor),
            source=source,
        )
    return user


def do_create_team(name: str, *, description: str = "", actor: User | None, source: Source) -> Team:
    team = Team(name=name.strip(), description=description)
    _validated(team)
    with transaction.atomic():
        team.save()
        emit(
            "team.created",
            {"team": team.public_id, "name": team.name},
            actor_id=_actor_id(actor),
            source=source,
        )
    return team


def check_add_team_member(actor: User, team: Team, user: User, *, source: Source) -> Team:
    if not actor.is_admin:
        raise NotAllowed(_("Only administrators can change teams."))
    return do_add_team_member(team, user, actor=actor, source=source)


def do_add_team_member(team: Team, user: User, *, actor: User | None, source: Source) -> Team:
    if not user.is_agent:
        raise NotAnAgent(_("Only agents and administrators can join a team."))
    with transaction.atomic():
        if team.members.filter(pk=user.pk).exists():
            return team
        team.members.add(user)
        emit(
            "team.member_added",
            {"team": team.public_id, "user": user.public_id},
            actor_id=_actor_id(actor),
            source=source,
        )
    return team


def do_remove_team_member(team: Team, user: User, *, actor: User | None, source: Source) -> Team:
    with transaction.atomic():
        if not team.members.filter(pk=user.pk).exists():
            return team
        team.members.remove(user)
        emit(
            "team.member_removed",
            {"team": team.public_id, "user": user.public_id},
            actor_id=_actor_id(actor),
            source=source,
        )
    return team
