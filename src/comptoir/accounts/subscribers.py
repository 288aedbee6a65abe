"""Accounts subscribers: live notices to the people a change concerns."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from comptoir.accounts.models import Team, User
from comptoir.core.events import Event, subscriber
from comptoir.core.realtime import push, user_group


@subscriber("team.member_added")
def notify_new_team_member(event: Event) -> None:
    user = User.objects.filter(public_id=event.payload["user"]).first()
    team = Team.objects.filter(public_id=event.payload["team"]).first()
    if user is None or team is None:
        return
    # The notice is worded in the recipient's language, not the actor's.
    with translation.override(user.language):
        text = _("You were added to the team %(team)s.") % {"team": team.name}
    push(user_group(user.public_id), "notify", {"level": "info", "text": text})
