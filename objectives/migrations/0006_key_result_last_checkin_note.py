from django.db import migrations, models

# Each key result's latest check-in note (the same statement on PostgreSQL and SQLite).
BACKFILL = """
UPDATE objectives_keyresult SET last_checkin_note = COALESCE((
    SELECT c.note FROM checkins_checkin c WHERE c.key_result_id = objectives_keyresult.id
    ORDER BY c.created_at DESC, c.id DESC LIMIT 1
), '')
WHERE last_checkin_at IS NOT NULL
"""


class Migration(migrations.Migration):
    dependencies = [
        ("objectives", "0005_edit_versions"),
        ("checkins", "0003_kr_nudge"),
    ]

    operations = [
        migrations.AddField(
            model_name="keyresult",
            name="last_checkin_note",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
