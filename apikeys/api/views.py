"""``GET /v2/me``: how a channel manager verifies a key a host pasted into it
(``shared/spec/coliving-integrations-api.txt``, "Verify Credentials")."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers

from coliving.api.base import ApiView
from coliving.api.ratelimit import Limit
from coliving.api.timestamps import TimestampField, iso_ms, iso_seconds

VERIFIED_AT = serializers.DateTimeField(help_text="Now, UTC, with milliseconds: 2024-01-01T08:00:00.000Z.")


class MeView(ApiView):
    """The key owner's profile; any valid key may call it (no scope needed)."""

    any_key = True
    tenancy = "owner"  # the key's own owner, nothing else
    # The spec: /me is also limited per IP (a provider verifying many hosts' keys).
    extra_rate_limits = (Limit("me-ip-minute", "ip", setting="RATELIMIT_PUBLIC_PER_MINUTE"),)

    @extend_schema(
        operation_id="me",
        tags=["integrations"],
        responses=inline_serializer(
            "MeResponse",
            {
                "success": serializers.BooleanField(),
                "api_key_verified_at": VERIFIED_AT,
                "data": inline_serializer(
                    "Me",
                    {
                        "name": serializers.CharField(),
                        "email": serializers.EmailField(),
                        "created_at": TimestampField(help_text="UTC, whole seconds: 2024-01-01T08:00:00Z."),
                        "api_key_verified_at": VERIFIED_AT,
                        "last_login_at": TimestampField(allow_null=True, help_text="UTC, whole seconds."),
                    },
                ),
            },
        ),
    )
    def get(self, request):
        owner = request.user
        verified_at = iso_ms(timezone.now())
        data = {
            "name": owner.name,
            "email": owner.email,
            "created_at": iso_seconds(owner.date_joined),
            "api_key_verified_at": verified_at,
            "last_login_at": iso_seconds(owner.last_login),
        }
        response = self.respond(data)
        # One published revision returns these flat; keep both so either client works.
        response.data["api_key_verified_at"] = verified_at
        return response
