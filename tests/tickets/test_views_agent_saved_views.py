"""Saved views: the editor, and the services behind it (owner or administrator only)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from comptoir.core.choices import Source
from comptoir.tickets import services
from comptoir.tickets.exceptions import InvalidInput, NotAllowed
from comptoir.tickets.models import SavedView
from tests.factories import make_category

pytestmark = pytest.mark.django_db

NEW = reverse("agent_tickets:view_new")


def create(owner, **overrides) -> SavedView:
    values = {
        "name": "Urgent", "filters": {"priority": ["urgent"]}, "sort": "-updated_at",
        "columns": ["number", "subject"], "shared": False, **overrides,
    }  # fmt: skip
    return services.check_create_saved_view(owner, **values, source=Source.WEB)


# --- Services ------------------------------------------------------------------------------


def test_an_agent_saves_a_view_and_an_event_is_emitted(alice, committed):
    with committed() as events:
        view = create(
            alice, filters={"status": ["pending", "open"], "assignee": "me", "q": " vpn "}
        )

    assert view.owner == alice
    assert view.filters == {"status": ["open", "pending"], "assignee": "me", "q": "vpn"}
    assert [event.type for event in events] == ["saved_view.created"]


def test_customers_cannot_save_views(dave):
    with pytest.raises(NotAllowed):
        create(dave)


def test_unknown_filters_sorts_and_columns_are_refused(alice):
    with pytest.raises(InvalidInput) as unknown_filter:
        create(alice, filters={"colour": "red"})
    with pytest.raises(InvalidInput) as bad_status:
        create(alice, filters={"status": ["lost"]})
    with pytest.raises(InvalidInput) as bad_sort:
        create(alice, sort="random")
    with pytest.raises(InvalidInput) as no_link:
        create(alice, columns=["status", "priority"])

    assert "filters" in unknown_filter.value.errors
    assert "status" in bad_status.value.errors
    assert "sort" in bad_sort.value.errors
    assert "columns" in no_link.value.errors


def test_only_the_owner_or_an_administrator_changes_a_view(alice, bob, admin_user):
    view = create(alice, shared=True)

    with pytest.raises(NotAllowed):
        services.check_update_saved_view(bob, view, name="Mine now", source=Source.WEB)
    with pytest.raises(NotAllowed):
        services.check_delete_saved_view(bob, view, source=Source.WEB)

    services.check_update_saved_view(admin_user, view, name="Renamed", source=Source.WEB)
    view.refresh_from_db()
    assert view.name == "Renamed"
    services.check_delete_saved_view(alice, view, source=Source.WEB)
    assert not SavedView.objects.exists()


# --- The editor -----------------------------------------------------------------------------


def test_the_editor_saves_a_view_from_what_the_agent_chose(client, alice, dave):
    category = make_category("Hardware")
    client.force_login(alice)

    response = client.post(
        NEW,
        {
            "name": "Acme hardware", "shared": "on", "sort": "-priority",
            "columns": ["number", "subject", "priority"], "status": ["open", "new"],
            "category": str(category.pk), "requester": "DAVE@acme.example", "organisation": "acme",
            "assignee": "nobody", "team": "mine", "created_after": "2026-01-01",
        },
    )  # fmt: skip

    view = SavedView.objects.get()
    assert response.url == f"{reverse('agent_tickets:list')}?view=saved-{view.pk}"
    assert view.filters == {
        "status": ["new", "open"], "category": category.pk, "requester": dave.public_id,
        "organisation": dave.organisation.public_id, "assignee": "nobody", "team": "mine",
        "created_after": "2026-01-01",
    }  # fmt: skip
    assert (view.sort, view.columns, view.shared) == (
        "-priority",
        ["number", "subject", "priority"],
        True,
    )


def test_the_editor_starts_from_the_filters_of_the_list_it_was_opened_from(client, alice):
    client.force_login(alice)

    form = client.get(NEW, {"view": "mine", "priority": "urgent", "sort": "due"}).context["form"]

    # "My tickets" itself (mine, unsolved) and what the agent filtered on top.
    assert form.initial["assignee"] == "me"
    assert form.initial["status"] == ["new", "open", "pending", "on_hold"]
    assert form.initial["priority"] == ["urgent"]
    assert form.initial["sort"] == "due"


def test_an_invalid_view_is_shown_again_with_what_was_typed(client, alice):
    client.force_login(alice)

    response = client.post(
        NEW, {"name": "Broken", "sort": "-updated_at", "columns": ["status"], "tag": "vip"}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["columns"]
    page = response.content.decode()
    assert 'value="Broken"' in page and 'value="vip"' in page
    assert not SavedView.objects.exists()


def test_editing_shows_people_by_email_and_saves_changes(client, alice, dave):
    view = create(alice, filters={"requester": dave.public_id})
    client.force_login(alice)
    edit = reverse("agent_tickets:view_edit", args=[view.pk])

    assert client.get(edit).context["form"].initial["requester"] == "dave@acme.example"
    client.post(edit, {"name": "Dave's", "sort": "number", "columns": ["number"]})

    view.refresh_from_db()
    assert (view.name, view.filters, view.sort) == ("Dave's", {}, "number")


def test_another_agent_cannot_edit_or_delete_a_shared_view(client, alice, bob):
    view = create(alice, shared=True)
    client.force_login(bob)

    assert client.get(reverse("agent_tickets:view_edit", args=[view.pk])).status_code == 403
    assert client.post(reverse("agent_tickets:view_delete", args=[view.pk])).status_code == 403
    assert SavedView.objects.filter(pk=view.pk).exists()


def test_a_private_view_of_someone_else_does_not_exist_for_me(client, alice, bob):
    view = create(alice)
    client.force_login(bob)

    assert client.get(reverse("agent_tickets:view_edit", args=[view.pk])).status_code == 404


def test_the_owner_deletes_a_view(client, alice):
    view = create(alice)
    client.force_login(alice)

    response = client.post(reverse("agent_tickets:view_delete", args=[view.pk]))

    assert response.status_code == 302
    assert not SavedView.objects.exists()


def test_customers_cannot_open_the_editor(client, dave):
    client.force_login(dave)
    assert client.get(NEW).status_code == 403
