"""``POST /v2/users`` and ``GET /v2/users/{id}`` (``shared/spec/coliving-partner-api.txt``, "Create User").

A partner creates users with a ``users.write`` key and reads back, with ``users.read``,
only the users its own keys created; anyone else's user is the same 404 as an unknown id.
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema

from accounts.api.serializers import UserCreateSerializer, UserResponseSerializer, UserSerializer
from accounts.models import User
from accounts.services import EMAIL_TAKEN, user_create
from coliving.api.base import ApiGenericView
from coliving.api.idempotency import idempotent
from coliving.api.parsers import JSONParser
from coliving.api.routing import reverse_twin
from coliving.api.schema import ColivingError

SPEC_EXAMPLE = {
    "email": "user@example.com",
    "password": "securepassword123",
    "first_name": "John",
    "last_name": "Doe",
    "phone": "+1234567890",
    "date_of_birth": "1990-01-01",
    "gender": "male",
    "country": "United States",
    "city": "New York",
    "timezone": "America/New_York",
    "language": "en",
}

USER_NOT_FOUND = "User not found or unauthorized"


class UserCreateView(ApiGenericView):
    write_scope = "users.write"
    tenancy = "owner"
    queryset = User.objects.all()
    parser_classes = [JSONParser]  # the spec's body is JSON (meta is an object); forms are 415

    @extend_schema(
        operation_id="users_create",
        tags=["users"],
        summary="Create a user",
        description="Creates an active user through the web sign-up pipeline: names are formatted, `meta` is "
        "stored as meta attributes, a `UserCreated` event is recorded and sent to the tracking endpoint. The "
        "user is readable afterwards by any key of the same partner (`GET /v2/users/{id}`).",
        request=UserCreateSerializer,
        responses={
            201: OpenApiResponse(UserResponseSerializer, description="The user, as stored."),
            409: OpenApiResponse(
                ColivingError,
                description=f'"{EMAIL_TAKEN}" (code `email_taken`, whatever the case of the address), or an '
                "Idempotency-Key conflict.",
            ),
        },
        examples=[OpenApiExample("Spec example", value=SPEC_EXAMPLE, request_only=True)],
    )
    @idempotent
    def post(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_create(
            **serializer.validated_data, created_by=request.user, api_key=request.auth, sandbox=request.tenant.sandbox
        )
        location = reverse_twin(request, "user-detail", kwargs={"user_id": user.pk})
        return self.respond(UserSerializer(user).data, status=201, headers={"Location": location})


class UserDetailView(ApiGenericView):
    read_scope = "users.read"
    tenancy = "owner"
    queryset = User.objects.prefetch_related("meta_attributes")
    lookup_url_kwarg = "user_id"
    not_found_message = USER_NOT_FOUND

    @extend_schema(
        operation_id="users_retrieve",
        tags=["users"],
        summary="Get a user created by your keys",
        responses={
            200: OpenApiResponse(UserResponseSerializer, description="The user."),
            404: OpenApiResponse(ColivingError, description=f'"{USER_NOT_FOUND}": unknown, or not created by you.'),
        },
    )
    def get(self, request, user_id: int):
        return self.respond(UserSerializer(self.get_object()).data)
