"""REST API of agents' presence: an agent's own availability, and their teams' for supervisors.

``/presence/`` is the caller's own state (any inbox user); ``/teams/presence/`` lists the members of the teams
the caller oversees (``supervision.supervised_teams``), 403 for anyone who oversees none. Rows carry the user id,
username, team role, status, connected or not, since when, and how many open conversations they hold: no name,
no e-mail, nothing about customers.
"""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from consent.api_errors import error_responses
from consent.api_permissions import require_perms
from conversations import services, supervision
from conversations.models import PresenceStatus, TeamMembership
from conversations.services.presence import presence_render

VIEW = "conversations.view_conversation"


class PresenceIn(serializers.Serializer):
    status = serializers.ChoiceField(choices=PresenceStatus.choices)


class PresenceOut(serializers.Serializer):
    user = serializers.IntegerField()
    username = serializers.CharField()
    status = serializers.ChoiceField(choices=PresenceStatus.choices)
    connected = serializers.BooleanField(help_text="At least one inbox socket open now.")
    since = serializers.DateTimeField(allow_null=True, help_text="When the status was last set; null: never set.")


class MemberPresenceOut(PresenceOut):
    role = serializers.ChoiceField(choices=TeamMembership.Role.choices)
    held = serializers.IntegerField(help_text="Open or pending conversations assigned to the member.")


class TeamPresenceOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    members = MemberPresenceOut(many=True)


def _own(user: Any) -> dict[str, Any]:
    return presence_render(services.presence_get(user=user), username=user.get_username())


class PresenceApi(APIView):
    permission_classes = [require_perms(get=VIEW, post=VIEW)]

    @extend_schema(summary="Your own availability", responses={200: PresenceOut, **error_responses(401, 403)})
    def get(self, request: Request) -> Response:
        return Response(PresenceOut(_own(request.user)).data)

    @extend_schema(
        summary="Set your availability (online, away, offline)",
        description="Auto-assignment picks only agents who are connected and online. Going away or offline "
        "keeps the conversations you hold; a supervisor reassigns them if needed.",
        request=PresenceIn,
        responses={200: PresenceOut, **error_responses(400, 401, 403, 415)},
    )
    def post(self, request: Request) -> Response:
        data = PresenceIn(data=request.data)
        data.is_valid(raise_exception=True)
        services.presence_set(user=request.user, status=data.validated_data["status"])
        return Response(PresenceOut(_own(request.user)).data)


class TeamPresenceApi(APIView):
    permission_classes = [require_perms(get=VIEW)]

    @extend_schema(
        summary="Availability of the members of the teams you oversee",
        description="Team supervisors see their teams; holders of view_all_conversations every team.",
        responses={200: TeamPresenceOut(many=True), **error_responses(401, 403, e403="not a supervisor")},
    )
    def get(self, request: Request) -> Response:
        teams = supervision.supervised_teams(user=request.user)
        if not teams:
            raise PermissionDenied("only a team's supervisors see its members' availability")
        return Response(TeamPresenceOut(supervision.team_presence_list(teams=teams), many=True).data)
