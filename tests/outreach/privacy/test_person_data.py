"""Staff find one person's data (by unit and name, or by phone), export it and delete it; only
with the permission, and every step in the audit log without the plain name or phone."""

import io

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from events.models import Registration
from organizations.models import StaffScope
from organizations.people import DELETE_ACTION, EXPORT_ACTION, LOOKUP_ACTION, is_anonymous_alias
from participation import selectors
from quizzes.models import AnswerSheet, Participant

pytestmark = pytest.mark.django_db

URL = reverse("outreach_personal_data")


def _staff(django_user_model, *, may_manage):
    user = django_user_model.objects.create_user(username="privacy-staff", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    if may_manage:
        user.user_permissions.add(Permission.objects.get(codename="manage_personal_data"))
    return user


@pytest.fixture
def officer(client, django_user_model):
    user = _staff(django_user_model, may_manage=True)
    client.force_login(user)
    return user


def _logs(user, action):
    return list(ModelLogEntry.objects.filter(action=action, user=user))


def test_staff_without_the_permission_see_nothing(client, django_user_model, people, school):
    client.force_login(_staff(django_user_model, may_manage=False))
    # The admin answers PermissionDenied with a redirect to its dashboard.
    for response in (
        client.get(URL, {"unit": school.pk, "name": "张小明"}),
        client.post(URL, {"unit": school.pk, "name": "张小明", "action": "delete"}),
    ):
        assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))
    assert not ModelLogEntry.objects.filter(action__startswith="privacy.").exists()
    assert Participant.objects.filter(name="张小明").exists()
    assert URL not in client.get(reverse("wagtailadmin_home")).content.decode()


def test_a_liaison_with_the_permission_is_still_refused(client, officer, people, school):
    StaffScope.objects.create(user=officer, unit=school)
    response = client.get(URL, {"unit": school.pk, "name": "张小明"})
    assert (response.status_code, response.url) == (302, reverse("wagtailadmin_home"))


def test_lookup_by_unit_and_name_is_logged_masked(client, officer, people, school):
    assert URL in client.get(reverse("wagtailadmin_home")).content.decode()
    response = client.get(URL, {"unit": school.pk, "name": "张 小明"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "张小明" in page and "三年级一班" in page
    assert "李华" not in page
    [entry] = _logs(officer, LOOKUP_ACTION)
    assert entry.data["name"] == "张**明" and entry.data["participants"] == 1  # masked as typed
    assert "张小明" not in str(entry.data)


def test_lookup_by_phone_finds_registrations_and_participants(client, officer, people):
    response = client.get(URL, {"phone": "13900000009"})
    assert "赵强" in response.content.decode()
    response = client.get(URL, {"phone": "13800000001"})
    assert "王芳" in response.content.decode()
    assert [entry.data["phone"] for entry in _logs(officer, LOOKUP_ACTION)] == ["138****0001", "139****0009"]


def test_an_incomplete_query_finds_nothing_and_logs_nothing(client, officer, people, school):
    for query in ({"name": "张小明"}, {"unit": school.pk}, {"phone": "12345"}):
        response = client.get(URL, query)
        assert response.status_code == 200
        assert "三年级一班" not in response.content.decode()
    assert _logs(officer, LOOKUP_ACTION) == []


def test_export_is_a_workbook_of_text_cells(client, officer, people, school):
    response = client.post(URL, {"unit": school.pk, "name": "张小明", "action": "export"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="personal-data-')
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)]
    # The participant and both sheets, with the sheets' IP addresses.
    assert [row[0] for row in rows] == ["答题人", "答卷", "答卷"]
    assert {row[1] for row in rows} == {"张小明"}
    assert rows[1][7] == "10.1.2.3"
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row if cell.value is not None)
    assert _logs(officer, EXPORT_ACTION)[0].data["rows"] == 3


def test_delete_anonymises_the_person_and_keeps_the_figures(client, officer, people, school, campaign):
    before = selectors.figures_for(campaign=campaign, unit=school)
    response = client.post(URL, {"phone": "13800000001", "action": "delete"})
    assert response.status_code == 302
    assert not Registration.objects.filter(name="王芳").exists()
    response = client.post(URL, {"unit": school.pk, "name": "张小明", "action": "delete"})
    assert response.status_code == 302
    ming = Participant.objects.get(pk=people[0].pk)
    assert is_anonymous_alias(ming.name) and ming.class_name == ""
    assert not AnswerSheet.objects.filter(participant=ming).exclude(ip_address=None).exists()
    assert Participant.objects.filter(name="李华").exists()
    assert selectors.figures_for(campaign=campaign, unit=school) == before
    assert [(entry.data["participants"], entry.data["registrations"]) for entry in _logs(officer, DELETE_ACTION)] == [
        (1, 0),
        (0, 1),
    ]
