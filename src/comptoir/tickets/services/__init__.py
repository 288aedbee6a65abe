"""Every write to tickets goes through these services, whatever the channel.

``do_*`` trusted operations validate values, write in one transaction, record history
and emit events after commit. ``check_*`` verify the actor's rights, then call ``do_*``.
"""

from comptoir.tickets.services.conversation import (
    check_add_message,
    do_add_message,
)
from comptoir.tickets.services.lifecycle import (
    UNSET,
    BulkResult,
    check_open_ticket,
    check_update_ticket,
    do_bulk_update,
    do_open_ticket,
    do_update_ticket,
)
from comptoir.tickets.services.relations import (
    check_merge_tickets,
    do_add_follower,
    do_link_problem,
    do_merge_tickets,
    do_remove_follower,
)
from comptoir.tickets.services.saved_views import (
    check_create_saved_view,
    check_delete_saved_view,
    check_update_saved_view,
    do_create_saved_view,
    do_delete_saved_view,
    do_update_saved_view,
)

__all__ = [
    "UNSET",
    "BulkResult",
    "check_add_message",
    "check_create_saved_view",
    "check_delete_saved_view",
    "check_merge_tickets",
    "check_open_ticket",
    "check_update_saved_view",
    "check_update_ticket",
    "do_add_follower",
    "do_add_message",
    "do_bulk_update",
    "do_create_saved_view",
    "do_delete_saved_view",
    "do_link_problem",
    "do_merge_tickets",
    "do_open_ticket",
    "do_remove_follower",
    "do_update_saved_view",
    "do_update_ticket",
]
