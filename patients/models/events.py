"""Activity events: what happened to a patient, from hospital, community and social care feeds.
A feed sent twice is stored once: (source_system, source_id) is unique."""

from django.db import models


class EventKind(models.TextChoices):
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    EMERGENCY_ADMISSION = "emergency_admission", "Emergency admission"
    ELECTIVE_ADMISSION = "elective_admission", "Elective admission"
    DISCHARGE = "discharge", "Discharge from hospital"
    FALL = "fall", "Fall"
    HIP_FRACTURE = "hip_fracture", "Hip fracture"
    PERMANENT_CARE_ADMISSION = "permanent_care_admission", "Permanent admission to residential or nursing care"
    REABLEMENT_START = "reablement_start", "Reablement started"
    REABLEMENT_END = "reablement_end", "Reablement ended"
    OUT_OF_HOURS_CONTACT = "out_of_hours_contact", "111 / out-of-hours contact"
    DEATH = "death", "Death"


class DischargeDestination(models.TextChoices):
    USUAL_RESIDENCE = "usual_residence", "Usual place of residence"
    CARE_HOME = "care_home", "Care home"
    INTERMEDIATE_CARE_BED = "intermediate_care_bed", "Intermediate care bed"
    DIED = "died", "Died"


class ActivityEvent(models.Model):
    # Both references are checked by the database once per statement, set-based, instead of by a
    # foreign-key trigger per row (patients migration 0007, ADR 0010): a feed of a million events
    # spent longer in those per-row checks than in the insert itself. Neither has an index of its
    # own: event_patient_date (patient, event_date) serves lookups by patient, and no page looks
    # events up by provider.
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="events", db_index=False, db_constraint=False
    )
    kind = models.CharField(max_length=32, choices=EventKind.choices)
    event_date = models.DateField()
    provider = models.ForeignKey(
        "caremodel.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    source_system = models.CharField(max_length=32, help_text="Which feed sent it, e.g. sus_apc, ecds, manual.")
    source_id = models.CharField(max_length=64, help_text="The feed's own identifier of the event.")
    length_of_stay_days = models.PositiveIntegerField(null=True, blank=True)
    discharge_destination = models.CharField(max_length=32, choices=DischargeDestination.choices, blank=True)
    with_fracture = models.BooleanField(null=True, blank=True, help_text="For falls.")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-event_date", "-id"]
        indexes = [models.Index(fields=["patient", "event_date"], name="event_patient_date")]
        constraints = [
            models.UniqueConstraint(fields=["source_system", "source_id"], name="event_unique_per_source"),
            models.CheckConstraint(
                condition=models.Q(discharge_destination="") | models.Q(kind="discharge"),
                name="event_destination_only_on_discharge",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} on {self.event_date}"
