"""The demo population comes with registers, carers, care homes and activity to show."""

import pytest
from django.core.management import call_command
from django.db.models import Count

from patients.models import ActivityEvent, Patient, PatientCondition


@pytest.mark.django_db
def test_load_demo_builds_a_record_worth_showing() -> None:
    call_command("load_demo", patients=600, quiet_logins=True)
    assert Patient.objects.exclude(search_family="").count() == 600
    assert PatientCondition.objects.exists() and ActivityEvent.objects.filter(kind="emergency_admission").exists()
    per_patient = Patient.objects.annotate(n=Count("conditions"))
    older = [p.n for p in per_patient if p.date_of_birth.year < 1950]
    younger = [p.n for p in per_patient if p.date_of_birth.year > 1985]
    assert sum(older) / len(older) > sum(younger) / len(younger)
