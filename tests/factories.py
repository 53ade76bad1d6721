"""factory_boy factories: deterministic data for tests (sequences, no random values)."""

import factory
from django.utils import timezone

from accounts.models import User
from membership.models import Membership
from payments.models import Contribution, Contributor, Frequency


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)

    email = factory.Sequence(lambda n: f"reader{n}@example.org")
    password = factory.django.Password("correct horse battery staple")


class ContributorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contributor

    email = factory.Sequence(lambda n: f"contributor{n}@example.org")
    name = factory.Sequence(lambda n: f"Contributor {n}")


class ContributionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contribution

    contributor = factory.SubFactory(ContributorFactory)
    frequency = Frequency.ONE_OFF
    amount_minor = 2500
    currency = "USD"
    status = Contribution.Status.PENDING


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    contributor = factory.SubFactory(ContributorFactory)
    status = Membership.Status.ACTIVE
    state = Membership.State.ACTIVE
    interval = Membership.Interval.MONTH
    amount_minor = 1000
    currency = "USD"
    started_at = factory.LazyFunction(timezone.now)
