import pytest
from django.contrib.auth.models import AnonymousUser

from organizations.factories import UnitFactory
from organizations.models import StaffScope, Unit, UnitKind
from organizations.scopes import assign_scope, restrict_rows, restrict_units, scope_unit, within_scope


@pytest.fixture
def school_b(other_town):
    return UnitFactory(kind=UnitKind.SCHOOL, name="测试镇小学", parent=other_town)


def test_scope_unit_none_means_no_limit(django_user_model, school):
    assert scope_unit(AnonymousUser()) is None
    staff = django_user_model.objects.create_user(username="city-staff")
    assert scope_unit(staff) is None and within_scope(staff, school) and within_scope(staff, None)
    boss = django_user_model.objects.create_superuser(username="boss")
    StaffScope.objects.create(user=boss, unit=school)
    assert scope_unit(boss) is None


def test_town_and_school_subtrees(django_user_model, city, town, other_town, school, school_b):
    official = django_user_model.objects.create_user(username="official")
    assign_scope(user=official, unit=town)
    liaison = django_user_model.objects.create_user(username="liaison")
    assign_scope(user=liaison, unit=school)
    units = Unit.objects.filter(parent__in=[city, town, other_town]) | Unit.objects.filter(pk=city.pk)

    assert set(restrict_units(units, official)) == {town, school}
    assert set(restrict_units(units, liaison)) == {school}
    assert within_scope(official, school) and within_scope(official, town)
    assert not within_scope(official, other_town) and not within_scope(official, school_b)
    assert not within_scope(official, city) and not within_scope(official, None)
    assert within_scope(liaison, school) and not within_scope(liaison, town)
    headcount_units = restrict_rows(Unit.objects.filter(pk__in=[school.pk, school_b.pk]), liaison, unit_field="town")
    assert list(headcount_units) == []  # rows pointing at a town the school liaison cannot see


def test_city_scope_covers_its_own_city_only(django_user_model, city, town, school):
    other_city = UnitFactory(kind=UnitKind.CITY, name="别的市", parent=None)
    other_town = UnitFactory(kind=UnitKind.TOWN, name="别的镇", parent=other_city)
    user = django_user_model.objects.create_user(username="city-liaison")
    assign_scope(user=user, unit=city)
    assert within_scope(user, school) and within_scope(user, city) and not within_scope(user, other_town)
    assert set(restrict_units(Unit.objects.filter(pk__in=[city.pk, town.pk, school.pk, other_town.pk]), user)) == {
        city,
        town,
        school,
    }


def test_assign_scope_replaces_and_protects_the_unit(django_user_model, town, school):
    from django.db.models import ProtectedError

    user = django_user_model.objects.create_user(username="moved")
    assign_scope(user=user, unit=town)
    assert scope_unit(user) == town
    assign_scope(user=user, unit=school)
    assert scope_unit(user) == school and StaffScope.objects.filter(user=user).count() == 1
    with pytest.raises(ProtectedError):
        school.delete()


def test_staff_scope_admin_is_for_city_staff(client, django_user_model, school):
    admin = django_user_model.objects.get(username="admin")
    client.force_login(admin)
    response = client.get("/admin/snippets/organizations/staffscope/add/")
    assert response.status_code == 200 and "负责单位" in response.content.decode()
    liaison = django_user_model.objects.get(username="jiedao")
    client.force_login(liaison)
    assert client.get("/admin/snippets/organizations/staffscope/").status_code == 302
