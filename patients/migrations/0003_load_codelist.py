from django.db import migrations


def load(apps, schema_editor):  # type: ignore[no-untyped-def]
    from patients.codelist import CODES

    ClinicalCode = apps.get_model("patients", "ClinicalCode")
    for entry in CODES:
        ClinicalCode.objects.update_or_create(
            code=entry.code,
            defaults={
                "term": entry.term,
                "is_snomed": entry.is_snomed,
                "long_term_condition": entry.long_term_condition,
                "frailty_deficit": entry.frailty_deficit,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("patients", "0002_registers_carers_events")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
