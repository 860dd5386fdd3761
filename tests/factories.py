"""Factories shared by every app's tests: people and countries."""

import factory

from readmit.accounts.models import Department, Role, User
from readmit.core.models import Country
from readmit.core.security import SecurityLevel


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = "IRCC"
    name_en = factory.LazyAttribute(lambda d: f"Department {d.code}")
    name_fr = factory.LazyAttribute(lambda d: f"Ministère {d.code}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    department = factory.SubFactory(DepartmentFactory)
    role = Role.VIEWER
    clearance = SecurityLevel.UNCLASSIFIED
    has_need_to_know = False
    password = factory.django.Password("correct-horse-battery")


def cleared_user(**overrides) -> User:
    """A user who may see targeted countries: Protected B and need-to-know."""
    values = {"clearance": SecurityLevel.PROTECTED_B, "has_need_to_know": True}
    values.update(overrides)
    return UserFactory(**values)


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Country
        django_get_or_create = ("code",)

    code = "XAA"
    name_en = factory.LazyAttribute(lambda c: f"Fictionland {c.code}")
    name_fr = factory.LazyAttribute(lambda c: f"Fictionie {c.code}")
    is_user_assigned = True
