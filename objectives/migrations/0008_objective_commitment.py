from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("objectives", "0007_drafts")]

    operations = [
        migrations.AddField(
            model_name="objective",
            name="commitment",
            field=models.CharField(
                choices=[("committed", "Committed"), ("aspirational", "Aspirational")],
                default="committed",
                help_text=(
                    "Committed: expected to be met in full. Aspirational: about 70% is success."
                ),
                max_length=12,
            ),
        ),
    ]
