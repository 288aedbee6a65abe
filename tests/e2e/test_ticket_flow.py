"""A request's whole life in the browser: the customer asks, the agent answers, the
customer says it is solved. Each story runs in English and in French.

The people's profile language decides the interface (their browsers stay English), and
every label, message and status explanation is looked for in that language: the French
run fails if the French interface is not really shown.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Locator, Page, expect

from comptoir.accounts.choices import Language
from comptoir.accounts.models import User
from comptoir.accounts.services import do_set_language
from comptoir.core.choices import Source
from comptoir.tickets.choices import FieldKind, MessageKind, Status
from comptoir.tickets.models import Category, Ticket
from tests.e2e.conftest import PageFactory
from tests.e2e.flows import log_in
from tests.factories import PASSWORD, make_category

pytestmark = pytest.mark.e2e

SUBJECT = "Invoice 2041 charged twice"
DESCRIPTION = "My card was charged **twice** for invoice 2041.\n\n- once on Monday\n- again today"
ORDER_NUMBER = "A-2041"
FILE_NAME = "bank-statement.txt"
FILE_CONTENT = b"2041  -49.00 EUR\n2041  -49.00 EUR\n"
REPLY = "Sorry about that: the second charge is refunded, you will see it within 3 days."
NOTE = "Refund 2041-R issued by hand; check the payment gateway's retry setting."


@dataclass(frozen=True)
class Ui:
    """What the interface says, in one language (from the project's catalogue)."""

    language: Language
    # The category's own words (the custom field has an English and a French label).
    category: str
    order_number: str
    # The customer portal.
    main_nav: str
    new_request: str
    subject: str
    category_label: str
    description: str
    attachments: str
    remove: str
    send_request: str
    request_sent: str
    conversation: str
    status: str
    details: str
    received: str
    working: str
    support_team: str
    this_is_solved: str
    marked_solved: str
    solved: str
    solved_explanation: str
    needs_attention: str
    required: str
    # The agent workspace.
    queues: str
    unassigned: str
    ticket_heading: str
    composer: str
    message: str
    public_reply: str
    internal_note: str
    send: str
    reply_sent: str
    note_added: str


ENGLISH = Ui(
    language=Language.ENGLISH,
    category="Orders",
    order_number="Order number",
    main_nav="Main",
    new_request="New request",
    subject="Subject",
    category_label="Category",
    description="Description",
    attachments="Attachments",
    remove="Remove",
    send_request="Send my request",
    request_sent="Your request #{number} has been sent. We will answer you here and by email.",
    conversation="Conversation",
    status="Status",
    details="Details",
    received="We have received your request and will look at it shortly.",
    working="Our team is working on your request.",
    support_team="Support team",
    this_is_solved="This is solved",
    marked_solved="Thank you! Your request is marked as solved.",
    solved="Solved",
    solved_explanation=(
        "We believe this is solved. Reply within a few days if it is not, and the request reopens."
    ),
    needs_attention="Some fields need attention: see the messages below.",
    required="This field is required.",
    queues="Ticket queues",
    unassigned="Unassigned",
    ticket_heading="Ticket #{number}",
    composer="Reply or add a note",
    message="Message",
    public_reply="Public reply",
    internal_note="Internal note",
    send="Send",
    reply_sent="Your reply was sent.",
    note_added="Your note was added.",
)

FRENCH = Ui(
    language=Language.FRENCH,
    category="Orders (fr)",
    order_number="Numéro de commande",
    main_nav="Navigation principale",
    new_request="Nouvelle demande",
    subject="Objet",
    category_label="Catégorie",
    description="Description",
    attachments="Pièces jointes",
    remove="Retirer",
    send_request="Envoyer ma demande",
    request_sent=(
        "Votre demande n° {number} a été envoyée. Nous vous répondrons ici et par e-mail."
    ),
    conversation="Conversation",
    status="Statut",
    details="Détails",
    received="Nous avons bien reçu votre demande et allons l'examiner rapidement.",
    working="Notre équipe traite votre demande.",
    support_team="Équipe d'assistance",
    this_is_solved="C'est résolu",
    marked_solved="Merci ! Votre demande est marquée comme résolue.",
    solved="Résolu",
    solved_explanation=(
        "Nous pensons que le problème est résolu. Si ce n'est pas le cas, répondez dans les "
        "prochains jours : la demande sera rouverte."
    ),
    needs_attention="Certains champs sont à revoir : consultez les messages ci-dessous.",
    required="Ce champ est obligatoire.",
    queues="Files de tickets",
    unassigned="Sans responsable",
    ticket_heading="Ticket n° {number}",
    composer="Répondre ou ajouter une note",
    message="Message",
    public_reply="Réponse publique",
    internal_note="Note interne",
    send="Envoyer",
    reply_sent="Votre réponse a été envoyée.",
    note_added="Votre note a été ajoutée.",
)


@pytest.fixture(params=[ENGLISH, FRENCH], ids=["en", "fr"])
def ui(request: pytest.FixtureRequest) -> Ui:
    return request.param


@pytest.fixture
def orders(db: None) -> Category:
    """A category asking for one required text field."""
    return make_category(
        "Orders",
        fields=[
            {
                "key": "order",
                "label": "Order number",
                "label_fr": "Numéro de commande",
                "kind": FieldKind.TEXT,
                "required": True,
            }
        ],
    )


def speaks(user: User, ui: Ui) -> User:
    """Set the person's profile language, as their profile page would."""
    return do_set_language(user, ui.language, source=Source.SYSTEM)


def signed_in(new_page: PageFactory, user: User, ui: Ui) -> Page:
    """A browser of its own (English-speaking: the profile decides), signed in by the form."""
    page = new_page()
    log_in(page, user.email, PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", ui.language)
    return page


def notice(page: Page) -> Locator:
    """The flash messages shown after an action."""
    return page.get_by_role("status").filter(has=page.locator("li.message"))


def fill_new_request(page: Page, ui: Ui, *, order_number: str) -> None:
    """Go to "New request" from the portal's menu and fill the form (not sending it)."""
    page.get_by_role("navigation", name=ui.main_nav).get_by_role(
        "link", name=ui.new_request, exact=True
    ).click()
    expect(page.get_by_role("heading", name=ui.new_request, level=1)).to_be_visible()
    # htmx wires the category menu up once the page has loaded: choose only then.
    page.wait_for_load_state()
    page.get_by_label(ui.subject, exact=True).fill(SUBJECT)
    # Optional fields' labels end with "(optional)".
    page.get_by_label(ui.category_label).select_option(label=ui.category)
    # Choosing the category brings its own fields into the form.
    page.get_by_label(ui.order_number, exact=True).fill(order_number)
    page.get_by_label(ui.description, exact=True).fill(DESCRIPTION)


def test_request_asked_answered_and_solved(
    new_page: PageFactory, ui: Ui, dave: User, alice: User, orders: Category
) -> None:
    speaks(dave, ui)
    speaks(alice, ui)

    # 1. Dave asks, with the category's field, Markdown and a file.
    customer = signed_in(new_page, dave, ui)
    fill_new_request(customer, ui, order_number=ORDER_NUMBER)
    customer.get_by_label(ui.attachments).set_input_files(
        {"name": FILE_NAME, "mimeType": "text/plain", "buffer": FILE_CONTENT}
    )
    # The drop zone lists the chosen file, with a button to take it out again.
    expect(customer.get_by_role("button", name=f"{ui.remove} {FILE_NAME}")).to_be_visible()
    customer.get_by_role("button", name=ui.send_request).click()

    expect(customer).to_have_url(re.compile(r"/portal/tickets/\d+/$"))
    ticket = Ticket.objects.get(subject=SUBJECT)
    assert ticket.requester == dave
    assert ticket.team is None
    expect(notice(customer)).to_have_text(ui.request_sent.format(number=ticket.number))
    expect(customer.get_by_role("heading", name=SUBJECT, level=1)).to_be_visible()
    status = customer.get_by_role("region", name=ui.status, exact=True)
    expect(status).to_contain_text(ui.received)
    details = customer.get_by_role("region", name=ui.details, exact=True)
    expect(details).to_contain_text(ui.category)
    expect(details.locator("dt", has_text=ui.order_number).locator("+ dd")).to_have_text(
        ORDER_NUMBER
    )
    conversation = customer.get_by_role("region", name=ui.conversation, exact=True)
    # The description is shown as Markdown: bold and a list.
    expect(conversation.locator("strong", has_text="twice")).to_be_visible()
    expect(
        conversation.get_by_role("article").get_by_role("listitem").filter(has_text="again today")
    ).to_be_visible()
    attachment = conversation.get_by_role("link", name=FILE_NAME)
    expect(attachment).to_be_visible()
    with customer.expect_download() as download:
        attachment.click()
    assert download.value.suggested_filename == FILE_NAME
    assert download.value.path().read_bytes() == FILE_CONTENT

    # 2. Alice finds it among the unassigned tickets, answers, and adds a note.
    agent = signed_in(new_page, alice, ui)
    agent.get_by_role("navigation", name=ui.queues).get_by_role(
        "link", name=ui.unassigned, exact=True
    ).click()
    agent.get_by_role("link", name=SUBJECT, exact=True).click()

    expect(
        agent.get_by_role("heading", name=ui.ticket_heading.format(number=ticket.number))
    ).to_be_visible()
    thread = agent.get_by_role("region", name=ui.conversation, exact=True)
    expect(thread.get_by_role("article").filter(has_text="again today")).to_contain_text(
        dave.full_name
    )
    expect(thread.get_by_role("link", name=FILE_NAME)).to_be_visible()

    composer = agent.get_by_role("region", name=ui.composer)
    expect(composer.get_by_role("radio", name=ui.public_reply)).to_be_checked()
    composer.get_by_label(ui.message, exact=True).fill(REPLY)
    composer.get_by_role("button", name=ui.send, exact=True).click()
    expect(notice(agent)).to_have_text(ui.reply_sent)
    expect(thread.get_by_role("article").filter(has_text=REPLY)).to_contain_text(alice.full_name)

    composer.get_by_role("radio", name=ui.internal_note).check()
    composer.get_by_label(ui.message, exact=True).fill(NOTE)
    composer.get_by_role("button", name=ui.send, exact=True).click()
    expect(notice(agent)).to_have_text(ui.note_added)
    expect(thread.get_by_role("article").filter(has_text=NOTE)).to_contain_text(ui.internal_note)
    assert list(ticket.messages.order_by("id").values_list("kind", flat=True)) == [
        MessageKind.REPLY,
        MessageKind.REPLY,
        MessageKind.NOTE,
    ]

    # 3. Dave reads the answer (never the note) and says it is solved.
    customer.reload()
    expect(conversation.get_by_role("article").filter(has_text=REPLY)).to_contain_text(
        ui.support_team
    )
    expect(conversation.get_by_text(NOTE)).to_have_count(0)
    expect(status).to_contain_text(ui.working)

    status.get_by_role("button", name=ui.this_is_solved).click()

    expect(notice(customer)).to_have_text(ui.marked_solved)
    expect(status.get_by_text(ui.solved, exact=True)).to_be_visible()
    expect(status).to_contain_text(ui.solved_explanation)
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert ticket.history.filter(
        field="status", old=Status.OPEN, new=Status.SOLVED, actor=dave
    ).exists()


def test_new_request_without_the_categorys_required_field_is_refused_keeping_the_text(
    new_page: PageFactory, ui: Ui, dave: User, orders: Category
) -> None:
    speaks(dave, ui)
    customer = signed_in(new_page, dave, ui)
    fill_new_request(customer, ui, order_number="")

    customer.get_by_role("button", name=ui.send_request).click()

    expect(customer.get_by_role("alert")).to_have_text(ui.needs_attention)
    field = customer.get_by_label(ui.order_number, exact=True)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_accessible_description(re.compile(re.escape(ui.required)))
    expect(customer.get_by_label(ui.subject, exact=True)).to_have_value(SUBJECT)
    expect(customer.get_by_label(ui.description, exact=True)).to_have_value(DESCRIPTION)
    expect(customer.get_by_label(ui.category_label)).to_have_value(str(orders.pk))
    assert not Ticket.objects.exists()
