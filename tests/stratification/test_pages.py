"""Risk pages through the test client: scoped, audited, filtered, exported, and constant in queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from caremodel.models import AuditAction, AuditEvent
from patients.models import EventKind
from stratification.models import RiskModel
from tests.patients.factories import PatientFactory
from tests.stratification.factories import AS_OF, add_event, hand_model

pytestmark = pytest.mark.django_db


@pytest.fixture
def published(area, p1, p2, start_run):
    hand_model()
    for days in (3, 40):
        add_event(p1, EventKind.EMERGENCY_ADMISSION, AS_OF - datetime.timedelta(days=days))
    return start_run(as_of=AS_OF)


def test_the_list_shows_related_patients_only_and_audits_each_row(client, gp, p1, p2, published) -> None:
    client.force_login(gp)
    response = client.get(reverse("stratification:list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "LOVELACE, Ada" in body and "Hidden" not in body
    assert "2 emergency admissions in the last 12 months" in body
    listed = AuditEvent.objects.filter(action=AuditAction.LIST, resource="risk_list")
    assert set(listed.values_list("patient_id", flat=True)) == {p1.pk}


def test_filters_narrow_the_list_and_bad_filters_say_why(client, gp, p1, published) -> None:
    client.force_login(gp)
    assert "LOVELACE" not in client.get(reverse("stratification:list"), {"band": "low", "age_max": 20}).content.decode()
    assert (
        "LOVELACE"
        in client.get(reverse("stratification:list"), {"practice": p1.registered_practice_id}).content.decode()
    )
    bad = client.get(reverse("stratification:list"), {"age_min": 90, "age_max": 60, "band": "purple"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "&#39;Aged up to&#39; must be the same as or more than &#39;Aged from&#39;." in body
    assert "Select a valid choice. purple is not one of the available choices." in body


def test_csv_export_is_scoped_audited_and_safe_for_spreadsheets(client, gp, area, p2, published) -> None:
    client.force_login(gp)
    response = client.get(reverse("stratification:export"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    text = b"".join(response.streaming_content).decode()
    lines = text.strip().splitlines()
    assert lines[0].startswith("NHS number,Family name")
    assert len(lines) == 2 and "Lovelace" in lines[1] and "Hidden" not in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, resource="risk_list").count() == 1


def test_csv_cells_that_look_like_formulas_stay_text(client, gp, area, start_run) -> None:
    hand_model()
    PatientFactory(registered_practice=area.practice_a, family_name="=HYPERLINK(1)")
    start_run(as_of=AS_OF)
    client.force_login(gp)
    text = b"".join(client.get(reverse("stratification:export")).streaming_content).decode()
    assert "'=HYPERLINK(1)" in text


def test_commissioners_get_403_and_no_patient_data(client, commissioner, p1, published) -> None:
    client.force_login(commissioner)
    for url in (
        reverse("stratification:list"),
        reverse("stratification:export"),
        reverse("stratification:patient_panel", args=[p1.public_id]),
    ):
        response = client.get(url)
        assert response.status_code == 403
        assert "Lovelace" not in response.content.decode()


def test_the_patient_panel_shows_band_reasons_and_is_audited(client, gp, p1, p2, published) -> None:
    client.force_login(gp)
    response = client.get(reverse("stratification:patient_panel", args=[p1.public_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Risk and frailty" in body and "2 emergency admissions in the last 12 months" in body
    assert AuditEvent.objects.filter(patient_id=p1.pk, resource="risk_panel", action=AuditAction.VIEW).exists()
    denied = client.get(reverse("stratification:patient_panel", args=[p2.public_id]))
    assert denied.status_code == 404 and "Hidden" not in denied.content.decode()
    record = client.get(reverse("patients:detail", args=[p1.public_id])).content.decode()
    assert f'hx-get="{reverse("stratification:patient_panel", args=[p1.public_id])}"' in record


def test_new_and_risen_markers_after_a_second_run(client, gp, area, p1, published, start_run) -> None:
    for days in (5, 6, 7):
        add_event(p1, EventKind.EMERGENCY_ADMISSION, AS_OF - datetime.timedelta(days=days))
    for _ in range(60):
        PatientFactory(registered_practice=area.practice_b)
    start_run(as_of=AS_OF)
    client.force_login(gp)
    body = client.get(reverse("stratification:list")).content.decode()
    squashed = "".join(body.split())
    assert '<strongclass="nhsuk-tagnhsuk-tag--blue">New</strong>' in squashed


def test_administrators_see_runs_and_the_model_calibration(client, admin, published) -> None:
    RiskModel.objects.filter(is_active=True).update(
        metrics={
            "auroc": 0.777,
            "validation": "5-fold",
            "calibration": [{"decile": 1, "patients": 10, "predicted": 0.01, "observed": 0.02}],
        },
        fitted_on={"as_of": "2025-06-01", "patients": 10, "events": 1},
    )
    client.force_login(admin)
    body = client.get(reverse("stratification:runs")).content.decode()
    assert "Published" in body and "0.777" in body and "Calibration" in body


def test_the_list_makes_the_same_number_of_queries_for_1_and_30_rows(client, gp, area, start_run) -> None:
    hand_model()
    PatientFactory(registered_practice=area.practice_a)
    start_run(as_of=AS_OF)
    client.force_login(gp)
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("stratification:list"))
    for _ in range(29):
        PatientFactory(registered_practice=area.practice_a)
    start_run(as_of=AS_OF)
    with CaptureQueriesContext(connection) as many:
        assert "30 people" in client.get(reverse("stratification:list")).content.decode()
    assert len(one.captured_queries) == len(many.captured_queries)
