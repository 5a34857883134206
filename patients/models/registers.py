"""What a patient has: coded conditions and frailty deficits, and care-home residence."""

from django.db import models


class PatientCondition(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="conditions")
    code = models.ForeignKey("patients.ClinicalCode", on_delete=models.PROTECT, related_name="+")
    onset_date = models.DateField(null=True, blank=True)
    resolved_date = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=32, default="manual", help_text="manual, gp_extract, api")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["onset_date", "id"]
        indexes = [models.Index(fields=["patient", "code"], name="condition_patient_code")]
        constraints = [
            models.UniqueConstraint(fields=["patient", "code", "onset_date"], name="condition_unique_per_onset"),
            models.CheckConstraint(
                condition=models.Q(resolved_date__isnull=True)
                | models.Q(onset_date__isnull=True)
                | models.Q(resolved_date__gte=models.F("onset_date")),
                name="condition_resolved_after_onset",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} for patient {self.patient_id}"

    @property
    def active(self) -> bool:
        return self.resolved_date is None


class CareHomeResidence(models.Model):
    """A stay in a care home; the open one (no `until`) is the current residence."""

    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="care_home_stays")
    care_home = models.ForeignKey(
        "caremodel.Organisation",
        on_delete=models.PROTECT,
        related_name="residents",
        limit_choices_to={"kind": "care_home"},
    )
    nursing = models.BooleanField(default=False, help_text="Nursing (not residential) care.")
    since = models.DateField()
    until = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-since"]
        constraints = [
            models.UniqueConstraint(
                fields=["patient"], condition=models.Q(until__isnull=True), name="carehome_one_current_stay"
            ),
            models.CheckConstraint(
                condition=models.Q(until__isnull=True) | models.Q(until__gte=models.F("since")),
                name="carehome_until_after_since",
            ),
        ]

    def __str__(self) -> str:
        return f"Care home stay from {self.since}"
