import factory

from accounts.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = "Alice"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    password = factory.django.Password("correct horse battery staple")
