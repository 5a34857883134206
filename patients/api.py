"""Patient API: thin views that validate, call one service, and serialise."""

from uuid import UUID

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.exceptions import ValidationError as DRFValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.access import PatientDataForbidden, PatientNotVisible
from caremodel.api_permissions import SeesPatientData
from patients import services
from patients.serializers import NHSNumberLookupSerializer, PatientSerializer

NOT_FOUND = "No patient with that identifier that you have a care relationship with."


class PatientLookupAPIView(APIView):
    """Look a patient up by NHS number (in the body, never the URL)."""

    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(
        request=NHSNumberLookupSerializer,
        responses={
            200: PatientSerializer,
            400: OpenApiResponse(description="The NHS number is malformed or fails the check digit."),
            403: OpenApiResponse(description="Your role sees aggregates only."),
            404: OpenApiResponse(description="No such patient you have a care relationship with."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = NHSNumberLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            patient = services.patient_lookup_by_nhs_number(
                user=request.user,
                nhs_number=serializer.validated_data["nhs_number"],  # type: ignore[arg-type]
            )
        except DjangoValidationError as exc:
            raise DRFValidationError(exc.message_dict) from exc
        except PatientNotVisible as exc:
            raise NotFound(NOT_FOUND) from exc
        except PatientDataForbidden as exc:
            raise PermissionDenied from exc
        return Response(PatientSerializer(patient).data, status=status.HTTP_200_OK)


class PatientDetailAPIView(APIView):
    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(responses={200: PatientSerializer, 404: OpenApiResponse(description=NOT_FOUND)})
    def get(self, request: Request, public_id: UUID) -> Response:
        try:
            patient = services.patient_open(user=request.user, public_id=public_id)  # type: ignore[arg-type]
        except PatientNotVisible as exc:
            raise NotFound(NOT_FOUND) from exc
        except PatientDataForbidden as exc:
            raise PermissionDenied from exc
        return Response(PatientSerializer(patient).data)
