"""Enable pg_trgm on PostgreSQL (duplicate detection); a no-op on SQLite."""

from django.db import migrations


def enable_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")


class Migration(migrations.Migration):
    dependencies = [("alignment", "0001_initial")]

    operations = [migrations.RunPython(enable_trigram, migrations.RunPython.noop)]
