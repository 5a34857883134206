"""Turn risk scores into what the pages show: words, labels and markers, no rules in templates."""

from stratification.features import factor_words
from stratification.models import Band, FrailtyCategory, RiskScore

BAND_COLOURS: dict[str, str] = {Band.VERY_HIGH: "red", Band.HIGH: "orange", Band.MODERATE: "yellow", Band.LOW: "grey"}
BAND_LABELS = dict(Band.choices)
FRAILTY_LABELS = dict(FrailtyCategory.choices)


class RiskScorePresenter:
    def __init__(self, score: RiskScore, *, has_previous_run: bool) -> None:
        self.score = score
        self.has_previous_run = has_previous_run

    @property
    def patient(self) -> object:
        return self.score.patient

    @property
    def band_label(self) -> str:
        return BAND_LABELS.get(self.score.band, self.score.band)

    @property
    def band_colour(self) -> str:
        return BAND_COLOURS.get(self.score.band, "grey")

    @property
    def risk_percent(self) -> str:
        return f"{self.score.score * 100:.1f}%"

    @property
    def frailty_label(self) -> str:
        return FRAILTY_LABELS.get(self.score.efi_category, self.score.efi_category)

    @property
    def efi_display(self) -> str:
        return f"{self.score.efi_score:.2f} ({self.frailty_label.lower()})"

    @property
    def reasons(self) -> list[str]:
        return [factor_words(name, self.score) for name in self.score.factors.split(",") if name]

    @property
    def markers(self) -> list[str]:
        if not self.has_previous_run:
            return []
        found = []
        if self.score.is_new_entrant:
            found.append("New")
        elif self.score.has_risen:
            found.append("Risen")
        if self.score.frailty_worsened:
            found.append("Frailer")
        return found
