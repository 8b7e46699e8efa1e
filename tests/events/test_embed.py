"""An event inside a media outlet's frame (issue 11): the page and its registration flow under
/embed/outlet/<outlet>/page/<event>/ (register, the registrant's page with the 查询码, cancelling),
with the cookies and CSRF a third-party frame needs, the staff check-in kept out of the frame, and
the registrations counted for the outlet in the event's 报名情况 report."""

import re
from datetime import timedelta
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from core import embedding
from core.models import MediaOutlet
from events import selectors, services
from events.choices import RegistrationStatus
from events.models import Registration
from events.recurrence import LOCAL_TIME_ZONE
from home.factories import ArticlePageFactory, ColumnIndexPageFactory
from organizations.scopes import LIAISON_PERMISSIONS, assign_scope
from tests.framing import assert_framed_by, csrf_token

pytestmark = pytest.mark.django_db

OUTLET_ORIGIN = "https://news.example.cn"
COOKIES_NOTICE = "浏览器阻止了嵌入页面使用 Cookie"


@pytest.fixture
def outlet(only_own_outlets):
    return MediaOutlet.objects.create(name="莱西新闻网", allowed_origins=OUTLET_ORIGIN)


@pytest.fixture
def event(make_event):
    return make_event(
        title="嵌入报名的安全咨询日", registration_enabled=True, capacity=20, allow_groups=True, venue_name="月湖广场"
    )


@pytest.fixture
def prefix(event, outlet):
    return embedding.embed_path(event, outlet)


def day(event):
    return event.starts_at.astimezone(LOCAL_TIME_ZONE).date()


def form(event, **fields):
    return {
        "occurrence": day(event).isoformat(),
        "name": "刘阿姨",
        "phone": "13900007001",
        "adult_or_guardian_consent": "on",
        **fields,
    }


def _register_in_frame(client, prefix, event, **fields):
    """What a resident does in the frame: open the event, fill in the form, send it."""
    page = client.get(prefix)
    token = csrf_token(page.content.decode())
    return client.post(prefix + "register/", {**form(event, **fields), "csrfmiddlewaretoken": token})


def test_a_resident_registers_inside_the_outlets_frame(event, outlet, prefix):
    client = Client(enforce_csrf_checks=True)
    page = client.get(prefix)
    assert page.status_code == 200
    assert_framed_by(page, OUTLET_ORIGIN)
    html = page.content.decode()
    assert '<body class="embed-view' in html and 'class="breadcrumb"' not in html
    assert f'action="{prefix}register/#register"' in html
    csrf = page.cookies["csrftoken"]
    assert csrf["samesite"] == "None" and csrf["secure"] is True, csrf.output()

    sent = client.post(prefix + "register/", {**form(event), "csrfmiddlewaretoken": csrf_token(html)})
    assert sent.status_code == 302
    assert_framed_by(sent, OUTLET_ORIGIN)
    assert sent["Location"].startswith(prefix + "registration/")

    confirmation = client.get(sent["Location"])
    assert confirmation.status_code == 200
    assert_framed_by(confirmation, OUTLET_ORIGIN)
    body = confirmation.content.decode()
    assert "报名成功" in body and 'id="lookup-code"' in body
    assert f'<a href="{prefix}">{event.title}</a>' in body
    registration = Registration.objects.get(event=event)
    assert registration.outlet == outlet and registration.status == RegistrationStatus.CONFIRMED


def test_a_registration_on_the_site_or_through_the_generic_snippet_names_no_outlet(client, event, outlet):
    client.post(event.url + "register/", form(event, phone="13900007002"))
    generic = embedding.embed_path(event)
    sent = client.post(generic + "register/", form(event, phone="13900007003"))
    assert sent["Location"].startswith(generic + "registration/")
    assert list(event.registrations.values_list("outlet", flat=True)) == [None, None]


def test_the_registrant_cancels_inside_the_frame(event, prefix):
    client = Client(enforce_csrf_checks=True)
    own_page = _register_in_frame(client, prefix, event)["Location"]
    shown = client.get(own_page)
    # The cancel form posts back to the page it is on, in the frame.
    assert '<form method="post">' in shown.content.decode()
    cancelled = client.post(own_page, {"csrfmiddlewaretoken": csrf_token(shown.content.decode())})
    assert cancelled.status_code == 302 and cancelled["Location"] == own_page
    after = client.get(own_page)
    assert_framed_by(after, OUTLET_ORIGIN)
    assert "报名已取消" in after.content.decode()
    assert Registration.objects.get(event=event).status == RegistrationStatus.CANCELLED


def test_a_refused_registration_is_shown_again_in_the_frame(client, event, prefix):
    refused = client.post(prefix + "register/", form(event, adult_or_guardian_consent=""))
    assert refused.status_code == 422
    assert_framed_by(refused, OUTLET_ORIGIN)
    html = refused.content.decode()
    assert "请确认您已满18周岁，或已获得监护人同意。" in html
    assert f'action="{prefix}register/#register"' in html and 'value="刘阿姨"' in html
    assert not event.registrations.exists()


def test_a_full_event_says_so_in_the_frame_and_puts_the_resident_on_the_waitlist(client, make_event, outlet):
    event = make_event(title="满额的演讲赛", registration_enabled=True, capacity=1)
    services.register(
        event=event, occurrence_date=day(event), name="先报名的", phone="13900007009", adult_or_guardian_consent=True
    )
    prefix = embedding.embed_path(event, outlet)
    html = client.get(prefix).content.decode()
    assert "<strong>名额已满</strong>" in html and "候补" in html
    waitlisted = client.get(client.post(prefix + "register/", form(event))["Location"])
    assert_framed_by(waitlisted, OUTLET_ORIGIN)
    assert "已进入候补名单" in waitlisted.content.decode()


def test_a_closed_registration_says_why_in_the_frame(client, make_event, outlet):
    event = make_event(
        title="报名已截止的活动", registration_enabled=True, registration_closes_at=timezone.now() - timedelta(hours=1)
    )
    html = client.get(embedding.embed_path(event, outlet)).content.decode()
    assert "报名已截止" in html and 'name="csrfmiddlewaretoken"' not in html


def test_links_leaving_the_flow_open_in_a_new_tab_only_in_the_frame(client, event, home_page, prefix):
    article = ArticlePageFactory(parent=ColumnIndexPageFactory(parent=home_page), title="燃气安全小知识")
    event.related_articles.add(article)
    event.save_revision().publish()
    new_tab = 'target="_blank" rel="noopener"'
    framed = client.get(prefix).content.decode()
    assert f'<a href="{article.url}" {new_tab}>燃气安全小知识</a>' in framed
    assert f"{new_tab}>已报名？凭手机号和查询码查看我的报名</a>" in framed
    assert f"{new_tab}>下载 .ics 文件</a>" in framed
    on_site = client.get(event.url).content.decode()
    assert f'<a href="{article.url}">燃气安全小知识</a>' in on_site and new_tab not in on_site.split("</main>")[0]

    own_page = client.get(client.post(prefix + "register/", form(event))["Location"]).content.decode()
    assert re.search(r'href="/events/\d+/event\.ics\?date=[^"]+" target="_blank" rel="noopener">加入日历', own_page)
    assert f'href="{selectors.lookup_url(event=event)}" {new_tab}>我的报名</a>' in own_page


def test_the_frame_warns_when_the_browser_keeps_no_cookie_for_it(client, event, prefix):
    framed = client.get(prefix).content.decode()
    assert (
        COOKIES_NOTICE in framed and 'id="cookies-refused" role="alert" hidden data-needs-cookie="csrftoken"' in framed
    )
    assert "js/embed-frame" in framed
    # The way out: the same address (same outlet) at the top level, where its cookies are kept.
    assert f'href="{prefix}#register" target="_blank" rel="noopener">在新窗口中打开报名' in framed
    assert COOKIES_NOTICE not in client.get(event.url).content.decode()


def test_a_registration_refused_for_its_missing_csrf_cookie_is_explained_in_the_frame(event, prefix):
    client = Client(enforce_csrf_checks=True)
    referer = "http://testserver" + prefix
    refused = client.post(prefix + "register/", form(event), HTTP_REFERER=referer)
    assert refused.status_code == 403
    assert_framed_by(refused, OUTLET_ORIGIN)
    assert f'<a href="{referer}" target="_blank" rel="noopener">在新窗口中打开</a>' in refused.content.decode()
    assert not event.registrations.exists()


def _staff(**extra):
    return get_user_model().objects.create_superuser("embed-staff", password="x", **extra)


def test_check_in_stays_out_of_the_frame(client, event, prefix):
    registration, _token = services.register(
        event=event, occurrence_date=day(event), name="王小明", phone="13900007004", adult_or_guardian_consent=True
    )
    client.force_login(_staff())
    assert "签到管理（工作人员）" in client.get(event.url).content.decode()
    assert "签到管理（工作人员）" not in client.get(prefix).content.decode()
    for route in ("check-in/", f"check-in/{registration.public_id}/"):
        assert client.get(prefix + route).status_code == 404
        assert client.post(prefix + route).status_code == 404
        assert client.get(event.url + route).status_code == 200
    registration.refresh_from_db()
    assert registration.checked_in_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/embed/outlet/abc/page/{event}/register/",
        "/embed/outlet/99999999999999999999/page/{event}/",
        "/embed/outlet/{outlet}/page/٣/",
        "/embed/outlet/{outlet}/page/{event}/registration/not-a-uuid/x/",
        "/embed/outlet/{outlet}/page/{event}/registration/00000000-0000-0000-0000-000000000000/x/",
        "/embed/outlet/{outlet}/page/{event}/registration/{registration}/wrong-token/",
        "/embed/outlet/{outlet}/page/{event}/check-in/{registration}/",
        "/embed/outlet/{outlet}/page/{event}/nothing-here/",
    ],
)
def test_hostile_ids_in_the_frame_are_404(client, event, outlet, path):
    registration, _token = services.register(
        event=event, occurrence_date=day(event), name="王小明", phone="13900007005", adult_or_guardian_consent=True
    )
    url = path.format(event=event.pk, outlet=outlet.pk, registration=registration.public_id)
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert Registration.objects.get(event=event).status == RegistrationStatus.CONFIRMED


def test_a_control_character_in_the_frames_address_is_a_400(client, event, prefix):
    registration, _token = services.register(
        event=event, occurrence_date=day(event), name="王小明", phone="13900007006", adult_or_guardian_consent=True
    )
    url = prefix + f"registration/{registration.public_id}/" + quote("a\x00b") + "/"
    assert client.get(url).status_code == 400 and client.post(url).status_code == 400


def test_the_register_route_only_answers_a_post(client, prefix):
    assert client.get(prefix + "register/").status_code == 405


def test_an_inactive_outlets_frame_is_gone(client, outlet, prefix):
    outlet.is_active = False
    outlet.save()
    assert client.get(prefix).status_code == 404


def _report(client, event):
    return client.get(reverse("events_registrations", args=[event.pk]))


def test_the_report_counts_the_registrations_and_people_through_each_outlet(client, event, outlet, prefix, school):
    other = MediaOutlet.objects.create(name="青岛晚报网", allowed_origins="https://qd.example.cn")
    _register_in_frame(Client(), prefix, event, phone="13900007011")
    _register_in_frame(Client(), prefix, event, phone="13900007012", unit=str(school.pk), party_size="3")
    cancelled = Client()
    own_page = _register_in_frame(cancelled, prefix, event, phone="13900007013")["Location"]
    cancelled.post(own_page)
    _register_in_frame(Client(), embedding.embed_path(event, other), event, phone="13900007014")
    client.post(event.url + "register/", form(event, phone="13900007015"))

    assert selectors.registrations_by_outlet(event=event) == [
        {"outlet_id": outlet.pk, "outlet_name": "莱西新闻网", "registrations": 2, "people": 4},
        {"outlet_id": other.pk, "outlet_name": "青岛晚报网", "registrations": 1, "people": 1},
    ]
    client.force_login(_staff())
    report = _report(client, event)
    assert report.status_code == 200
    html = report.content.decode()
    assert "通过合作媒体报名" in html
    assert "<tr><td>莱西新闻网</td><td>2</td><td>4</td></tr>" in html
    assert "<tr><td>青岛晚报网</td><td>1</td><td>1</td></tr>" in html
    assert "<tr><td>已取消</td><td>1</td><td>1</td></tr>" in html
    edit = client.get(reverse("wagtailadmin_pages:edit", args=[event.pk])).content.decode()
    assert reverse("events_registrations", args=[event.pk]) in edit


def test_the_outlet_counts_can_be_bounded_by_day_and_event(event, make_event, outlet):
    today = timezone.localdate()
    services.register(
        event=event,
        occurrence_date=day(event),
        name="居民",
        phone="13900007021",
        adult_or_guardian_consent=True,
        outlet=outlet,
    )
    elsewhere = make_event(title="另一场活动", registration_enabled=True)
    services.register(
        event=elsewhere,
        occurrence_date=day(elsewhere),
        name="居民",
        phone="13900007021",
        adult_or_guardian_consent=True,
        outlet=outlet,
    )
    assert selectors.registrations_by_outlet()[0]["registrations"] == 2
    assert selectors.registrations_by_outlet(event=elsewhere)[0]["registrations"] == 1
    assert selectors.registrations_by_outlet(since=today, until=today)[0]["registrations"] == 2
    assert selectors.registrations_by_outlet(since=today + timedelta(days=1)) == []
    assert selectors.registrations_by_outlet(until=today - timedelta(days=1)) == []


def test_a_deleted_outlet_leaves_its_registrations(event, outlet):
    registration, _token = services.register(
        event=event,
        occurrence_date=day(event),
        name="居民",
        phone="13900007031",
        adult_or_guardian_consent=True,
        outlet=outlet,
    )
    outlet.delete()
    registration.refresh_from_db()
    assert registration.outlet is None and selectors.registrations_by_outlet(event=event) == []


def test_a_liaison_sees_the_outlet_counts_of_their_units_only(client, event, outlet, prefix, school, town):
    _register_in_frame(Client(), prefix, event, phone="13900007041", unit=str(school.pk), party_size="2")
    _register_in_frame(Client(), prefix, event, phone="13900007042")
    liaison = get_user_model().objects.create_user("embed-liaison", password="x")
    liaison.user_permissions.add(
        *(Permission.objects.get(content_type__app_label=app, codename=code) for app, code in LIAISON_PERMISSIONS)
    )
    assign_scope(user=liaison, unit=town)
    client.force_login(liaison)
    html = _report(client, event).content.decode()
    assert "<tr><td>莱西新闻网</td><td>1</td><td>2</td></tr>" in html


def test_the_report_refuses_who_may_not_check_in_and_hostile_ids(client, event):
    editor = get_user_model().objects.create_user("embed-editor", password="x")
    editor.user_permissions.add(Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"))
    client.force_login(editor)
    refused = _report(client, event)
    assert refused.status_code == 403 and "没有查看本活动报名情况的权限" in refused.content.decode()
    client.force_login(_staff())
    for hostile in ("abc", "99999999999999999999", "٣", "0"):
        assert client.get(f"/admin/events/{quote(hostile)}/registrations/").status_code == 404
