"""Accountable GP and key worker: chosen among the staff of the teams that cover the patient's
practice (directly or through its cluster), and checked again by the service."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from caremodel.models import Role
from patients.selectors.staff import staff_choices
from patients.services.patient import patient_update_registers
from tests.caremodel.factories import UserFactory
from tests.patients.test_record_forms import registers_data

pytestmark = pytest.mark.django_db


def test_choices_are_the_staff_of_teams_covering_the_practice(
    gp, gp_b, care_coordinator, commissioner, deactivated_user, admin, p1
) -> None:
    choices = {c.pk: c for c in staff_choices(patient=p1)}
    assert set(choices) == {gp.pk, care_coordinator.pk}  # practice team directly, the cluster's team
    assert choices[gp.pk].role == Role.GP


def test_an_inactive_team_covers_nobody(gp, area, p1) -> None:
    area.practice_team_a.active = False
    area.practice_team_a.save(update_fields=["active"])
    assert staff_choices(patient=p1) == []


def test_the_form_offers_only_covering_gps_and_clinical_staff(client, gp, gp_b, care_coordinator, p1) -> None:
    client.force_login(gp)
    body = client.get(reverse("patients:edit_registers", args=[p1.public_id])).content.decode()
    gp_select = body[body.index('name="accountable_gp"') : body.index("</select>", body.index('name="accountable_gp"'))]
    worker_select = body[body.index('name="key_worker"') : body.index("</select>", body.index('name="key_worker"'))]
    assert f'value="{gp.pk}"' in gp_select
    assert f'value="{care_coordinator.pk}"' not in gp_select  # not a GP
    assert f'value="{gp_b.pk}"' not in gp_select  # another practice's GP
    assert f'value="{care_coordinator.pk}"' in worker_select
    assert f'value="{gp_b.pk}"' not in worker_select


def test_a_gp_of_another_practice_is_refused_naming_the_field(client, gp, gp_b, p1) -> None:
    client.force_login(gp)
    response = client.post(
        reverse("patients:edit_registers", args=[p1.public_id]), registers_data(p1, accountable_gp=gp_b.pk)
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert 'href="#id_accountable_gp"' in body
    assert "Accountable GP must be an active GP in a team that covers the patient&#39;s practice." in body
    p1.refresh_from_db()
    assert (p1.accountable_gp, p1.version) == (None, 1)


def test_the_service_checks_the_rule_itself(gp, gp_b, care_coordinator, commissioner, p1) -> None:
    with pytest.raises(ValidationError) as refused:
        patient_update_registers(user=gp, patient=p1, expected_version=1, changes={"accountable_gp": gp_b.pk})
    assert refused.value.message_dict == {
        "accountable_gp": ["Accountable GP must be an active GP in a team that covers Practice A."]
    }
    with pytest.raises(ValidationError) as refused:
        patient_update_registers(user=gp, patient=p1, expected_version=1, changes={"key_worker": commissioner.pk})
    assert refused.value.message_dict == {
        "key_worker": ["Key worker must be active clinical staff in a team that covers Practice A."]
    }
    p1 = patient_update_registers(
        user=gp, patient=p1, expected_version=1, changes={"accountable_gp": gp.pk, "key_worker": care_coordinator.pk}
    )
    assert (p1.accountable_gp, p1.key_worker, p1.version) == (gp, care_coordinator, 2)


def test_a_gp_who_has_left_cannot_be_named(gp, area, p1) -> None:
    leaver = UserFactory(username="gp.left", role=Role.GP, is_active=False, teams=[area.practice_team_a])
    with pytest.raises(ValidationError):
        patient_update_registers(user=gp, patient=p1, expected_version=1, changes={"accountable_gp": leaver.pk})
