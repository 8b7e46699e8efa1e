"""No overtaking, no hoarding: free places go to the waitlist in the order people registered, a
newcomer is served after those already waiting, and a large group from someone who is not its
unit's liaison waits for staff before it takes any place."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from wagtail.models import PageLogEntry

from events import services
from events.choices import RegistrationStatus
from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE
from events.signals import registration_changed
from organizations.factories import UnitFactory
from organizations.models import UnitKind
from organizations.scopes import assign_scope, setup_liaison_group

PENDING_URL = "/admin/events/pending-groups/"


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def register_with_token(event, phone, **kwargs):
    kwargs.setdefault("name", "张三")
    return services.register(
        event=event, occurrence_date=day(event), phone=phone, **kwargs, adult_or_guardian_consent=True
    )


def register(event, phone, **kwargs):
    return register_with_token(event, phone, **kwargs)[0]


def statuses(*registrations):
    for registration in registrations:
        registration.refresh_from_db()
    return [registration.status for registration in registrations]


def form(event, phone, **fields):
    return {
        "occurrence": day(event).isoformat(),
        "name": "赵老师",
        "phone": phone,
        "adult_or_guardian_consent": "on",
        **fields,
    }


@pytest.fixture
def event(make_event):
    return make_event(title="公平报名活动", registration_enabled=True, capacity=4, allow_groups=True)


@pytest.fixture
def full_with_a_group_at_the_head(event, school):
    """Four places taken by A, B and a pair C; waiting: a group of three, then one person.
    Returns A's registration and cancel token, the group and the person."""
    a, token = register_with_token(event, "13800000001")
    register(event, "13800000002")
    register(event, "13800000003", unit=school, party_size=2)
    group = register(event, "13800000004", unit=school, party_size=3)
    person = register(event, "13800000005")
    assert statuses(group, person) == [RegistrationStatus.WAITLISTED] * 2
    return a, token, group, person


def test_a_freed_place_skips_only_the_group_too_large_for_it(event, full_with_a_group_at_the_head):
    a, token, group, person = full_with_a_group_at_the_head
    promoted = services.cancel_registration(event=event, public_id=a.public_id, token=token)
    assert promoted == [person]
    assert statuses(group, person) == [RegistrationStatus.WAITLISTED, RegistrationStatus.CONFIRMED]
    assert services.confirmed_places(event=event, occurrence_date=day(event)) == 4


def test_a_newcomer_never_overtakes_someone_waiting(event, school):
    register(event, "13800000011", unit=school, party_size=3)
    waiting = register(event, "13800000012", unit=school, party_size=2)
    # A place is free, but the pair waiting came first: an editor's capacity change without
    # publishing (a raw update) leaves exactly that situation, and a newcomer must not take it.
    type(event).objects.filter(pk=event.pk).update(capacity=5)
    event.refresh_from_db()
    newcomer = register(event, "13800000013")
    assert statuses(waiting, newcomer) == [RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED]


def test_a_newcomer_after_a_cancel_joins_the_back_of_the_queue(event, full_with_a_group_at_the_head):
    a, token, group, person = full_with_a_group_at_the_head
    services.cancel_registration(event=event, public_id=a.public_id, token=token)
    newcomer = register(event, "13800000021")
    assert statuses(group, person, newcomer) == [
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]


def test_publishing_a_higher_capacity_confirms_the_waitlist_in_order(make_event):
    event = make_event(registration_enabled=True, capacity=2)
    register(event, "13800000031")
    register(event, "13800000032")
    waiting = [register(event, f"1380000004{n}") for n in range(3)]
    event.capacity = 4
    event.save_revision().publish()
    assert statuses(*waiting) == [
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
    ]
    newcomer = register(event, "13800000049")
    assert statuses(newcomer) == [RegistrationStatus.WAITLISTED]
    event.capacity = None  # 不限名额: everyone waiting is in
    event.save_revision().publish()
    assert statuses(waiting[2], newcomer) == [RegistrationStatus.CONFIRMED] * 2


def test_a_lower_capacity_bumps_nobody(make_event):
    event = make_event(registration_enabled=True, capacity=2)
    kept = [register(event, "13800000051"), register(event, "13800000052")]
    event.capacity = 1
    event.save_revision().publish()
    assert statuses(*kept) == [RegistrationStatus.CONFIRMED] * 2
    assert statuses(register(event, "13800000053")) == [RegistrationStatus.WAITLISTED]


def test_a_draft_with_a_higher_capacity_gives_no_places_until_published(make_event):
    event = make_event(registration_enabled=True, capacity=1)
    register(event, "13800000061")
    waiting = register(event, "13800000062")
    event.capacity = 5
    event.save_revision()
    assert statuses(waiting) == [RegistrationStatus.WAITLISTED]


# Large groups: a liaison's, or held for staff.


@pytest.fixture
def liaison(school):
    user = get_user_model().objects.create_user("school-liaison", password="x")
    user.groups.add(setup_liaison_group())
    assign_scope(user=user, unit=school)
    return user


def test_a_large_group_from_an_anonymous_registrant_waits_for_staff_and_takes_no_place(client, event, school):
    response = client.post(event.url + "register/", form(event, "13900000001", unit=school.pk, party_size="6"))
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "待审核" in page and "须经工作人员审核" in page
    held = Registration.objects.get(phone="13900000001")
    assert held.status == RegistrationStatus.PENDING
    # The places are still there for everyone else.
    assert statuses(*[register(event, f"1380000007{n}") for n in range(4)]) == [RegistrationStatus.CONFIRMED] * 4


def test_a_group_of_five_needs_no_review(client, event, school):
    client.post(event.url + "register/", form(event, "13900000002", unit=school.pk, party_size="5"))
    assert Registration.objects.get(phone="13900000002").status == RegistrationStatus.WAITLISTED  # 5 > 4 places


def test_the_size_that_needs_review_is_a_setting(settings, event, school):
    settings.EVENTS_MAX_PUBLIC_GROUP = 1
    assert register(event, "13900000003", unit=school, party_size=2).status == RegistrationStatus.PENDING


def test_the_units_signed_in_liaison_registers_a_large_group_directly(client, make_event, school, liaison):
    event = make_event(registration_enabled=True, capacity=10, allow_groups=True)
    client.force_login(liaison)
    client.post(event.url + "register/", form(event, "13900000004", unit=school.pk, party_size="8"))
    assert Registration.objects.get(phone="13900000004").status == RegistrationStatus.CONFIRMED


def test_a_liaison_of_another_unit_is_held_for_review(client, make_event, town, liaison):
    other = UnitFactory(kind=UnitKind.SCHOOL, name="别的学校", parent=town)
    event = make_event(registration_enabled=True, capacity=10, allow_groups=True)
    client.force_login(liaison)
    client.post(event.url + "register/", form(event, "13900000005", unit=other.pk, party_size="8"))
    assert Registration.objects.get(phone="13900000005").status == RegistrationStatus.PENDING


@pytest.fixture
def staff(db):
    return get_user_model().objects.create_superuser("reviewer", password="x")


def test_staff_confirm_a_held_group_in_the_admin_and_it_is_audit_logged(client, make_event, school, staff):
    event = make_event(registration_enabled=True, capacity=10, allow_groups=True)
    held = register(event, "13900000006", unit=school, party_size=6)
    other = register(event, "13900000007", unit=school, party_size=7)
    client.force_login(staff)
    listing = client.get(PENDING_URL).content.decode()
    assert "集体报名审核" in listing and school.name in listing and str(held.public_id) in listing
    response = client.post(PENDING_URL, {"registration": str(other.public_id), "decision": "confirm"})
    assert response.status_code == 302
    assert "已确认" in client.get(PENDING_URL).content.decode()
    assert statuses(other, held) == [RegistrationStatus.CONFIRMED, RegistrationStatus.PENDING]
    client.post(PENDING_URL, {"registration": str(held.public_id), "decision": "confirm"})
    assert statuses(held) == [RegistrationStatus.WAITLISTED]  # six do not fit in the three places left
    again = client.post(PENDING_URL, {"registration": str(held.public_id), "decision": "confirm"})
    assert again.status_code == 404  # no longer held: nothing to review
    logs = PageLogEntry.objects.filter(page=event, action=services.GROUP_CONFIRMED_ACTION)
    assert logs.count() == 2 and {log.user for log in logs} == {staff}
    assert {log.data["registration"] for log in logs} == {str(held.public_id), str(other.public_id)}


def test_staff_refuse_a_held_group(client, event, school, staff):
    held = register(event, "13900000008", unit=school, party_size=6)
    client.force_login(staff)
    for decision in ("", "yes", "²"):
        response = client.post(PENDING_URL, {"registration": str(held.public_id), "decision": decision})
        assert response.status_code == 422 and "请选择“确认”或“拒绝”" in response.content.decode()
    assert statuses(held) == [RegistrationStatus.PENDING]
    client.post(PENDING_URL, {"registration": str(held.public_id), "decision": "refuse"})
    assert statuses(held) == [RegistrationStatus.CANCELLED]
    assert PageLogEntry.objects.filter(page=event, action=services.GROUP_REFUSED_ACTION, user=staff).exists()


def test_only_staff_in_scope_may_review(client, event, town, school):
    other = UnitFactory(kind=UnitKind.SCHOOL, name="别的学校", parent=town)
    held = register(event, "13900000009", unit=other, party_size=6)
    editor = get_user_model().objects.create_user("editor", password="x")
    editor.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    client.force_login(editor)
    refused = client.post(PENDING_URL, {"registration": str(held.public_id), "decision": "confirm"})
    assert refused.status_code == 403 and "没有审核这条集体报名的权限" in refused.content.decode()
    other_liaison = get_user_model().objects.create_user("other-liaison", password="x")
    other_liaison.groups.add(setup_liaison_group())
    assign_scope(user=other_liaison, unit=school)
    client.force_login(other_liaison)
    assert str(held.public_id) not in client.get(PENDING_URL).content.decode()
    out_of_scope = client.post(PENDING_URL, {"registration": str(held.public_id), "decision": "confirm"})
    assert out_of_scope.status_code == 403 and "不在您负责的范围内" in out_of_scope.content.decode()
    for value in ("not-a-uuid", "", "²"):
        assert client.post(PENDING_URL, {"registration": value, "decision": "confirm"}).status_code == 404
    assert statuses(held) == [RegistrationStatus.PENDING]
    assert not PageLogEntry.objects.filter(page=event, action__startswith="events.group").exists()


def test_the_ledger_hears_of_a_held_group_only_once_it_is_confirmed(
    event, school, staff, django_capture_on_commit_callbacks
):
    sent = []

    def receiver(sender, registration, **kwargs):
        sent.append(Registration.objects.get(pk=registration.pk).status)

    registration_changed.connect(receiver, weak=False, dispatch_uid="tests-held-group")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            held = register(event, "13900000010", unit=school, party_size=6)
        assert sent == []
        with django_capture_on_commit_callbacks(execute=True):
            services.review_group(public_id=held.public_id, approve=True, user=staff)
        assert sent == [RegistrationStatus.WAITLISTED]
    finally:
        registration_changed.disconnect(dispatch_uid="tests-held-group")


def test_the_event_page_says_who_may_register_a_large_group(client, event):
    body = client.get(event.url).content.decode()
    assert "超过 5 人的集体报名须由本单位联络员登录后提交" in body


def test_other_events_are_untouched_by_a_capacity_change(make_event):
    event = make_event(registration_enabled=True, capacity=1)
    register(event, "13800000081")
    other = make_event(registration_enabled=True, capacity=1)
    register(other, "13800000082")
    waiting_elsewhere = register(other, "13800000083")
    event.capacity = 3
    event.save_revision().publish()
    assert statuses(waiting_elsewhere) == [RegistrationStatus.WAITLISTED]
