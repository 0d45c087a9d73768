"""A trigram index on objectives' text, so finding an objective's look-alikes is an index
lookup (PostgreSQL only; SQLite compares in Python)."""

from django.db import migrations

INDEX = "objective_text_trgm_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON objectives_objective "
            "USING gin ((lower(title || ' ' || description)) gin_trgm_ops)"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("alignment", "0003_similar_objectives"), ("objectives", "0002_keyresultuserobjectpermission_and_more")]

    operations = [migrations.RunPython(create_index, drop_index)]
