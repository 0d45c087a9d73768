"""The history's company key, in PostgreSQL, with ON DELETE CASCADE: deleting a company
empties its tables one raw DELETE at a time (organizations.deletion), and the triggers record
those deletions as they go; the company row, deleted last, takes them all with it. Django 5.2
cannot declare a database-level cascade, hence SQL. SQLite records no history: nothing to do."""

from django.db import migrations

ADD = """
ALTER TABLE history_change
  ADD CONSTRAINT history_change_org_cascade FOREIGN KEY (org_id)
  REFERENCES organizations_organization (id) ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
"""
DROP = "ALTER TABLE history_change DROP CONSTRAINT history_change_org_cascade"


def add(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ADD)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [migrations.RunPython(add, drop)]
