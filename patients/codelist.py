"""The curated code list loaded into ClinicalCode (migration 0003 and `load_codelist`).

One or more codes per register and per eFI deficit. SNOMED CT concept ids are given where
the concept is well known; deficits that the eFI derives from groups of codes or from
prescribing (polypharmacy, requirement for care, activity limitation, ...) get a local
code (`CM-...`) that feeds and forms can record directly. Clinical safety review of this
list (DCB0129) is required before live use.
"""

from typing import NamedTuple


class CodeEntry(NamedTuple):
    code: str
    term: str
    long_term_condition: str = ""
    frailty_deficit: str = ""

    @property
    def is_snomed(self) -> bool:
        return not self.code.startswith("CM-")


CODES: tuple[CodeEntry, ...] = (
    # Long-term conditions that are also eFI deficits
    CodeEntry("13645005", "Chronic obstructive lung disease", "copd", "respiratory_disease"),
    CodeEntry("195967001", "Asthma", "asthma", "respiratory_disease"),
    CodeEntry("84114007", "Heart failure", "heart_failure", "heart_failure"),
    CodeEntry("73211009", "Diabetes mellitus", "diabetes", "diabetes"),
    CodeEntry("44054006", "Type 2 diabetes mellitus", "diabetes", "diabetes"),
    CodeEntry("46635009", "Type 1 diabetes mellitus", "diabetes", "diabetes"),
    CodeEntry("52448006", "Dementia", "dementia", "memory_cognitive"),
    CodeEntry("26929004", "Alzheimer's disease", "dementia", "memory_cognitive"),
    CodeEntry("230690007", "Cerebrovascular accident", "stroke", "cerebrovascular_disease"),
    CodeEntry("266257000", "Transient ischaemic attack", "stroke", "cerebrovascular_disease"),
    CodeEntry("709044004", "Chronic kidney disease", "ckd", "chronic_kidney_disease"),
    CodeEntry("38341003", "Hypertensive disorder", "hypertension", "hypertension"),
    CodeEntry("49436004", "Atrial fibrillation", "atrial_fibrillation", "atrial_fibrillation"),
    CodeEntry("414545008", "Ischaemic heart disease", "coronary_heart_disease", "ischaemic_heart_disease"),
    CodeEntry("22298006", "Myocardial infarction", "coronary_heart_disease", "ischaemic_heart_disease"),
    # Long-term conditions that are not eFI deficits
    CodeEntry("58214004", "Schizophrenia", "mental_illness"),
    CodeEntry("13746004", "Bipolar disorder", "mental_illness"),
    CodeEntry("110359009", "Intellectual disability", "learning_disability"),
    CodeEntry("363346000", "Malignant neoplastic disease", "cancer"),
    # eFI deficits only
    CodeEntry("CM-EFI-ACT", "Difficulty with activities of daily living", "", "activity_limitation"),
    CodeEntry("271737000", "Anaemia", "", "anaemia"),
    CodeEntry("3723001", "Arthritis", "", "arthritis"),
    CodeEntry("396275006", "Osteoarthritis", "", "arthritis"),
    CodeEntry("404640003", "Dizziness", "", "dizziness"),
    CodeEntry("267036007", "Dyspnoea", "", "dyspnoea"),
    CodeEntry("161898004", "Falls", "", "falls"),
    CodeEntry("CM-EFI-FOOT", "Foot problem", "", "foot_problems"),
    CodeEntry("CM-EFI-FFX", "Fragility fracture", "", "fragility_fracture"),
    CodeEntry("15188001", "Hearing loss", "", "hearing_impairment"),
    CodeEntry("368009", "Heart valve disorder", "", "heart_valve_disease"),
    CodeEntry("160689007", "Housebound", "", "housebound"),
    CodeEntry("45007003", "Low blood pressure", "", "hypotension_syncope"),
    CodeEntry("271594007", "Syncope", "", "hypotension_syncope"),
    CodeEntry("386807006", "Memory impairment", "", "memory_cognitive"),
    CodeEntry("CM-EFI-MOB", "Mobility and transfer problems", "", "mobility_transfer"),
    CodeEntry("64859006", "Osteoporosis", "", "osteoporosis"),
    CodeEntry("49049000", "Parkinson's disease", "", "parkinsonism_tremor"),
    CodeEntry("26079004", "Tremor", "", "parkinsonism_tremor"),
    CodeEntry("13200003", "Peptic ulcer", "", "peptic_ulcer"),
    CodeEntry("400047006", "Peripheral vascular disease", "", "peripheral_vascular_disease"),
    CodeEntry("CM-EFI-POLY", "Polypharmacy (five or more regular medicines)", "", "polypharmacy"),
    CodeEntry("CM-EFI-CARE", "Requires care (package of care, carer support)", "", "requirement_for_care"),
    CodeEntry("46742003", "Skin ulcer", "", "skin_ulcer"),
    CodeEntry("193462001", "Insomnia", "", "sleep_disturbance"),
    CodeEntry("CM-EFI-SOC", "Social vulnerability (lives alone, bereaved, isolated)", "", "social_vulnerability"),
    CodeEntry("14304000", "Disorder of thyroid gland", "", "thyroid_disease"),
    CodeEntry("165232002", "Urinary incontinence", "", "urinary_incontinence"),
    CodeEntry("68566005", "Urinary tract infection", "", "urinary_system_disease"),
    CodeEntry("397540003", "Visual impairment", "", "visual_impairment"),
    CodeEntry("89362005", "Weight loss", "", "weight_loss_anorexia"),
)
