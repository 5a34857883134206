import factory
from factory.django import DjangoModelFactory

from caremodel.models import Cluster, Organisation, OrganisationKind, Role, Team, TeamKind, TeamMembership, User


class CommissionerFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(lambda n: f"Q{n:04d}")
    name = factory.Sequence(lambda n: f"Integrated Care Board {n}")
    kind = OrganisationKind.COMMISSIONER


class ClusterFactory(DjangoModelFactory[Cluster]):
    class Meta:
        model = Cluster

    name = factory.Sequence(lambda n: f"Cluster {n}")
    commissioner = factory.SubFactory(CommissionerFactory)


class PracticeFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(lambda n: f"P{n:05d}")
    name = factory.Sequence(lambda n: f"Practice {n}")
    kind = OrganisationKind.GP_PRACTICE
    cluster = factory.SubFactory(ClusterFactory)


class OrganisationFactory(DjangoModelFactory[Organisation]):
    class Meta:
        model = Organisation

    ods_code = factory.Sequence(lambda n: f"R{n:05d}")
    name = factory.Sequence(lambda n: f"Provider {n}")
    kind = OrganisationKind.COMMUNITY_PROVIDER


class TeamFactory(DjangoModelFactory[Team]):
    class Meta:
        model = Team
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Team {n}")
    kind = TeamKind.PRACTICE
    organisation = factory.SubFactory(OrganisationFactory)

    @factory.post_generation
    def practices(self, create: bool, extracted: list[Organisation] | None, **kwargs: object) -> None:
        if create and extracted:
            self.practices.set(extracted)


class UserFactory(DjangoModelFactory[User]):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    role = Role.GP
    password = factory.django.Password("correct-horse-battery")

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        if create and extracted:
            for team in extracted:
                TeamMembership.objects.create(team=team, user=self)
