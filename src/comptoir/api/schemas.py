"""Schemas shared by every router: the error body and short references to other objects.

The API shows public ids and ticket numbers, never database ids (categories, which have
no public id, are the exception). Datetimes are ISO 8601 in UTC.
"""

from __future__ import annotations

import datetime
from typing import Any, overload

from ninja import Field, Schema

from comptoir.accounts.models import Organisation, Team, User


class ErrorDetail(Schema):
    code: str = Field(..., description="Stable, for programs: `not_found`, `invalid`, ...")
    message: str = Field(..., description="For people, in the user's language.")
    fields: dict[str, list[str]] = Field(
        default_factory=dict, description="Problems per input field, if any."
    )


class ErrorOut(Schema):
    error: ErrorDetail


class UserRef(Schema):
    id: str = Field(..., description="The user's public id.")
    name: str
    email: str | None = Field(
        None, description="Shown to agents, and to a customer for themselves."
    )


class OrganisationRef(Schema):
    id: str
    name: str


class TeamRef(Schema):
    id: str
    name: str


@overload
def utc(value: datetime.datetime) -> datetime.datetime: ...
@overload
def utc(value: None) -> None: ...
def utc(value: datetime.datetime | None) -> datetime.datetime | None:
    return value.astimezone(datetime.UTC) if value is not None else None


@overload
def user_ref(user: User, viewer: User) -> UserRef: ...
@overload
def user_ref(user: User | None, viewer: User) -> UserRef | None: ...
def user_ref(user: User | None, viewer: User) -> UserRef | None:
    if user is None:
        return None
    show_email = viewer.is_agent or user.pk == viewer.pk
    return UserRef(
        id=user.public_id, name=user.display_name, email=user.email if show_email else None
    )


def organisation_ref(organisation: Organisation | None) -> OrganisationRef | None:
    if organisation is None:
        return None
    return OrganisationRef(id=organisation.public_id, name=organisation.name)


def team_ref(team: Team | None) -> TeamRef | None:
    return TeamRef(id=team.public_id, name=team.name) if team is not None else None


def _responses(*statuses: int) -> dict[int, Any]:
    return dict.fromkeys(statuses, ErrorOut)


# The errors each kind of operation can answer, documented in the OpenAPI schema.
READ_ERRORS = _responses(400, 401, 403, 404, 422, 429)
WRITE_ERRORS = _responses(400, 401, 403, 404, 409, 422, 429)
UPLOAD_ERRORS = _responses(400, 401, 403, 404, 409, 413, 422, 429)
