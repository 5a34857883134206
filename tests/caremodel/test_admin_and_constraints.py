"""The staff console needs a staff account; database constraints really exist (RELIABILITY 9, 22)."""

import pytest
from django.conf import settings
from django.db import connection

pytestmark = pytest.mark.django_db


def test_admin_refuses_non_staff_users(client, gp) -> None:
    client.force_login(gp)
    response = client.get(f"/{settings.ADMIN_URL}")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_admin_serves_staff_and_audit_is_read_only(client, admin) -> None:
    client.force_login(admin)
    assert client.get(f"/{settings.ADMIN_URL}").status_code == 200
    assert client.get(f"/{settings.ADMIN_URL}caremodel/auditevent/").status_code == 200
    assert client.get(f"/{settings.ADMIN_URL}caremodel/auditevent/add/").status_code == 403


@pytest.mark.parametrize(
    ("table", "constraint"),
    [
        ("patients_patient", "patient_nhs_number_ten_digits"),
        ("patients_patient", "patient_death_not_before_birth"),
        ("caremodel_organisation", "organisation_only_practices_in_clusters"),
        ("caremodel_careservice", "service_beds_only_for_bed_based"),
        ("caremodel_teammembership", "membership_unique_team_user"),
        ("patients_activityevent", "event_unique_per_source"),
        ("patients_carehomeresidence", "carehome_one_current_stay"),
    ],
)
def test_constraints_exist_in_the_database(table, constraint) -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, table)
    if constraint not in constraints and connection.vendor == "sqlite":
        # SQLite reports partial unique indexes but not always named CHECK constraints.
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE tbl_name = %s", [table])
            assert any(constraint in (row[0] or "") for row in cursor.fetchall())
    else:
        assert constraint in constraints
