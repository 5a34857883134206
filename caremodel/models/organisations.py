"""Organisations of a health and care system and the clusters that group GP practices."""

from django.db import models


class OrganisationKind(models.TextChoices):
    COMMISSIONER = "commissioner", "Commissioner (ICB / CCG / council)"
    GP_PRACTICE = "gp_practice", "GP practice"
    COMMUNITY_PROVIDER = "community_provider", "Community health provider"
    SOCIAL_CARE = "social_care", "Adult social care"
    MENTAL_HEALTH = "mental_health", "Mental health trust"
    ACUTE_TRUST = "acute_trust", "Acute hospital trust"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    CARE_HOME = "care_home", "Care home"


class Cluster(models.Model):
    """GP practices grouped to be served by one neighbourhood care team (35-60,000 people)."""

    name = models.CharField(max_length=100)
    commissioner = models.ForeignKey(
        "caremodel.Organisation",
        on_delete=models.PROTECT,
        related_name="commissioned_clusters",
        limit_choices_to={"kind": OrganisationKind.COMMISSIONER},
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["commissioner", "name"], name="cluster_unique_name_per_commissioner"),
        ]

    def __str__(self) -> str:
        return self.name


class Organisation(models.Model):
    """Any organisation in the system; a GP practice also belongs to one cluster."""

    ods_code = models.CharField("ODS code", max_length=12, unique=True)
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    cluster = models.ForeignKey(Cluster, on_delete=models.PROTECT, null=True, blank=True, related_name="practices")
    postcode = models.CharField(max_length=8, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(cluster__isnull=True) | models.Q(kind=OrganisationKind.GP_PRACTICE),
                name="organisation_only_practices_in_clusters",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.ods_code})"

    @property
    def is_practice(self) -> bool:
        return self.kind == OrganisationKind.GP_PRACTICE
