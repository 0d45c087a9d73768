# The alignment history joins the one audit trail (audit.AuditEntry): its rows are copied
# there, then the table goes.

from django.db import migrations


def copy_events(apps, schema_editor):
    AlignmentEvent = apps.get_model("alignment", "AlignmentEvent")
    AuditEntry = apps.get_model("audit", "AuditEntry")
    entries = []
    for event in AlignmentEvent.objects.select_related("objective").iterator():
        if event.to_parent_id is None:
            action = "objective.unlink"
        else:
            action = "objective.realign" if event.from_parent_id else "objective.align"
        entries.append(
            AuditEntry(
                org_id=event.org_id,
                actor_id=event.actor_id,
                action=action,
                target_type="objectives.objective",
                target_id=event.objective_id,
                target_label=event.objective.title[:255],
                changes={"parent": [event.from_parent_id, event.to_parent_id]},
                created_at=event.created_at,
            )
        )
    AuditEntry.objects.bulk_create(entries, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("alignment", "0006_duplicate_dismissal"),
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(copy_events, migrations.RunPython.noop),
        migrations.DeleteModel(name="AlignmentEvent"),
    ]
