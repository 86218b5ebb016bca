"""REST API of the consent app. Thin: validate shape, check permission, call a service.

Refusals answer the one error model of ``consent.api_errors``; each operation's schema lists every status it
can answer. Responses are built by the serializers below.
"""

from typing import Any

from django.http import Http404
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent import selectors, services
from consent.api_errors import error_responses
from consent.api_permissions import require_perms
from consent.jurisdictions import JURISDICTIONS
from consent.models import ConsentChannel, PrivacyNotice, Purpose, Subject
from consent.references import REFERENCE_MAX


def _found[T](found: T | None) -> T:
    if found is None:
        raise Http404
    return found


class PurposeSerializer(serializers.ModelSerializer):
    legal_bases = serializers.SerializerMethodField()

    class Meta:
        model = Purpose
        fields = ["code", "name", "description", "legal_bases", "special_category", "is_marketing",
                  "requires_double_opt_in"]  # fmt: skip

    def get_legal_bases(self, obj: Purpose) -> dict[str, dict[str, str]]:
        result = {}
        for code, jurisdiction in JURISDICTIONS.items():
            basis = jurisdiction.basis(obj.legal_bases.get(code, ""))
            if basis is not None:
                result[code] = {"code": basis.code, "citation": basis.citation, "label": basis.label}
        return result


class PurposeListApi(APIView):
    @extend_schema(
        summary="Active processing purposes and their legal bases",
        responses={200: PurposeSerializer(many=True), **error_responses(401)},
    )
    def get(self, request: Request) -> Response:
        return Response(PurposeSerializer(selectors.purpose_list(), many=True).data)


class ConsentStateSerializer(serializers.Serializer):
    purpose = serializers.CharField(source="purpose.code")
    status = serializers.CharField()
    changed_at = serializers.DateTimeField(allow_null=True)
    notice = serializers.SerializerMethodField()

    def get_notice(self, obj: dict) -> dict | None:
        notice = obj["notice"]
        if notice is None:
            return None
        return {"id": notice.pk, "version": notice.version, "language": notice.language, "sha256": notice.content_hash}


class SubjectConsentListApi(APIView):
    permission_classes = [require_perms(get="consent.view_consentstate")]

    @extend_schema(
        summary="A subject's consent state per purpose",
        responses={200: ConsentStateSerializer(many=True), **error_responses(401, 403, 404)},
    )
    def get(self, request: Request, public_id: str) -> Response:
        subject = _found(selectors.subject_get(public_id=public_id))
        return Response(ConsentStateSerializer(selectors.consent_state_list(subject=subject), many=True).data)


class ConsentRecordSerializer(serializers.Serializer):
    channel = serializers.ChoiceField(choices=ConsentChannel.choices, default=ConsentChannel.API)
    reference = serializers.CharField(
        max_length=REFERENCE_MAX, required=False, default="",
        help_text="Where the staff member took this from: a ticket, call or request number such as 'call #1234' "
        "(kept in the ledger for years: never a name or a description).",
    )  # fmt: skip
    form = serializers.RegexField(
        r"^[A-Za-z0-9_.-]{0,40}$", required=False, default="", help_text="The form's identifier, e.g. 'signup-v2'."
    )
    notice_id = serializers.IntegerField(required=False, allow_null=True, default=None)


class ConsentChangeSerializer(serializers.Serializer):
    status = serializers.CharField()
    changed = serializers.BooleanField()
    event_seq = serializers.IntegerField(allow_null=True)
    message = serializers.CharField(help_text="What to send to the subject, in their language.")


class _ConsentRecordApi(APIView):
    permission_classes = [require_perms(post="consent.add_consentevent")]
    takes_notice = True
    service: Any  # the consent service this endpoint records through

    def _parse(self, request: Request, public_id: str, purpose_code: str) -> tuple[Subject, Purpose, dict]:
        subject = _found(selectors.subject_get(public_id=public_id))
        purpose = _found(selectors.purpose_get(code=purpose_code))
        serializer = ConsentRecordSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return subject, purpose, serializer.validated_data

    def post(self, request: Request, public_id: str, purpose_code: str) -> Response:
        subject, purpose, data = self._parse(request, public_id, purpose_code)
        recorded = self._recorded(request, subject, purpose, data)
        if self.takes_notice:
            recorded["notice"] = self._notice(data)
        return self._respond(self.service(**recorded))

    def _respond(self, change: services.ConsentChange) -> Response:
        body = ConsentChangeSerializer(
            {
                "status": change.status,
                "changed": change.changed,
                "event_seq": change.event.seq if change.event else None,
                "message": change.message,
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if change.changed else status.HTTP_200_OK)

    @staticmethod
    def _notice(data: dict) -> PrivacyNotice | None:
        if data["notice_id"] is None:
            return None
        return _found(selectors.notice_get(notice_id=data["notice_id"]))

    @staticmethod
    def _recorded(request: Request, subject: Subject, purpose: Purpose, data: dict) -> dict[str, Any]:
        """Who records what, through which channel, with which evidence: the arguments every consent service takes."""
        evidence = services.Evidence(reference=data["reference"], form=data["form"])
        return {"subject": subject, "purpose": purpose, "channel": data["channel"], "evidence": evidence,
                "actor": request.user}  # fmt: skip


def _record_schema(summary: str, *, e409: str) -> Any:
    return extend_schema(
        summary=summary,
        request=ConsentRecordSerializer,
        responses={
            201: OpenApiResponse(ConsentChangeSerializer, description="Recorded in the ledger"),
            200: OpenApiResponse(ConsentChangeSerializer, description="Nothing to record (already so)"),
            **error_responses(
                400, 401, 403, 404, 409, 415,
                e400="invalid_evidence", e404="no such subject, active purpose or notice", e409=e409,
            ),
        },
    )  # fmt: skip


@extend_schema_view(
    post=_record_schema(
        "Record consent a staff member took (single opt-in; the reference says where)",
        e409="double_opt_in_required, notice_unavailable, invalid_transition",
    )
)
class ConsentGrantApi(_ConsentRecordApi):
    service = staticmethod(services.consent_grant)


@extend_schema_view(
    post=_record_schema(
        "Start double opt-in: the message to send asks the customer to confirm",
        e409="notice_unavailable, invalid_transition",
    )
)
class ConsentRequestApi(_ConsentRecordApi):
    service = staticmethod(services.consent_request)


@extend_schema_view(post=_record_schema("Withdraw consent (any state, repeatable)", e409="invalid_transition"))
class ConsentWithdrawApi(_ConsentRecordApi):
    service = staticmethod(services.consent_withdraw)
    takes_notice = False  # a withdrawal needs no notice: it is always possible
