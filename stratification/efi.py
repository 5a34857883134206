"""The electronic Frailty Index (eFI).

Source: Clegg A, Bates C, Young J, Ryan R, Nichols L, Teale EA, Mohammed MA, Parry J,
Marshall T. "Development and validation of an electronic frailty index using routine
primary care electronic health record data." Age and Ageing 2016;45(3):353-360.
doi:10.1093/ageing/afw039. Decision record: docs/adr/0007-efi-source.md.

The eFI is a cumulative-deficit index: 36 deficits, each present or absent, and the score
is the number present divided by 36. Categories (from the paper): fit 0-0.12, mild frailty
>0.12-0.24, moderate >0.24-0.36, severe >0.36.

Where the deficits come from here:
- coded active conditions: `ClinicalCode.frailty_deficit` (the curated list in
  patients/codelist.py maps codes to all 36 deficits);
- facts the record holds outside the code list, which count for the deficit the paper
  derives from the same clinical picture: `Patient.housebound` -> housebound; any fall
  event -> falls; a hip-fracture event or a fall with fracture -> fragility fracture;
  `Patient.lives_alone` -> social vulnerability; a current care-home residence ->
  requirement for care.
Each deficit counts once however many sources show it.
"""

from patients.models import FrailtyDeficit

EFI_DEFICITS: tuple[str, ...] = tuple(FrailtyDeficit.values)
EFI_DEFICIT_COUNT = 36
assert len(EFI_DEFICITS) == EFI_DEFICIT_COUNT, "the eFI has exactly 36 deficits"  # noqa: S101 - import-time invariant

# Cut-offs as exact fractions (3/25 = 0.12, 6/25 = 0.24, 9/25 = 0.36) so that a score of
# exactly 0.12 is "fit" and never mis-rounded: deficits/36 <= 3/25  <=>  25 * deficits <= 108.
_FIT_MAX, _MILD_MAX, _MODERATE_MAX = 3, 6, 9  # in 25ths


def deficit_bit(deficit: str) -> int:
    return 1 << EFI_DEFICITS.index(deficit)


def extra_deficit_mask(
    *, housebound: bool, fall_ever: bool, fracture_ever: bool, lives_alone: bool, care_home: bool
) -> int:
    """Deficits shown by facts of the record other than coded conditions (see the module docstring)."""
    mask = 0
    if housebound:
        mask |= deficit_bit(FrailtyDeficit.HOUSEBOUND)
    if fall_ever:
        mask |= deficit_bit(FrailtyDeficit.FALLS)
    if fracture_ever:
        mask |= deficit_bit(FrailtyDeficit.FRAGILITY_FRACTURE)
    if lives_alone:
        mask |= deficit_bit(FrailtyDeficit.SOCIAL_VULNERABILITY)
    if care_home:
        mask |= deficit_bit(FrailtyDeficit.REQUIREMENT_FOR_CARE)
    return mask


def efi_score(deficits: int) -> float:
    return deficits / EFI_DEFICIT_COUNT


def efi_category_for_deficits(deficits: int) -> str:
    """fit / mild / moderate / severe from the count of deficits, with exact cut-offs."""
    scaled = 25 * deficits
    if scaled <= _FIT_MAX * EFI_DEFICIT_COUNT:
        return "fit"
    if scaled <= _MILD_MAX * EFI_DEFICIT_COUNT:
        return "mild"
    if scaled <= _MODERATE_MAX * EFI_DEFICIT_COUNT:
        return "moderate"
    return "severe"


def efi_category_for_score(score: float) -> str:
    """The category of a score given as a number (fit up to and including 0.12, and so on)."""
    if score <= 0.12:
        return "fit"
    if score <= 0.24:
        return "mild"
    if score <= 0.36:
        return "moderate"
    return "severe"


def deficits_in_mask(mask: int) -> list[str]:
    return [deficit for i, deficit in enumerate(EFI_DEFICITS) if mask >> i & 1]
