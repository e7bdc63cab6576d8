import factory

from jobs.models import City, Space


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"City {n}")
    slug = factory.Sequence(lambda n: f"city-{n}")
    latitude = "52.520000"
    longitude = "13.405000"


class SpaceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Space

    name = factory.Sequence(lambda n: f"Space {n}")
    slug = factory.Sequence(lambda n: f"space-{n}")
    subdomain = factory.Sequence(lambda n: f"space{n}")
    address = "Sample Street 12"
    city = factory.SubFactory(CityFactory)
