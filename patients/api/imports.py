"""The import endpoints: upload a file (202, with a status address) and follow the job to its report,
the same report as the commands and the upload page give."""

from uuid import UUID

from django.urls import reverse
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.parsers import MultiPartParser
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from caremodel.api_permissions import IsAdministrator
from caremodel.api_support import call
from patients.models import ImportJob
from patients.serializers import ImportInputSerializer, ImportJobSerializer
from patients.services.imports import ImportProgress, import_body_fault, import_job_progress, import_job_start

KINDS = {"gp-extract": "gp_extract", "activity": "activity"}


def _status_body(request: Request, progress: ImportProgress) -> dict[str, object]:
    url = request.build_absolute_uri(reverse("api-import-job", args=[progress.job.public_id]))
    return {**ImportJobSerializer(progress).data, "status_url": url}


class ImportAPIView(APIView):
    """POST a CSV as multipart `file` (and optionally `strict`): 202 with the job's status address, which
    gives the progress and, when it has finished, the report."""

    permission_classes = [IsAuthenticated, IsAdministrator]
    parser_classes = [MultiPartParser]

    @extend_schema(
        parameters=[OpenApiParameter("kind", str, OpenApiParameter.PATH, enum=sorted(KINDS))],
        request={"multipart/form-data": ImportInputSerializer},
        responses={202: ImportJobSerializer},
    )
    def post(self, request: Request, kind: str) -> Response:
        if kind not in KINDS:
            raise NotFound("Unknown import; use gp-extract or activity.")
        if too_large := import_body_fault(content_length=request.META.get("CONTENT_LENGTH")):
            return Response({"file": [too_large]}, status=status.HTTP_413_REQUEST_ENTITY_TOO_LARGE)
        serializer = ImportInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        job = call(
            import_job_start,
            user=request.user,
            kind=KINDS[kind],
            upload=serializer.validated_data["file"],
            strict=serializer.validated_data["strict"],
        )
        progress = call(import_job_progress, user=request.user, public_id=job.public_id)
        body = _status_body(request, progress)
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": str(body["status_url"])})


class ImportJobAPIView(APIView):
    permission_classes = [IsAuthenticated, IsAdministrator]

    @extend_schema(responses={200: ImportJobSerializer})
    def get(self, request: Request, public_id: UUID) -> Response:
        try:
            progress = call(import_job_progress, user=request.user, public_id=public_id)
        except ImportJob.DoesNotExist as exc:
            raise NotFound("No such import.") from exc
        return Response(_status_body(request, progress))
