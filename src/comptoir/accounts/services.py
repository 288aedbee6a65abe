"""Every write to accounts, organisations and teams goes through here.

``do_*`` functions are trusted operations: they validate values, write in one
transaction and emit events after commit. ``check_*`` functions first verify that
the ``actor`` may act, then call the matching ``do_*``.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _

from comptoir.accounts.choices import Language, Role, TokenScope
from comptoir.accounts.exceptions import NotAnAgent
from comptoir.accounts.models import ApiToken, Organisation, Team, User, normalize_email
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
    password_hash: str | None = None,
    actor: User | None = None,
    source: Source = Source.SYSTEM,
) -> User:
    """Create a user with a ready-to-use login (demo, administrators, integrations).

    ``email_verified`` records the address as confirmed, for accounts whose address an
    administrator vouches for; others confirm it through the link sent at sign-up.
    ``password_hash`` carries an already hashed password (imports from another desk, the
    demo), checked by Django's hashers like any other.
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
    elif password_hash:
        user.password = password_hash
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


def record_email_change(user: User, old: str | None, *, source: Source = Source.WEB) -> None:
    """Tell the rest of the desk that ``user``'s address is now ``user.email``.

    The change itself is allauth's (confirming and setting a primary address, at
    /accounts/email/); this records it like any other profile change, so that what shows
    or indexes the address (ticket search) follows."""
    if old == user.email:
        return
    emit(
        "user.profile_updated",
        {"user": user.public_id, "changes": {"email": [old, user.email]}},
        actor_id=user.pk,
        source=source,
    )


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


# --- Personal API tokens ---------------------------------------------------------------

TOKEN_PREFIX = "cpt_"  # noqa: S105  (a fixed marker, so leaked keys are easy to scan for)
_TOKEN_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # noqa: S105  (Crockford's base32)
_PREFIX_LENGTH = 8
_SECRET_LENGTH = 40  # 200 random bits
# Recording every request's time would turn each API read into a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=1)
MAX_TOKEN_NAME = 100


@dataclass(frozen=True)
class CreatedToken:
    """A new token and its full key, which exists only here: it is never stored."""

    token: ApiToken
    key: str


def _random_text(length: int) -> str:
    return "".join(secrets.choice(_TOKEN_ALPHABET) for _ in range(length))


def hash_token_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _split_key(key: str) -> tuple[str, str] | None:
    """``cpt_<prefix>_<secret>`` into its prefix and secret, or ``None`` if malformed."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    prefix, separator, secret = key[len(TOKEN_PREFIX) :].partition("_")
    if not separator or len(prefix) != _PREFIX_LENGTH or len(secret) != _SECRET_LENGTH:
        return None
    return prefix, secret


def _token_payload(token: ApiToken) -> dict[str, str | None]:
    # Never the key or its hash: events reach webhooks and the audit trail.
    return {
        "token": token.public_id,
        "user": token.user.public_id,
        "name": token.name,
        "prefix": token.prefix,
        "scope": token.scope,
        "expires_at": token.expires_at.isoformat() if token.expires_at else None,
    }


def check_create_api_token(
    actor: User,
    *,
    name: str,
    scope: TokenScope | str,
    expires_at: datetime.datetime | None = None,
    source: Source = Source.WEB,
) -> CreatedToken:
    """Create a token for ``actor`` themselves; customers may have tokens too."""
    if not actor.is_active:
        raise NotAllowed(_("Your account is disabled."))
    return do_create_api_token(
        actor, name=name, scope=scope, expires_at=expires_at, actor=actor, source=source
    )


def do_create_api_token(
    user: User,
    *,
    name: str,
    scope: TokenScope | str,
    expires_at: datetime.datetime | None,
    actor: User | None,
    source: Source,
) -> CreatedToken:
    """Store a new token for ``user`` and return its key, to be shown once."""
    name = " ".join(name.split())
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > MAX_TOKEN_NAME:
        errors["name"] = [_("At most %(max)d characters.") % {"max": MAX_TOKEN_NAME}]
    if scope not in TokenScope.values:
        errors["scope"] = [_("Choose read or write.")]
    if expires_at is not None and expires_at <= dj_timezone.now():
        errors["expires_at"] = [_("Choose a date in the future.")]
    if errors:
        raise InvalidInput(_("Please correct the errors below."), errors=errors)
    secret = _random_text(_SECRET_LENGTH)
    for _attempt in range(5):
        token = ApiToken(
            user=user,
            name=name,
            prefix=_random_text(_PREFIX_LENGTH),
            key_hash=hash_token_secret(secret),
            scope=TokenScope(scope),
            expires_at=expires_at,
        )
        try:
            with transaction.atomic():
                token.save()
                emit(
                    "api_token.created",
                    _token_payload(token),
                    actor_id=_actor_id(actor),
                    source=source,
                )
        except IntegrityError:  # the 40-bit prefix is already taken: draw again
            continue
        return CreatedToken(token=token, key=f"{TOKEN_PREFIX}{token.prefix}_{secret}")
    raise RuntimeError("could not draw a free API token prefix")


def check_revoke_api_token(
    actor: User, token: ApiToken, *, source: Source = Source.WEB
) -> ApiToken:
    if token.user_id != actor.pk and not actor.is_admin:
        raise NotAllowed(_("You can only revoke your own tokens."))
    return do_revoke_api_token(token, actor=actor, source=source)


def do_revoke_api_token(token: ApiToken, *, actor: User | None, source: Source) -> ApiToken:
    """Stop the token working at once. Revoking twice changes nothing, also when two
    people revoke it at the same moment: only the one whose update finds it unrevoked
    records it."""
    if token.revoked_at is not None:
        return token
    with transaction.atomic():
        now = dj_timezone.now()
        revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
            revoked_at=now, updated_at=now
        )
        if not revoked:
            token.refresh_from_db(fields=["revoked_at", "updated_at"])
            return token
        token.revoked_at = token.updated_at = now
        emit("api_token.revoked", _token_payload(token), actor_id=_actor_id(actor), source=source)
    return token


def check_api_token(key: str, *, now: datetime.datetime | None = None) -> ApiToken | None:
    """The usable token behind ``key`` (with its active user), or ``None``: unknown,
    malformed, revoked, expired and disabled look the same to the caller."""
    parts = _split_key(key)
    if parts is None:
        return None
    prefix, secret = parts
    token = (
        ApiToken.objects.select_related("user", "user__organisation").filter(prefix=prefix).first()
    )
    if token is None:
        # Compare anyway, so an unknown prefix costs the same time as a wrong secret.
        hmac.compare_digest(hash_token_secret(secret), "0" * 64)
        return None
    if not hmac.compare_digest(token.key_hash, hash_token_secret(secret)):
        return None
    now = now or dj_timezone.now()
    if not token.is_usable(now) or not token.user.is_active:
        return None
    do_touch_api_token(token, now=now)
    return token


def do_touch_api_token(token: ApiToken, *, now: datetime.datetime) -> ApiToken:
    """Record that the token was used, at most once per ``LAST_USED_RESOLUTION``.
    Bookkeeping like ``last_login``: no history, no event."""
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        token.last_used_at = now
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token
