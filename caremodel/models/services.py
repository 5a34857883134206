"""The catalogue of services the single point of access (SPA) routes referrals to."""

from django.db import models


class ServiceKind(models.TextChoices):
    RAPID_RESPONSE = "rapid_response", "Rapid response"
    IC_BED_STEP_UP = "ic_bed_step_up", "Intermediate care beds (step-up)"
    IC_BED_STEP_DOWN = "ic_bed_step_down", "Intermediate care beds (step-down)"
    IC_HOME = "ic_home", "Home-based intermediate care"
    REABLEMENT = "reablement", "Reablement"
    FALLS = "falls", "Falls service"
    DEMENTIA_CRISIS = "dementia_crisis", "Dementia crisis service"
    CARERS_ASSESSMENT = "carers_assessment", "Carers assessment"
    END_OF_LIFE = "end_of_life", "End-of-life care coordination"
    EQUIPMENT = "equipment", "Community equipment"
    SOCIAL_CARE_ASSESSMENT = "social_care_assessment", "Social care assessment"
    MENTAL_HEALTH_LIAISON = "mental_health_liaison", "Mental health liaison"


BED_BASED_KINDS = frozenset({ServiceKind.IC_BED_STEP_UP, ServiceKind.IC_BED_STEP_DOWN})


class CareService(models.Model):
    """A service referrals can be routed to; bed-based services declare their bed capacity."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=ServiceKind.choices)
    provider = models.ForeignKey("caremodel.Organisation", on_delete=models.PROTECT, related_name="services")
    team = models.ForeignKey("caremodel.Team", on_delete=models.PROTECT, null=True, blank=True, related_name="services")
    open_24_7 = models.BooleanField("open 24 hours, 7 days a week", default=False)
    opening_hours = models.CharField(
        max_length=200, blank=True, help_text="Shown to referrers when the service is not 24/7."
    )
    bed_capacity = models.PositiveIntegerField(null=True, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(open_24_7=True) | ~models.Q(opening_hours=""),
                name="service_hours_stated_unless_24_7",
            ),
            models.CheckConstraint(
                condition=models.Q(bed_capacity__isnull=True)
                | models.Q(kind__in=sorted(k.value for k in BED_BASED_KINDS)),
                name="service_beds_only_for_bed_based",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def hours_display(self) -> str:
        return "24 hours, 7 days a week" if self.open_24_7 else self.opening_hours
