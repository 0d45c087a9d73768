from django.db import migrations, models


def publish_existing(apps, schema_editor):
    """Every objective written before drafts existed is published (a "draft" status was
    only a label then: those counted everywhere, and keep counting)."""
    Objective = apps.get_model("objectives", "Objective")
    Objective.objects.filter(status="draft").update(status="active")


class Migration(migrations.Migration):
    dependencies = [("objectives", "0006_key_result_last_checkin_note")]

    operations = [
        migrations.AlterField(
            model_name="objective",
            name="status",
            field=models.CharField(
                choices=[
                    ("draft", "Draft"),
                    ("submitted", "Submitted for review"),
                    ("active", "Active"),
                    ("done", "Done"),
                    ("abandoned", "Abandoned"),
                ],
                default="active",
                max_length=10,
            ),
        ),
        migrations.RunPython(publish_existing, migrations.RunPython.noop),
    ]
