"""The Idempotency-Key record now belongs to caremodel (caremodel 0004 took over its table)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0008_event_source_ids_c_collation"),
        ("caremodel", "0004_idempotency_record_moves_to_caremodel"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="IdempotencyRecord")]),
    ]
