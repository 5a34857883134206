from typing import Any

from django.core.validators import RegexValidator
from rest_framework import serializers

from caremodel.input_limits import MAX_CURSOR, MAX_ID, MAX_INT
from caremodel.models import Organisation
from patients.filters import AGE_BANDS
from patients.models import (
    ActivityEvent,
    ConsentToShare,
    DischargeDestination,
    EventKind,
    LongTermCondition,
    Patient,
    PatientCondition,
)
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number
from patients.rules.events import DESTINATION_UNKNOWN, KIND_UNKNOWN, MAX_STAY_DAYS, STAY_NEGATIVE, STAY_TOO_LONG

# What the NHS number's shape allows (10 digits, spaces and dashes anywhere), so the schema states
# it; the Modulus 11 check digit cannot be written as a pattern and is checked by the validator.
NHS_NUMBER_PATTERN = r"^\s*(?:[ -]*[0-9]){10}[ -]*\s*$"
NHS_NUMBER_MESSAGE = "NHS number must be 10 digits (0-9, spaces and dashes allowed), for example 943 476 5919."
NHS_NUMBER_SHAPE = RegexValidator(NHS_NUMBER_PATTERN, NHS_NUMBER_MESSAGE)
# A search may leave it blank.
NHS_NUMBER_OR_BLANK = RegexValidator(r"^(?:" + NHS_NUMBER_PATTERN[1:-1] + r")?$", NHS_NUMBER_MESSAGE)


class StrictInputSerializer(serializers.Serializer[dict[str, Any]]):
    """Unknown keys are refused by name, so ownership fields (patient, registered_practice, ...)
    can never be mass-assigned through a nested resource. Text fields take text only: a number
    sent for a name or a code is refused, as the schema says, rather than turned into a string."""

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        if isinstance(data, dict):
            not_text = [
                name
                for name, field in self.fields.items()
                if isinstance(field, serializers.CharField | serializers.ChoiceField)
                and not isinstance(data.get(name, ""), str | type(None))
            ]
            if not_text:
                raise serializers.ValidationError({name: ["Must be text (a JSON string)."] for name in not_text})
        return super().to_internal_value(data)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(self.initial_data) - set(self.fields)) if isinstance(self.initial_data, dict) else []
        if unknown:
            raise serializers.ValidationError(dict.fromkeys(unknown, "This field cannot be set here."))
        return attrs


class NHSNumberLookupSerializer(serializers.Serializer[dict[str, str]]):
    nhs_number = serializers.CharField(
        max_length=20,
        validators=[NHS_NUMBER_SHAPE],
        help_text="10 digits; spaces and dashes are allowed. The last is a Modulus 11 check digit.",
    )

    def validate_nhs_number(self, value: str) -> str:
        try:
            return normalise_nhs_number(value)
        except InvalidNHSNumber as exc:
            raise serializers.ValidationError(str(exc)) from exc


class PatientSerializer(serializers.ModelSerializer[Patient]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    registered_practice: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="ods_code", read_only=True
    )

    class Meta:
        model = Patient
        fields = [
            "id",
            "nhs_number",
            "given_name",
            "family_name",
            "date_of_birth",
            "sex",
            "postcode",
            "registered_practice",
            "date_of_death",
            "version",
        ]
        read_only_fields = fields


class PatientSearchSerializer(StrictInputSerializer):
    q = serializers.CharField(required=False, allow_blank=True, max_length=100)
    nhs_number = serializers.CharField(
        required=False, allow_blank=True, max_length=20, validators=[NHS_NUMBER_OR_BLANK], help_text="As the lookup."
    )
    practice = serializers.CharField(required=False, allow_blank=True, max_length=12)
    cluster = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    age_band = serializers.ChoiceField(
        choices=[value for value, _, _, _ in AGE_BANDS], required=False, allow_blank=True
    )
    condition = serializers.ChoiceField(choices=LongTermCondition.choices, required=False, allow_blank=True)
    care_home = serializers.BooleanField(required=False, allow_null=True, default=None)
    date_of_birth = serializers.DateField(required=False, allow_null=True)
    postcode = serializers.CharField(required=False, allow_blank=True, max_length=8)
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=MAX_CURSOR)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class PatientListFilterSerializer(StrictInputSerializer):
    """What the list takes in its query string: filters that identify nobody, the cursor and the page size.
    Names, dates of birth, postcodes and NHS numbers go in the body of POST .../patients/search/."""

    practice = serializers.CharField(required=False, allow_blank=True, max_length=12)
    cluster = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    age_band = serializers.ChoiceField(
        choices=[value for value, _, _, _ in AGE_BANDS], required=False, allow_blank=True
    )
    condition = serializers.ChoiceField(choices=LongTermCondition.choices, required=False, allow_blank=True)
    care_home = serializers.ChoiceField(
        choices=["true", "false"], required=False, allow_blank=True, help_text="Blank: anywhere."
    )
    cursor = serializers.CharField(required=False, allow_blank=True, max_length=MAX_CURSOR)
    page_size = serializers.IntegerField(required=False, min_value=1, max_value=100)


class RegistersUpdateSerializer(StrictInputSerializer):
    version = serializers.IntegerField(
        min_value=1, max_value=MAX_INT, help_text="The version you read; a stale one gets 409."
    )
    lives_alone = serializers.BooleanField(required=False, allow_null=True)
    housebound = serializers.BooleanField(required=False)
    accountable_gp = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    key_worker = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=MAX_ID)
    consent_to_share = serializers.ChoiceField(choices=ConsentToShare.choices, required=False)
    interpreter_needed = serializers.BooleanField(required=False)
    preferred_language = serializers.CharField(required=False, allow_blank=True, max_length=50)
    communication_needs = serializers.CharField(required=False, allow_blank=True, max_length=255)


class PatientRegistersSerializer(serializers.ModelSerializer[Patient]):
    id = serializers.UUIDField(source="public_id", read_only=True)

    class Meta:
        model = Patient
        fields = [
            "id",
            "version",
            "lives_alone",
            "housebound",
            "accountable_gp",
            "key_worker",
            "consent_to_share",
            "consent_recorded_at",
            "interpreter_needed",
            "preferred_language",
            "communication_needs",
        ]
        read_only_fields = fields


class ConditionSerializer(serializers.ModelSerializer[PatientCondition]):
    code = serializers.CharField(source="code.code", read_only=True)
    term = serializers.CharField(source="code.term", read_only=True)
    register = serializers.CharField(source="code.long_term_condition", read_only=True)
    frailty_deficit = serializers.CharField(source="code.frailty_deficit", read_only=True)

    class Meta:
        model = PatientCondition
        fields = ["id", "code", "term", "register", "frailty_deficit", "onset_date", "resolved_date", "source"]
        read_only_fields = fields


class ConditionInputSerializer(StrictInputSerializer):
    code = serializers.CharField(max_length=20)
    onset_date = serializers.DateField(required=False, allow_null=True)


class CarerSerializer(serializers.Serializer[Any]):
    """A carer as a contact (docs/adr/0015): a carer who is a patient is named; their record's id is given
    only when the caller may see that record."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="carer.name", read_only=True)
    is_patient = serializers.BooleanField(read_only=True)
    carer_patient = serializers.UUIDField(source="carer.public_id", read_only=True, allow_null=True)
    relationship = serializers.CharField(read_only=True)
    is_main_carer = serializers.BooleanField(read_only=True)
    availability = serializers.CharField(read_only=True)
    contact_phone = serializers.CharField(read_only=True)
    since = serializers.DateField(read_only=True, allow_null=True)
    until = serializers.DateField(read_only=True, allow_null=True)


class CarerInputSerializer(StrictInputSerializer):
    carer_name = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    relationship = serializers.CharField(max_length=100)
    is_main_carer = serializers.BooleanField(required=False, default=False)
    availability = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=30, default="")
    since = serializers.DateField(required=False, allow_null=True, default=None)


class EventSerializer(serializers.ModelSerializer[ActivityEvent]):
    provider: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="ods_code", read_only=True, allow_null=True
    )
    discharge_destination = serializers.ChoiceField(
        choices=DischargeDestination.choices, allow_blank=True, read_only=True, help_text="Blank unless a discharge."
    )

    class Meta:
        model = ActivityEvent
        fields = [
            "id",
            "kind",
            "event_date",
            "provider",
            "source_system",
            "source_id",
            "length_of_stay_days",
            "discharge_destination",
            "with_fracture",
            "recorded_at",
        ]
        read_only_fields = fields


class EventInputSerializer(StrictInputSerializer):
    kind = serializers.ChoiceField(choices=EventKind.choices, error_messages={"invalid_choice": KIND_UNKNOWN})
    event_date = serializers.DateField()
    source_system = serializers.CharField(max_length=32)
    source_id = serializers.CharField(max_length=64)
    provider = serializers.SlugRelatedField(
        slug_field="ods_code", queryset=Organisation.objects.all(), required=False, allow_null=True, default=None
    )
    # The range is stated in the schema with the rules' own words (patients.rules.events), so the API
    # says what the page and the import say.
    length_of_stay_days = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=MAX_STAY_DAYS,
        default=None,
        error_messages={"min_value": STAY_NEGATIVE, "max_value": STAY_TOO_LONG},
    )
    discharge_destination = serializers.ChoiceField(
        choices=DischargeDestination.choices,
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid_choice": DESTINATION_UNKNOWN},
    )
    with_fracture = serializers.BooleanField(required=False, allow_null=True, default=None)


class ImportInputSerializer(StrictInputSerializer):
    file = serializers.FileField()
    strict = serializers.BooleanField(required=False, default=False)


class ImportJobSerializer(serializers.Serializer[Any]):
    """An import's progress; `report` (every rejected row with its line, field and reason) once it is done."""

    id = serializers.UUIDField(source="job.public_id", read_only=True)
    kind = serializers.CharField(source="job.kind", read_only=True)
    status = serializers.CharField(source="job.status", read_only=True)
    file_name = serializers.CharField(source="job.file_name", read_only=True)
    rows_read = serializers.IntegerField(read_only=True)
    total_rows = serializers.IntegerField(source="job.total_lines", read_only=True)
    percent = serializers.IntegerField(read_only=True)
    report = serializers.JSONField(source="job.report", read_only=True, allow_null=True)
    error = serializers.CharField(source="job.error", read_only=True)
