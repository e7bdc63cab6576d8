"""Probe views for testing the shared API plumbing in each family, plus the real routes.

Used with ``@pytest.mark.urls("coliving.tests.urls")``.
"""

from django.urls import path
from rest_framework import serializers

from coliving.api.base import ApiView
from coliving.api.families import Family
from coliving.api.idempotency import idempotent
from coliving.api.ratelimit import Limit
from coliving.api.routing import mount, space_mount
from coliving.urls import handler400, handler403, handler404, handler500
from coliving.urls import urlpatterns as real_urlpatterns
from jobs.models import City


class ProbeInput(serializers.Serializer):
    name = serializers.CharField(max_length=50)
    count = serializers.IntegerField(min_value=0)
    items = serializers.ListField(child=serializers.DictField(child=serializers.IntegerField()), required=False)


class Probe(ApiView):
    def get(self, request):
        return self.respond({"ok": True})

    def post(self, request):
        data = ProbeInput(data=request.data)
        data.is_valid(raise_exception=True)
        return self.respond(data.validated_data, status=201)


class ColivingProbe(Probe):
    family = Family.COLIVING
    read_scope = "users.read"
    write_scope = "users.write"


class CoworkiesProbe(Probe):
    family = Family.COWORKIES
    read_scope = "jobs:read"
    write_scope = "jobs:write"


class CobotProbe(Probe):
    family = Family.COBOT
    read_scope = "read_bookings"
    write_scope = "write_bookings"


class UndeclaredProbe(Probe):
    """Declares no scope: must be closed to every key."""


class PublicProbe(Probe):
    family = Family.COWORKIES
    public = True


class LimitedCreateProbe(ColivingProbe):
    extra_rate_limits = (Limit("probe-create", "key", rate="2/m", methods=("POST",)),)


class CityCreate(ApiView):
    """Creates a City: something observable for the idempotency tests."""

    write_scope = "users.write"

    @idempotent
    def post(self, request):
        name = request.data.get("name", "")
        if name == "fail":
            return self.respond({"failed": True}, status=400)
        if name == "raise":
            raise RuntimeError("boom")
        if City.objects.filter(name=name, slug=name).exists():
            return self.respond({"exists": True}, status=200)  # a 2xx that creates nothing
        city = City.objects.create(name=name, slug=f"{name}-{City.objects.count()}")
        return self.respond({"id": city.pk, "name": city.name}, status=201, headers={"Location": f"/cities/{city.pk}"})

    put = post  # the same handler under a second method: another operation for the idempotency claim


class CoworkiesCityCreate(CityCreate):
    """The same, in a family that also takes form and multipart bodies."""

    family = Family.COWORKIES
    write_scope = "jobs:write"


class Boom(ApiView):
    public = True

    def get(self, request):
        raise RuntimeError("secret internal detail")


probe_urlpatterns = [
    path("probe/coliving", ColivingProbe.as_view()),
    path("probe/undeclared", UndeclaredProbe.as_view()),
    path("probe/limited", LimitedCreateProbe.as_view()),
    path("probe/cities", CityCreate.as_view()),
    path("probe/towns", CityCreate.as_view()),  # the same operation at a second path
    path("probe/boom", Boom.as_view()),
]
coworkies_probe_urlpatterns = [
    path("jobs/probe", CoworkiesProbe.as_view()),
    path("jobs/cities", CoworkiesCityCreate.as_view()),
    path("feedback/probe", PublicProbe.as_view()),
]
space_probe_urlpatterns = [path("probe", CobotProbe.as_view())]

urlpatterns = [
    *mount(Family.COLIVING, "v2", probe_urlpatterns),
    *mount(Family.COWORKIES, "v2", coworkies_probe_urlpatterns),
    *space_mount(space_probe_urlpatterns),
    *real_urlpatterns,
]

__all__ = ["urlpatterns", "handler400", "handler403", "handler404", "handler500"]
