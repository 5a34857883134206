"""Staff users, their role, and the teams they belong to."""

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    GP = "gp", "GP"
    CARE_COORDINATOR = "care_coordinator", "Care coordinator"
    COMMUNITY_NURSE = "community_nurse", "Community nurse"
    SOCIAL_WORKER = "social_worker", "Social worker"
    THERAPIST = "therapist", "Therapist"
    PHARMACIST = "pharmacist", "Pharmacist"
    MENTAL_HEALTH_PRACTITIONER = "mental_health_practitioner", "Mental health practitioner"
    SPA_CLINICIAN = "spa_clinician", "SPA clinician"
    MDT_CHAIR = "mdt_chair", "MDT chair"
    COMMISSIONER = "commissioner", "Commissioner"
    ADMINISTRATOR = "administrator", "System administrator"


class User(AbstractUser):
    """A member of staff. The role decides what kind of data and pages they reach; care relationships
    decide which patients. A new account has no role, so no access, until an administrator gives one."""

    role = models.CharField(max_length=32, choices=Role.choices, blank=True, default="")
    organisation = models.ForeignKey(
        "caremodel.Organisation", on_delete=models.PROTECT, null=True, blank=True, related_name="staff"
    )
    job_title = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def role_display(self) -> str:
        return self.get_role_display() if self.role else "No role yet"


class TeamKind(models.TextChoices):
    PRACTICE = "practice", "GP practice team"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood care team"
    SPA = "spa", "Single point of access"
    SERVICE = "service", "Service team"
    COMMISSIONING = "commissioning", "Commissioning team"
    ADMINISTRATION = "administration", "System administration"


class Team(models.Model):
    """A team of staff. A team covers patients registered at its practices or its cluster."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, choices=TeamKind.choices)
    organisation = models.ForeignKey("caremodel.Organisation", on_delete=models.PROTECT, related_name="teams")
    cluster = models.ForeignKey(
        "caremodel.Cluster",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="teams",
        help_text="A neighbourhood care team covers every practice of its cluster.",
    )
    practices = models.ManyToManyField(
        "caremodel.Organisation",
        blank=True,
        related_name="covering_teams",
        limit_choices_to={"kind": "gp_practice"},
        help_text="Practices whose registered patients this team cares for.",
    )
    members = models.ManyToManyField("caremodel.User", through="caremodel.TeamMembership", related_name="teams")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    since = models.DateField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="membership_unique_team_user")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team}"
