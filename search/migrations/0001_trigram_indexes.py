"""Trigram indexes for the search box (PostgreSQL only; SQLite scans, as `make run` is small).

Each index is on exactly the expression ``search.selectors`` matches with ``LIKE '%…%'``;
objectives use ``alignment``'s ``objective_text_trgm_idx`` (lower(title || ' ' || description)).
"""

from django.db import migrations

INDEXES = {
    "search_kr_title_trgm_idx": ("objectives_keyresult", "lower(title)"),
    "search_user_name_email_trgm_idx": ("accounts_user", "lower(full_name || ' ' || email)"),
    "search_team_name_trgm_idx": ("organizations_team", "lower(name)"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, expression) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0004_objective_text_trigram_index"),  # pg_trgm and the objectives' index
        ("objectives", "0004_objective_period_title_index"),
        ("organizations", "0003_company_settings_and_getting_started"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
