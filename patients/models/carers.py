"""Who cares for a patient. The carer may be a patient too (then they can be on a carers register)."""

from django.db import models


class CarerRelationship(models.Model):
    patient = models.ForeignKey("patients.Patient", on_delete=models.CASCADE, related_name="carers")
    carer_patient = models.ForeignKey(
        "patients.Patient", on_delete=models.SET_NULL, null=True, blank=True, related_name="cares_for"
    )
    carer_name = models.CharField(max_length=200, blank=True, help_text="When the carer is not a patient here.")
    relationship = models.CharField(max_length=100, help_text="e.g. daughter, husband, neighbour")
    is_main_carer = models.BooleanField(default=False)
    availability = models.CharField(max_length=200, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)
    since = models.DateField(null=True, blank=True)
    until = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(carer_patient__isnull=False) | ~models.Q(carer_name=""),
                name="carer_is_named",
            ),
            models.UniqueConstraint(
                fields=["patient"],
                condition=models.Q(is_main_carer=True, until__isnull=True),
                name="carer_one_current_main_carer",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.relationship} of patient {self.patient_id}"
