"""Build the synthetic demo area and population: `manage.py load_demo [--patients N] [--seed S]`."""

from itertools import islice
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from django.utils import timezone

from caremodel.audit import audit_record_many
from caremodel.models import AuditAction
from caremodel.request_context import request_context
from demo.area import build_area
from demo.logins import DEMO_LOGINS, DEMO_PASSWORD
from demo.population import build_patients
from demo.record import RecordCounts, build_record
from patients.models import Patient

BATCH = 5_000


class Command(BaseCommand):
    help = "Load a synthetic demo area (clusters, practices, teams, services, one user per role) and patients."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, default=5_000, help="How many patients (default 5,000).")
        parser.add_argument("--seed", type=int, default=2014, help="Random seed; the same seed gives the same data.")
        parser.add_argument("--reset", action="store_true", help="Delete the demo patients and build them again.")
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["patients"] < 0:
            self.stderr.write("--patients must be zero or more.")
            raise SystemExit(2)
        with request_context(source="command"):
            area = build_area()
            existing = Patient.objects.filter(registered_practice__in=area.practices)
            if options["reset"]:
                existing.delete()
            if existing.exists():
                self.stdout.write(f"Demo patients already loaded ({existing.count():,}); use --reset to rebuild.")
            else:
                self._load_patients(area.practices, options["patients"], options["seed"])
        if not options["quiet_logins"]:
            self._print_logins()

    def _load_patients(self, practices: list[Any], count: int, seed: int) -> None:
        today = timezone.localdate()
        patients = build_patients(count=count, practices=practices, seed=seed, today=today)
        created = 0
        totals = RecordCounts()
        while batch := list(islice(patients, BATCH)):
            for patient in batch:
                patient.refresh_search_keys()  # bulk_create skips save()
            with transaction.atomic():
                rows = Patient.objects.bulk_create(batch)
                ids = (
                    [p.pk for p in rows]
                    if rows and rows[0].pk
                    else list(
                        Patient.objects.filter(nhs_number__in=[p.nhs_number for p in batch]).values_list(
                            "pk", flat=True
                        )
                    )
                )
                audit_record_many(user=None, action=AuditAction.IMPORT, patient_ids=ids, detail={"by": "load_demo"})
                if not rows or not rows[0].pk:
                    rows = list(Patient.objects.filter(pk__in=ids))
                counts = build_record(patients=rows, seed=seed + created, today=today)
            for name in ("conditions", "carers", "care_home_stays", "events"):
                setattr(totals, name, getattr(totals, name) + getattr(counts, name))
            created += len(batch)
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {created:,} demo patients with {totals.conditions:,} coded conditions, "
                f"{totals.carers:,} carers, "
                f"{totals.care_home_stays:,} care-home residents and {totals.events:,} activity events over two years."
            )
        )

    def _print_logins(self) -> None:
        self.stdout.write(f"\nDemo logins (password for every user: {DEMO_PASSWORD})")
        for login in DEMO_LOGINS:
            self.stdout.write(f"  {login.username:<16} {login.role:<28} {login.note}")
