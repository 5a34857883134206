from rest_framework import serializers

from patients.models import Patient
from patients.nhs_number import InvalidNHSNumber, normalise_nhs_number


class NHSNumberLookupSerializer(serializers.Serializer[dict[str, str]]):
    nhs_number = serializers.CharField(max_length=20, help_text="10 digits; spaces and dashes are allowed.")

    def validate_nhs_number(self, value: str) -> str:
        try:
            return normalise_nhs_number(value)
        except InvalidNHSNumber as exc:
            raise serializers.ValidationError(str(exc)) from exc


class PatientSerializer(serializers.ModelSerializer[Patient]):
    id = serializers.UUIDField(source="public_id", read_only=True)
    registered_practice = serializers.SlugRelatedField(slug_field="ods_code", read_only=True)

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
