"""The curated code list: long-term conditions and the 36 deficits of the electronic
Frailty Index (Clegg et al., Age and Ageing 2016;45:353-360), each mapped from codes."""

from django.db import models


class FrailtyDeficit(models.TextChoices):
    """The 36 deficits of the eFI, in the paper's order."""

    ACTIVITY_LIMITATION = "activity_limitation", "Activity limitation"
    ANAEMIA = "anaemia", "Anaemia and haematinic deficiency"
    ARTHRITIS = "arthritis", "Arthritis"
    ATRIAL_FIBRILLATION = "atrial_fibrillation", "Atrial fibrillation"
    CEREBROVASCULAR_DISEASE = "cerebrovascular_disease", "Cerebrovascular disease"
    CHRONIC_KIDNEY_DISEASE = "chronic_kidney_disease", "Chronic kidney disease"
    DIABETES = "diabetes", "Diabetes"
    DIZZINESS = "dizziness", "Dizziness"
    DYSPNOEA = "dyspnoea", "Dyspnoea"
    FALLS = "falls", "Falls"
    FOOT_PROBLEMS = "foot_problems", "Foot problems"
    FRAGILITY_FRACTURE = "fragility_fracture", "Fragility fracture"
    HEARING_IMPAIRMENT = "hearing_impairment", "Hearing impairment"
    HEART_FAILURE = "heart_failure", "Heart failure"
    HEART_VALVE_DISEASE = "heart_valve_disease", "Heart valve disease"
    HOUSEBOUND = "housebound", "Housebound"
    HYPERTENSION = "hypertension", "Hypertension"
    HYPOTENSION_SYNCOPE = "hypotension_syncope", "Hypotension / syncope"
    ISCHAEMIC_HEART_DISEASE = "ischaemic_heart_disease", "Ischaemic heart disease"
    MEMORY_COGNITIVE = "memory_cognitive", "Memory and cognitive problems"
    MOBILITY_TRANSFER = "mobility_transfer", "Mobility and transfer problems"
    OSTEOPOROSIS = "osteoporosis", "Osteoporosis"
    PARKINSONISM_TREMOR = "parkinsonism_tremor", "Parkinsonism and tremor"
    PEPTIC_ULCER = "peptic_ulcer", "Peptic ulcer"
    PERIPHERAL_VASCULAR_DISEASE = "peripheral_vascular_disease", "Peripheral vascular disease"
    POLYPHARMACY = "polypharmacy", "Polypharmacy"
    REQUIREMENT_FOR_CARE = "requirement_for_care", "Requirement for care"
    RESPIRATORY_DISEASE = "respiratory_disease", "Respiratory disease"
    SKIN_ULCER = "skin_ulcer", "Skin ulcer"
    SLEEP_DISTURBANCE = "sleep_disturbance", "Sleep disturbance"
    SOCIAL_VULNERABILITY = "social_vulnerability", "Social vulnerability"
    THYROID_DISEASE = "thyroid_disease", "Thyroid disease"
    URINARY_INCONTINENCE = "urinary_incontinence", "Urinary incontinence"
    URINARY_SYSTEM_DISEASE = "urinary_system_disease", "Urinary system disease"
    VISUAL_IMPAIRMENT = "visual_impairment", "Visual impairment"
    WEIGHT_LOSS_ANOREXIA = "weight_loss_anorexia", "Weight loss and anorexia"


class LongTermCondition(models.TextChoices):
    """Long-term conditions the seed plans name, as registers."""

    COPD = "copd", "COPD"
    HEART_FAILURE = "heart_failure", "Heart failure"
    DIABETES = "diabetes", "Diabetes"
    DEMENTIA = "dementia", "Dementia"
    STROKE = "stroke", "Stroke or TIA"
    CKD = "ckd", "Chronic kidney disease"
    HYPERTENSION = "hypertension", "Hypertension"
    ATRIAL_FIBRILLATION = "atrial_fibrillation", "Atrial fibrillation"
    MENTAL_ILLNESS = "mental_illness", "Serious mental illness"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    CORONARY_HEART_DISEASE = "coronary_heart_disease", "Coronary heart disease"
    ASTHMA = "asthma", "Asthma"
    CANCER = "cancer", "Cancer"


class ClinicalCode(models.Model):
    """One code of the curated list. A code may count towards a register, an eFI deficit, or both."""

    code = models.CharField(
        max_length=20, unique=True, help_text="SNOMED CT concept id where known, else a local code."
    )
    term = models.CharField(max_length=255)
    is_snomed = models.BooleanField(default=True)
    long_term_condition = models.CharField(max_length=32, choices=LongTermCondition.choices, blank=True)
    frailty_deficit = models.CharField(max_length=32, choices=FrailtyDeficit.choices, blank=True)

    class Meta:
        ordering = ["term"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(long_term_condition="", frailty_deficit=""),
                name="clinicalcode_counts_towards_something",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.term} ({self.code})"
