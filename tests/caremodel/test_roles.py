"""Roles are never given by default, superuser status never stands in for a role, and every change to
a role or a team is audited (issue: holes found when probed as an attacker would, point 1)."""

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from caremodel.models import AuditAction, AuditEvent, AuditOutcome, Role, Team, TeamMembership, User

pytestmark = pytest.mark.django_db

PATIENT_PAGES = ("patients:list", "patients:lookup", "stratification:list", "stratification:export")


def test_an_account_made_without_a_role_sees_no_patient(client, area, p1) -> None:
    """Made as the admin form, createsuperuser or any code path does: no role, even in P1's team."""
    newcomer = User.objects.create_user(username="newcomer", password="a-long-enough-password")
    TeamMembership.objects.create(team=area.practice_team_a, user=newcomer)
    assert newcomer.role == ""
    client.force_login(newcomer)
    for name in PATIENT_PAGES:
        assert client.get(reverse(name)).status_code == 403, name
    assert client.get(reverse("patients:detail", args=[p1.public_id])).status_code == 403
    home = client.get(reverse("home"))
    assert "Your account has no role yet" in home.content.decode()
    api = APIClient()
    api.force_authenticate(newcomer)
    assert api.get(reverse("api-patient-detail", args=[p1.public_id])).status_code == 403
    assert api.post(reverse("api-patient-lookup"), {"nhs_number": p1.nhs_number}, format="json").status_code == 403
    refusals = AuditEvent.objects.filter(user_id=newcomer.pk, outcome=AuditOutcome.DENIED)
    assert refusals.count() >= len(PATIENT_PAGES) + 3
    assert {event.detail["reason"] for event in refusals} == {"no role given yet"}


def test_createsuperuser_gives_no_role_and_no_patient(client, area, p1) -> None:
    call_command("createsuperuser", username="root", email="root@example.org", interactive=False, verbosity=0)
    root = User.objects.get(username="root")
    assert (root.is_superuser, root.role) == (True, "")
    client.force_login(root)
    assert client.get(reverse("patients:list")).status_code == 403
    assert client.get(reverse("patients:duplicates")).status_code == 403
    assert client.get(reverse("stratification:runs")).status_code == 403


def test_a_superuser_commissioner_still_sees_aggregates_only(client, area, commissioner, p1) -> None:
    commissioner.is_superuser = commissioner.is_staff = True
    commissioner.save()
    client.force_login(commissioner)
    for name in ("patients:list", "patients:duplicates", "patients:pending_matches", "patients:import_upload"):
        response = client.get(reverse(name))
        assert response.status_code == 403, name
        assert p1.family_name not in response.content.decode()
    assert client.get(reverse("patients:detail", args=[p1.public_id])).status_code == 403
    api = APIClient()
    api.force_authenticate(commissioner)
    assert api.post(reverse("api-import", args=["activity"]), {}, format="multipart").status_code == 403
    assert client.get(reverse("patients:population_panel")).status_code == 200


def test_role_gate_refusals_are_audited_with_the_page(client, gp, commissioner) -> None:
    client.force_login(gp)
    assert client.get(reverse("patients:duplicates")).status_code == 403
    client.force_login(commissioner)
    assert client.get(reverse("stratification:list")).status_code == 403
    refused = {
        (event.username, event.detail["path"])
        for event in AuditEvent.objects.filter(outcome=AuditOutcome.DENIED, resource="page")
    }
    assert refused == {
        (gp.username, reverse("patients:duplicates")),
        (commissioner.username, reverse("stratification:list")),
    }


def _admin_user_form(user: User, **changes: object) -> dict[str, object]:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.role,
        "organisation": user.organisation_id or "",
        "job_title": user.job_title,
        "is_active": "on" if user.is_active else "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "09:00:00",
        "initial-date_joined_0": "2024-01-01",
        "initial-date_joined_1": "09:00:00",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value != ""}


def test_giving_a_role_in_the_staff_console_is_audited(client, admin, area) -> None:
    newcomer = User.objects.create_user(username="newcomer2", password="a-long-enough-password")
    client.force_login(admin)
    url = reverse("admin:caremodel_user_change", args=[newcomer.pk])
    response = client.post(url, _admin_user_form(newcomer, role=Role.GP))
    assert response.status_code == 302, response.content.decode()[:2000]
    newcomer.refresh_from_db()
    assert newcomer.role == Role.GP
    entry = AuditEvent.objects.get(resource="staff_account", action=AuditAction.UPDATE)
    assert (entry.username, entry.detail["account"]) == (admin.username, newcomer.pk)
    assert entry.detail["changed"] == {"role": {"from": "", "to": "gp"}}


def test_team_membership_and_coverage_changes_are_audited(client, admin, area, gp_b) -> None:
    team = area.practice_team_a
    client.force_login(admin)
    url = reverse("admin:caremodel_team_change", args=[team.pk])
    data = {
        "name": team.name,
        "kind": team.kind,
        "organisation": team.organisation_id,
        "cluster": "",
        "practices": [area.practice_a.pk, area.practice_b.pk],
        "active": "on",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-user": gp_b.pk,
        "memberships-0-team": team.pk,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    entry = AuditEvent.objects.get(resource="team")
    assert entry.detail["members_added"] == [gp_b.pk]
    assert entry.detail["practices_added"] == [area.practice_b.pk]
    assert Team.objects.get(pk=team.pk).practices.count() == 2
