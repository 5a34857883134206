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


@pytest.mark.django_db
def test_load_demo_names_an_accountable_gp_for_every_over_75_from_a_covering_team() -> None:
    from django.utils import timezone

    from patients.ages import age_on
    from patients.selectors.staff import covering_staff

    call_command("load_demo", patients=400, quiet_logins=True)
    today = timezone.localdate()
    older = [p for p in Patient.objects.select_related("registered_practice") if age_on(p.date_of_birth, today) >= 75]
    assert older
    for patient in older:
        assert patient.accountable_gp is not None, patient.pk
        gps = covering_staff(practice=patient.registered_practice).filter(role="gp")
        assert gps.filter(pk=patient.accountable_gp_id).exists()
