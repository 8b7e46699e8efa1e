from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Permission

from organizations.factories import UnitFactory
from organizations.models import AudienceGroup, Headcount, UnitKind
from participation.factories import CampaignFactory


@pytest.fixture
def campaign(db):
    # A campaign of its own: the demo's ledger and headcounts (2026年安全生产月) stay out of the numbers.
    return CampaignFactory(name="测试安全月")


@dataclass
class Tree:
    city: object
    towns: list
    units: list


def headcount(unit, campaign, expected, audience=None):
    audience = (
        audience
        or {
            UnitKind.SCHOOL: AudienceGroup.STUDENTS,
            UnitKind.COMMUNITY: AudienceGroup.RESIDENTS,
            UnitKind.ENTERPRISE: AudienceGroup.STAFF,
            UnitKind.GOVERNMENT: AudienceGroup.OFFICIALS,
        }[unit.kind]
    )
    return Headcount.objects.create(unit=unit, campaign=campaign, audience=audience, expected=expected)


def build_tree(campaign, *, towns=2, per_town=2, name="测试市"):
    """A city of its own with ``towns`` towns, each with ``per_town`` schools and one community;
    every unit but each town's community has a headcount."""
    city = UnitFactory(kind=UnitKind.CITY, name=name, parent=None)
    built_towns, units = [], []
    for t in range(towns):
        town = UnitFactory(kind=UnitKind.TOWN, name=f"{name}第{t}镇", parent=city)
        built_towns.append(town)
        for s in range(per_town):
            school = UnitFactory(kind=UnitKind.SCHOOL, name=f"{name}第{t}镇第{s}小学", parent=town)
            headcount(school, campaign, 10)
            units.append(school)
        units.append(UnitFactory(kind=UnitKind.COMMUNITY, name=f"{name}第{t}镇社区", parent=town))
    return Tree(city=city, towns=built_towns, units=units)


@pytest.fixture
def tree(campaign):
    return build_tree(campaign)


def staff_user(django_user_model, *codenames, username="staff"):
    """An admin user with the given participation permissions and nothing else."""
    user = django_user_model.objects.create_user(username=username, password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    for codename in codenames:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="participation", codename=codename))
    return user


@pytest.fixture
def reporter(client, django_user_model):
    """A client logged in as staff who may view the participation report."""
    client.force_login(staff_user(django_user_model, "view_report"))
    return client
