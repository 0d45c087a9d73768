"""The search box's trigram indexes take new rows at once, not through a pending list.

A GIN index normally queues new entries in a "pending list" that every search scans in full
until a vacuum merges it (or it reaches 4 MB). On a freshly built 5,000-person company that
list made the search's four queries take 17 ms instead of 5: the people query fell back to a
sequential scan and the key results' recheck read three times the rows. Searching matters
more here than the small extra cost of each insert, so the lists are off and flushed.
"""

from django.db import migrations

INDEXES = (
    "objective_text_trgm_idx",  # alignment 0004, shared with the look-alike finder
    "search_kr_title_trgm_idx",
    "search_user_name_email_trgm_idx",
    "search_team_name_trgm_idx",
)


def without_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} SET (fastupdate = off)")
        schema_editor.execute(
            "SELECT gin_clean_pending_list(%s::regclass) WHERE to_regclass(%s) IS NOT NULL",
            [name, name],
        )


def with_pending_list(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"ALTER INDEX IF EXISTS {name} RESET (fastupdate)")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_trigram_indexes"), ("alignment", "0004_objective_text_trigram_index")]

    operations = [migrations.RunPython(without_pending_list, with_pending_list)]
