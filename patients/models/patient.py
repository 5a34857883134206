"""Patients, keyed on the NHS number."""

import uuid

from django.db import models

from patients.nhs_number import validate_nhs_number
from patients.search_keys import name_search_key


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INDETERMINATE = "indeterminate", "Indeterminate"
    UNKNOWN = "unknown", "Not known"


class ConsentToShare(models.TextChoices):
    GIVEN = "given", "Given"
    DECLINED = "declined", "Declined"
    UNKNOWN = "unknown", "Not yet asked"


class Patient(models.Model):
    """A person cared for. Addressed in URLs by `public_id`, never by NHS number."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    nhs_number = models.CharField("NHS number", max_length=10, unique=True, validators=[validate_nhs_number])
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    sex = models.CharField(max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    postcode = models.CharField(max_length=8, blank=True)
    registered_practice = models.ForeignKey(
        "caremodel.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registered_patients",
        limit_choices_to={"kind": "gp_practice"},
    )
    date_of_death = models.DateField(null=True, blank=True)
    lives_alone = models.BooleanField(null=True, blank=True)
    housebound = models.BooleanField(default=False)
    accountable_gp = models.ForeignKey(
        "caremodel.User",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accountable_for",
        help_text="Named accountable GP (every patient aged 75 and over has one).",
    )
    key_worker = models.ForeignKey(
        "caremodel.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="key_worker_for"
    )
    consent_to_share = models.CharField(max_length=16, choices=ConsentToShare.choices, default=ConsentToShare.UNKNOWN)
    consent_recorded_at = models.DateTimeField(null=True, blank=True)
    consent_recorded_by = models.ForeignKey(
        "caremodel.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    interpreter_needed = models.BooleanField(default=False)
    preferred_language = models.CharField(max_length=50, blank=True)
    communication_needs = models.CharField(max_length=255, blank=True)
    version = models.PositiveIntegerField(default=1, help_text="Raised by every change; guards against lost updates.")
    search_family = models.CharField(
        max_length=100, blank=True, editable=False, help_text="Unaccented lower-case family name."
    )
    search_given = models.CharField(
        max_length=100, blank=True, editable=False, help_text="Unaccented lower-case given name."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["family_name", "given_name", "id"]
        indexes = [
            models.Index(
                fields=["registered_practice", "family_name", "given_name", "id"], name="patient_practice_name"
            ),
            # Keyset pagination of a practice list and prefix search on the folded names.
            models.Index(
                fields=["registered_practice", "search_family", "search_given", "id"], name="patient_practice_key"
            ),
            models.Index(fields=["search_family", "search_given", "id"], name="patient_name_key"),
            models.Index(fields=["search_family"], name="patient_family_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["search_given"], name="patient_given_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["date_of_birth"], name="patient_dob"),
            models.Index(fields=["postcode"], name="patient_postcode", opclasses=["varchar_pattern_ops"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(nhs_number__regex=r"^[0-9]{10}$"), name="patient_nhs_number_ten_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(date_of_death__isnull=True) | models.Q(date_of_death__gte=models.F("date_of_birth")),
                name="patient_death_not_before_birth",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.family_name.upper()}, {self.given_name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.refresh_search_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and ({"family_name", "given_name"} & set(update_fields)):  # type: ignore[call-overload]
            kwargs["update_fields"] = {*update_fields, "search_family", "search_given"}  # type: ignore[misc]
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    def refresh_search_keys(self) -> None:
        """Bulk paths (imports, demo) call this themselves because bulk_create skips save()."""
        self.search_family = name_search_key(self.family_name)
        self.search_given = name_search_key(self.given_name)

    @property
    def display_name(self) -> str:
        return str(self)
