"""Who may check people in: those who may publish the event, its 签到志愿者 (assigned per event,
with no other right), and liaisons for their own units; everyone else gets a 403 in Chinese."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from wagtail.models import GroupPagePermission

from events import services
from events.choices import RegistrationStatus
from events.models import CheckInVolunteer, Registration
from events.recurrence import LOCAL_TIME_ZONE


@pytest.fixture
def event(make_event):
    return make_event(title="签到测试活动", registration_enabled=True, capacity=10)


@pytest.fixture
def registration(event):
    occurrence_date = event.starts_at.astimezone(LOCAL_TIME_ZONE).date()
    registration, _token = services.register(
        event=event, occurrence_date=occurrence_date, name="王小明", phone="13800001234", adult_or_guardian_consent=True
    )
    return registration


def user(username):
    return get_user_model().objects.create_user(username, password="x")


def check_in_urls(event, registration):
    return event.url + "check-in/", event.url + f"check-in/{registration.public_id}/"


def test_a_volunteer_checks_people_in_at_their_event_only(client, event, make_event, registration):
    volunteer = user("volunteer")
    CheckInVolunteer.objects.create(event=event, user=volunteer)
    client.force_login(volunteer)
    assert "签到管理（工作人员）" in client.get(event.url).content.decode()
    listing_url, confirm_url = check_in_urls(event, registration)
    listing = client.get(listing_url)
    assert listing.status_code == 200 and "王*明 138****1234" in listing.content.decode()
    assert client.post(confirm_url).status_code == 302
    registration.refresh_from_db()
    assert registration.checked_in_at is not None

    other = make_event(title="别的活动", registration_enabled=True)
    refused = client.get(other.url + "check-in/")
    assert refused.status_code == 403 and "没有为活动签到的权限" in refused.content.decode()
    assert "签到管理（工作人员）" not in client.get(other.url).content.decode()


def test_a_volunteer_cannot_edit_or_publish_the_event(client, event):
    volunteer = user("volunteer")
    CheckInVolunteer.objects.create(event=event, user=volunteer)
    client.force_login(volunteer)
    assert not event.permissions_for_user(volunteer).can_edit()
    assert client.get(f"/admin/pages/{event.pk}/edit/").status_code == 302  # to the login page


def test_someone_who_may_publish_the_event_may_check_in(client, event, registration):
    editors = Group.objects.create(name="测试发布者")
    editors.permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    for codename in ("add_page", "change_page", "publish_page"):
        GroupPagePermission.objects.create(
            group=editors, page=event.get_parent(), permission=Permission.objects.get(codename=codename)
        )
    publisher = user("publisher")
    publisher.groups.add(editors)
    assert not publisher.has_perm("events.change_registration")
    client.force_login(publisher)
    listing_url, confirm_url = check_in_urls(event, registration)
    assert client.get(listing_url).status_code == 200
    assert client.post(confirm_url).status_code == 302


def test_anyone_else_is_refused_and_nothing_changes(client, event, registration):
    client.force_login(user("passer-by"))
    listing_url, confirm_url = check_in_urls(event, registration)
    for response in (client.get(listing_url), client.get(confirm_url), client.post(confirm_url)):
        assert response.status_code == 403 and "没有为活动签到的权限" in response.content.decode()
    registration.refresh_from_db()
    assert registration.checked_in_at is None


def test_an_inactive_volunteer_is_refused(client, event, registration):
    volunteer = user("gone")
    CheckInVolunteer.objects.create(event=event, user=volunteer)
    volunteer.is_active = False
    volunteer.save()
    listing_url, _confirm_url = check_in_urls(event, registration)
    client.force_login(volunteer)
    assert client.get(listing_url).status_code in (302, 403)


def test_a_signed_out_volunteer_is_sent_to_sign_in(client, event):
    response = client.get(event.url + "check-in/")
    assert response["Location"].startswith("/admin/login/?next=")


def test_a_volunteer_signs_in_at_the_login_page_and_lands_on_the_check_in_list(client, event):
    volunteer = user("door-volunteer")
    CheckInVolunteer.objects.create(event=event, user=volunteer)
    next_url = event.url + "check-in/"
    response = client.post(f"/admin/login/?next={next_url}", {"username": "door-volunteer", "password": "x"})
    assert response.status_code == 302 and response["Location"] == next_url
    assert client.get(next_url).status_code == 200


def test_one_volunteer_is_assigned_to_an_event_once(event):
    from django.db import IntegrityError, transaction

    volunteer = user("twice")
    CheckInVolunteer.objects.create(event=event, user=volunteer)
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckInVolunteer.objects.create(event=event, user=volunteer)


def test_staff_assign_volunteers_in_the_admin(client, event):
    volunteer = user("assigned-in-admin")
    client.force_login(get_user_model().objects.create_superuser("admin-assigner", password="x"))
    add_url = "/admin/snippets/events/checkinvolunteer/add/"
    assert "签到志愿者" in client.get(add_url).content.decode()
    response = client.post(add_url, {"event": event.pk, "user": volunteer.pk})
    assert response.status_code == 302
    assert CheckInVolunteer.objects.filter(event=event, user=volunteer).exists()


def test_a_waitlisted_registration_is_not_checked_in_by_a_volunteer(client, make_event):
    event = make_event(registration_enabled=True, capacity=1)
    occurrence_date = event.starts_at.astimezone(LOCAL_TIME_ZONE).date()
    services.register(
        event=event, occurrence_date=occurrence_date, name="甲", phone="13800005678", adult_or_guardian_consent=True
    )
    waiting, _token = services.register(
        event=event, occurrence_date=occurrence_date, name="乙", phone="13800005679", adult_or_guardian_consent=True
    )
    volunteer = user("volunteer")
    CheckInVolunteer.objects.create(event=event, user=volunteer)
    client.force_login(volunteer)
    response = client.post(event.url + f"check-in/{waiting.public_id}/")
    assert response.status_code == 422 and "只有报名成功的记录才能签到" in response.content.decode()
    assert Registration.objects.get(pk=waiting.pk).status == RegistrationStatus.WAITLISTED
