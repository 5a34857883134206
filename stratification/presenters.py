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


EXPORT_HEADER = (
    "NHS number",
    "Family name",
    "Given name",
    "Date of birth",
    "Age",
    "Practice",
    "Rank",
    "Band",
    "Risk of emergency admission",
    "eFI",
    "Frailty",
    "Changes",
    "Reasons",
)
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> str:
    """Spreadsheets run cells that start with = + - @ (or a tab or carriage return); prefix them so they
    stay text."""
    text = str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def risk_export_header() -> list[str]:
    return list(EXPORT_HEADER)


def risk_export_cells(score: RiskScore, *, has_previous_run: bool) -> list[str]:
    """One row of the risk list export, every cell safe to open in a spreadsheet."""
    shown = RiskScorePresenter(score, has_previous_run=has_previous_run)
    patient = score.patient
    practice = patient.registered_practice
    return [
        csv_safe(value)
        for value in (
            patient.nhs_number,
            patient.family_name,
            patient.given_name,
            patient.date_of_birth.isoformat(),
            score.age,
            practice.ods_code if practice else "",
            score.rank,
            shown.band_label,
            f"{score.score:.4f}",
            f"{score.efi_score:.3f}",
            shown.frailty_label,
            "; ".join(shown.markers),
            "; ".join(shown.reasons),
        )
    ]
