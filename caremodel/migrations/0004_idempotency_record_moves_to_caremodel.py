"""Idempotency-Keys serve every app's API, so the record moves from patients to caremodel. The table
is kept (renamed), with its rows and its unique constraint; patients 0009 drops the old model state."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caremodel", "0003_registers_carers_events"),
        ("patients", "0008_event_source_ids_c_collation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyRecord",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("key", models.CharField(max_length=255)),
                        ("scope", models.CharField(help_text="Which endpoint the key was used on.", max_length=64)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("response_status", models.PositiveSmallIntegerField()),
                        ("response_body", models.JSONField()),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "user",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "db_table": "patients_idempotencyrecord",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("user", "scope", "key"), name="idempotency_unique_key_per_client"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.AlterModelTable(name="IdempotencyRecord", table=None),
    ]
