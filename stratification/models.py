"""Risk models, band configurations, nightly risk runs and their scores.

Scores are stored per run (the run is part of the key). On PostgreSQL the scores table is
list-partitioned by run id, so a finished run is attached as one partition and an old run
is dropped with DROP TABLE; on SQLite it is an ordinary table pruned with DELETE
(docs/adr/0008). Readers only ever read the run that `PublishedRun` points at, and that
pointer is flipped in one transaction when a run is complete.
"""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models


class Band(models.TextChoices):
    """Kaiser-pyramid bands, highest first (their order is their rank)."""

    VERY_HIGH = "very_high", "Very high"
    HIGH = "high", "High"
    MODERATE = "moderate", "Moderate"
    LOW = "low", "Low"


BAND_ORDER: tuple[str, ...] = (Band.LOW, Band.MODERATE, Band.HIGH, Band.VERY_HIGH)


class FrailtyCategory(models.TextChoices):
    FIT = "fit", "Fit"
    MILD = "mild", "Mild frailty"
    MODERATE = "moderate", "Moderate frailty"
    SEVERE = "severe", "Severe frailty"


FRAILTY_ORDER: tuple[str, ...] = (
    FrailtyCategory.FIT,
    FrailtyCategory.MILD,
    FrailtyCategory.MODERATE,
    FrailtyCategory.SEVERE,
)


class RiskModel(models.Model):
    """A versioned logistic model: coefficients live here, never in code."""

    version = models.CharField(max_length=40, unique=True)
    description = models.CharField(max_length=255, blank=True)
    features = models.JSONField(help_text="Feature names, in the order of `coefficients`.")
    coefficients = models.JSONField(help_text="One number per feature.")
    intercept = models.FloatField()
    fitted_on = models.JSONField(default=dict, blank=True, help_text="What it was fitted on: as-of date, rows, events.")
    metrics = models.JSONField(default=dict, blank=True, help_text="AUROC and calibration by decile.")
    is_active = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="riskmodel_one_active"
            ),
        ]

    def __str__(self) -> str:
        return f"Risk model {self.version}"

    def clean(self) -> None:
        from stratification.features import FEATURE_NAMES

        errors: dict[str, str] = {}
        features = self.features
        coefficients = self.coefficients
        if not isinstance(features, list) or not features or not all(isinstance(f, str) for f in features):
            errors["features"] = "Features must be a non-empty list of feature names."
        elif unknown := sorted(set(features) - set(FEATURE_NAMES)):
            errors["features"] = f"Unknown features: {', '.join(unknown)}."
        if coefficients in (None, "", [], {}):
            errors["coefficients"] = "The model has no coefficients: fit it with calibrate_risk_model."
        elif not isinstance(coefficients, list) or not all(
            isinstance(c, int | float) and not isinstance(c, bool) for c in coefficients
        ):
            errors["coefficients"] = "Coefficients must be a list of numbers."
        elif isinstance(features, list) and len(coefficients) != len(features):
            errors["coefficients"] = (
                f"There are {len(coefficients)} coefficients for {len(features)} features; they must match one to one."
            )
        if self.intercept is None:
            errors["intercept"] = "The model has no intercept."
        if errors:
            raise ValidationError(errors)


class BandConfiguration(models.Model):
    """Shares of the area's population, by rank, that fall in each band (percent)."""

    name = models.CharField(max_length=100, default="Default (Kaiser pyramid)")
    very_high_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("2.00"))
    high_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("3.00"))
    moderate_percent = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal("15.00"))
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=models.Q(is_active=True), name="bandconfig_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def low_percent(self) -> Decimal:
        return Decimal(100) - self.very_high_percent - self.high_percent - self.moderate_percent

    def clean(self) -> None:
        errors: dict[str, str] = {}
        for field in ("very_high_percent", "high_percent", "moderate_percent"):
            value = getattr(self, field)
            if value is None or value <= 0:
                errors[field] = "Each band's share must be more than 0%."
        if not errors and self.low_percent < 0:
            errors["moderate_percent"] = (
                "Very high, high and moderate shares add up to "
                f"{100 - self.low_percent}%, more than 100% of the population."
            )
        if errors:
            raise ValidationError(errors)


class RunStatus(models.TextChoices):
    RUNNING = "running", "Running"
    PUBLISHED = "published", "Published"
    SUPERSEDED = "superseded", "Superseded"
    FAILED = "failed", "Failed"


class RiskRun(models.Model):
    """One recompute of the whole population with one model version."""

    model = models.ForeignKey(RiskModel, on_delete=models.PROTECT, related_name="runs")
    band_configuration = models.JSONField(default=dict, help_text="The band shares used, as percent.")
    as_of = models.DateField()
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    path = models.CharField(max_length=16, help_text="sql (PostgreSQL set-based) or python.")
    triggered_by = models.CharField(max_length=100, help_text="beat, a command, or a user name.")
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True, help_text="Failed if not finished by then.")
    chunk_count = models.PositiveIntegerField(default=0)
    patient_count = models.PositiveIntegerField(default=0)
    band_counts = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    storage_dropped = models.BooleanField(
        default=False, help_text="Its scores were dropped after the retention period."
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["status"], condition=models.Q(status="running"), name="riskrun_one_running"
            ),
        ]

    def __str__(self) -> str:
        return f"Risk run {self.pk} ({self.status})"

    @property
    def duration_seconds(self) -> float | None:
        if self.finished_at is None:
            return None
        return (self.finished_at - self.started_at).total_seconds()


class RiskRunChunk(models.Model):
    """A chunk of a run that has been scored; written in the same transaction as its scores,
    so a redelivered chunk is recorded once and the finaliser can check every chunk landed."""

    run = models.ForeignKey(RiskRun, on_delete=models.CASCADE, related_name="chunks")
    first_id = models.BigIntegerField()
    last_id = models.BigIntegerField()
    patients = models.PositiveIntegerField()
    finished_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "first_id"], name="riskrunchunk_once_per_run")]

    def __str__(self) -> str:
        return f"Run {self.run_id} patients {self.first_id}-{self.last_id}"


class PublishedRun(models.Model):
    """The single pointer row: which run's scores every reader sees (id is always 1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    run = models.ForeignKey(RiskRun, on_delete=models.PROTECT, related_name="+")
    previous_run = models.ForeignKey(RiskRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    published_at = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="publishedrun_single_row")]

    def __str__(self) -> str:
        return f"Published: run {self.run_id}"


class RiskScore(models.Model):
    """One patient's score in one run. Keyed on (run, patient): a redelivered chunk cannot duplicate."""

    pk = models.CompositePrimaryKey("run_id", "patient_id")
    # No foreign-key constraints or single-column indexes: a partition is attached whole, every
    # lookup is by (run, patient) or (run, rank), and the primary key and the rank index cover both.
    run = models.ForeignKey(RiskRun, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+"
    )
    practice_id = models.BigIntegerField(null=True)
    age = models.PositiveSmallIntegerField()
    score = models.FloatField(help_text="Probability of an emergency admission in the next 12 months.")
    rank = models.PositiveIntegerField(help_text="1 is the highest risk in the area.")
    band = models.CharField(max_length=16, choices=Band.choices)
    efi_score = models.FloatField()
    efi_deficits = models.PositiveSmallIntegerField()
    efi_category = models.CharField(max_length=16, choices=FrailtyCategory.choices)
    emergency_admissions_12m = models.PositiveSmallIntegerField()
    ae_attendances_12m = models.PositiveSmallIntegerField()
    falls_12m = models.PositiveSmallIntegerField()
    ltc_count = models.PositiveSmallIntegerField()
    ltc_mask = models.IntegerField(help_text="Bit i set: the i-th long-term condition of features.LTC_ORDER.")
    care_home = models.BooleanField()
    factors = models.CharField(max_length=200, help_text="Top contributing features, comma-separated, largest first.")
    previous_band = models.CharField(max_length=16, blank=True)
    previous_efi_category = models.CharField(max_length=16, blank=True)

    class Meta:
        indexes = [models.Index(fields=["run", "rank"], name="riskscore_run_rank")]

    def __str__(self) -> str:
        return f"Run {self.run_id} patient {self.patient_id}: {self.band}"

    @property
    def is_new_entrant(self) -> bool:
        return self.band in (Band.VERY_HIGH, Band.HIGH) and self.previous_band not in (Band.VERY_HIGH, Band.HIGH)

    @property
    def has_risen(self) -> bool:
        return bool(self.previous_band) and BAND_ORDER.index(self.band) > BAND_ORDER.index(self.previous_band)

    @property
    def frailty_worsened(self) -> bool:
        return bool(self.previous_efi_category) and FRAILTY_ORDER.index(self.efi_category) > FRAILTY_ORDER.index(
            self.previous_efi_category
        )
