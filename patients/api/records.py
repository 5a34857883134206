"""Patient API: thin views that validate, call one service or selector, and serialise."""

from typing import Any
from urllib.parse import urlencode
from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.api_permissions import SeesPatientData
from caremodel.api_support import NOT_FOUND, call
from patients.serializers import (
    NHSNumberLookupSerializer,
    PatientListFilterSerializer,
    PatientRegistersSerializer,
    PatientSearchSerializer,
    PatientSerializer,
    RegistersUpdateSerializer,
    StrictInputSerializer,
)
from patients.services.patient import (
    patient_for_write,
    patient_lookup_by_nhs_number,
    patient_open,
    patient_update_registers,
)
from patients.services.search import IDENTIFYING_FILTERS, patient_search


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
        patient = call(
            patient_lookup_by_nhs_number, user=request.user, nhs_number=serializer.validated_data["nhs_number"]
        )
        return Response(PatientSerializer(patient).data, status=status.HTTP_200_OK)


class PatientDetailAPIView(APIView):
    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(
        responses={
            200: PatientSerializer,
            403: OpenApiResponse(description="Your role sees aggregates only."),
            404: OpenApiResponse(description=NOT_FOUND),
        }
    )
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(patient_open, user=request.user, public_id=public_id)
        return Response(PatientSerializer(patient).data)


class PatientPageSerializer(serializers.Serializer[dict[str, Any]]):
    """One keyset page: follow `next` (or send `next_cursor` back) for the following page."""

    next = serializers.URLField(allow_null=True)
    next_cursor = serializers.CharField(allow_null=True)
    results = PatientSerializer(many=True)


def _search_response(request: Request, data: Any, serializer_class: type[StrictInputSerializer]) -> Response:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    filters = {
        k: ("" if v is None else str(v).lower() if isinstance(v, bool) else str(v))
        for k, v in serializer.validated_data.items()
        if k not in ("cursor", "page_size")
    }
    page = call(
        patient_search,
        user=request.user,
        filters=filters,
        cursor=serializer.validated_data.get("cursor") or None,
        page_size=serializer.validated_data.get("page_size") or 50,
    )
    next_url = None
    if page.next_cursor and request.method == "GET":
        next_url = _next_link(request, page.next_cursor)
    return Response(
        {"next": next_url, "next_cursor": page.next_cursor, "results": PatientSerializer(page.rows, many=True).data}
    )


def _next_link(request: Request, cursor: str) -> str:
    """The list URL for the next page: the GET filters kept, every value percent-encoded (spaces,
    `&`, `#`, `+`, accented letters). A POSTed search's filters stay out of the URL (they may hold
    an NHS number): follow it by POSTing `next_cursor` with the same filters instead."""
    params: list[tuple[str, str]] = [("cursor", cursor)]
    if request.method == "GET":
        params += [(k, v) for k, values in request.query_params.lists() if k != "cursor" for v in values]
    return request.build_absolute_uri(reverse("api-patient-list")) + "?" + urlencode(params)


class PatientListAPIView(APIView):
    """Patients you have a care relationship with, a page at a time (follow `next`). Only filters that identify
    nobody go in the query string (practice, cluster, age band, condition, care home); names, dates of birth,
    postcodes and NHS numbers go through POST .../patients/search/ so they stay out of URLs."""

    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(
        operation_id="patients_list", parameters=[PatientListFilterSerializer], responses={200: PatientPageSerializer}
    )
    def get(self, request: Request) -> Response:
        refused = sorted(name for name in IDENTIFYING_FILTERS if request.query_params.get(name))
        if refused:
            raise ValidationError(
                dict.fromkeys(
                    refused,
                    "Search by name, date of birth, postcode or NHS number with POST to .../patients/search/, "
                    "not in the URL.",
                )
            )
        return _search_response(request, request.query_params.dict(), PatientListFilterSerializer)


class PatientSearchAPIView(APIView):
    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(
        operation_id="patients_search", request=PatientSearchSerializer, responses={200: PatientPageSerializer}
    )
    def post(self, request: Request) -> Response:
        if not isinstance(request.data, dict):
            raise ValidationError({"non_field_errors": "Send a JSON object."})
        return _search_response(request, request.data, PatientSearchSerializer)


class PatientRegistersAPIView(APIView):
    """Living situation, accountable GP, key worker, consent and communication needs.
    Send the version you read: if someone else changed the record since, the answer is 409."""

    permission_classes = [IsAuthenticated, SeesPatientData]

    @extend_schema(responses={200: PatientRegistersSerializer})
    def get(self, request: Request, public_id: UUID) -> Response:
        patient = call(patient_open, user=request.user, public_id=public_id)
        return Response(PatientRegistersSerializer(patient).data)

    @extend_schema(request=RegistersUpdateSerializer, responses={200: PatientRegistersSerializer, 409: None})
    def patch(self, request: Request, public_id: UUID) -> Response:
        serializer = RegistersUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = {k: v for k, v in serializer.validated_data.items() if k != "version"}
        patient = call(patient_for_write, user=request.user, public_id=public_id)
        patient = call(
            patient_update_registers,
            user=request.user,
            patient=patient,
            expected_version=serializer.validated_data["version"],
            changes=changes,
        )
        return Response(PatientRegistersSerializer(patient).data)
