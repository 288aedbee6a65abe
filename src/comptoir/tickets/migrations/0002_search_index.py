# The full-text index of tickets, one per database engine (see docs/development/search.md).
#
# Both engines get the TicketSearchDocument table (so Django's state, cascades and dumps
# agree everywhere). Then, by vendor:
# - SQLite: the FTS5 table tickets_search_fts, which holds the documents there;
# - PostgreSQL: the unaccent extension when allowed (search stays accent-sensitive if
#   not), the comptoir_unaccent() wrapper, and a GIN index on the tsvector column.
# The index starts empty: run `comptoir manage reindex_tickets` on a database that
# already holds tickets.

import logging

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import DatabaseError, migrations, models, transaction

logger = logging.getLogger(__name__)

FTS_TABLE = "tickets_search_fts"
DOCUMENTS = "tickets_ticketsearchdocument"


def _install_unaccent(schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS unaccent")
        except DatabaseError as exc:
            logger.warning("unaccent unavailable, search will be accent-sensitive: %s", exc)
        cursor.execute(
            "SELECT n.nspname FROM pg_extension e "
            "JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'unaccent'"
        )
        row = cursor.fetchone()
    if row is None:
        body = "SELECT $1"
    else:
        schema = connection.ops.quote_name(row[0])
        body = f"SELECT {schema}.unaccent('{schema}.unaccent'::regdictionary, $1)"
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION comptoir_unaccent(text) RETURNS text "
        f"LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$ {body} $$"
    )


def create_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
            "title, body, notes, tokenize = 'unicode61 remove_diacritics 2', prefix = '3')"
        )
    elif vendor == "postgresql":
        _install_unaccent(schema_editor)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS tickets_search_document_gin ON {DOCUMENTS} "
            "USING gin (document)"
        )
        # The planner picks between "matches first" and "newest tickets first, checking
        # each" from how many tickets it thinks a word matches: keep stats on 10x more
        # words than the default so rare words are known to be rare.
        schema_editor.execute(
            f"ALTER TABLE {DOCUMENTS} ALTER COLUMN document SET STATISTICS 1000"
        )


def drop_search_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        # The GIN index goes with the table; the extension may serve others and stays.
        schema_editor.execute("DROP FUNCTION IF EXISTS comptoir_unaccent(text)")


class Migration(migrations.Migration):

    dependencies = [
        ('tickets', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='TicketSearchDocument',
            fields=[
                ('ticket', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, primary_key=True, related_name='search_document', serialize=False, to='tickets.ticket', verbose_name='ticket')),
                ('document', django.contrib.postgres.search.SearchVectorField(null=True, verbose_name='document')),
            ],
            options={
                'verbose_name': 'ticket search document',
                'verbose_name_plural': 'ticket search documents',
                'ordering': ['ticket'],
            },
        ),
        migrations.RunPython(create_search_index, drop_search_index, elidable=False),
    ]
