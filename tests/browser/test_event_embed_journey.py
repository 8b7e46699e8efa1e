"""A media outlet's page on another origin frames one of our events with the outlet's own snippet;
in Chromium a resident registers inside the frame, sees the confirmation with the 查询码 there,
and cancels it there. The registration is counted for the outlet.

The outlet's page (tests/browser/outlets.py) is on 127.0.0.2, framing the live server on localhost: the frame is third-party, so its CSRF cookie must be one Chromium keeps
in such a frame, and the cancel button proves the registrant's page (Referrer-Policy same-origin)
still passes the CSRF check from inside it.
"""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from .outlets import wait_until_frame_settles
from .walk import in_worker_thread

TITLE = "嵌入走查：社区燃气安全咨询日"
PHONE = "13912347001"
CONSENT = "我已满18周岁，或已获得监护人同意"


def _create(base_url, outlet_origin):
    from django.utils import timezone

    from core import embedding
    from core.models import MediaOutlet
    from events.factories import EventPageFactory
    from events.models import EventIndexPage
    from organizations.models import Unit, UnitKind

    starts_at = (timezone.now() + timedelta(days=6)).replace(second=0, microsecond=0)
    # Page() is live when created: no revision, no publish log entry to clean up.
    event = EventPageFactory(
        parent=EventIndexPage.objects.live().first(),
        title=TITLE,
        organiser=Unit.objects.filter(kind=UnitKind.TOWN).first(),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        registration_enabled=True,
        capacity=5,
        venue_name="月湖广场",
    )
    outlet = MediaOutlet.objects.create(name="嵌入走查媒体", allowed_origins=outlet_origin)
    snippet = str(embedding.embed_snippet(event, base_url=base_url, outlet=outlet))
    return {"event": event.pk, "outlet": outlet.pk, "snippet": snippet}


def _delete(made):
    from wagtail.models import Page

    from core.models import MediaOutlet
    from events.models import Registration
    from participation.models import ParticipationEntry

    ParticipationEntry.objects.filter(page_id=made["event"]).delete()
    Registration.objects.filter(event_id=made["event"]).delete()
    Page.objects.get(pk=made["event"]).delete()
    MediaOutlet.objects.filter(pk=made["outlet"]).delete()


def _registrations(event_pk):
    from events.models import Registration

    return list(Registration.objects.filter(event_id=event_pk).values_list("outlet_id", "status"))


@pytest.fixture
def framed_event(server, outlet_site):
    made = in_worker_thread(lambda: _create(server.url, outlet_site.origin))
    outlet_site.show(made["snippet"])
    yield {**made, "outlet_url": outlet_site.page_url, "outlet_site": outlet_site}
    in_worker_thread(lambda: _delete(made))


def test_a_resident_registers_and_cancels_inside_an_outlets_frame(walk, framed_event):
    page = walk.page
    page.goto(framed_event["outlet_url"])
    frame = page.frame_locator("iframe[data-embed-frame]")
    expect(frame.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(frame.locator(".places")).to_contain_text("还剩 5 个名额")
    # Chromium kept the frame's CSRF cookie: no 在新窗口中打开 notice.
    expect(frame.locator("#cookies-refused")).to_be_hidden()

    frame.get_by_label("姓名").fill("李桂兰")
    frame.get_by_label("手机号").fill(PHONE)
    frame.get_by_label(CONSENT).check()
    frame.get_by_role("button", name="提交报名").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("报名成功")
    expect(frame.locator("#lookup-code")).to_have_text(re.compile(r"^\s*\d{4} \d{4}\s*$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("合作媒体的网页")  # still the outlet's page
    walk.shot("registered-in-frame")
    assert in_worker_thread(lambda: _registrations(framed_event["event"])) == [(framed_event["outlet"], "confirmed")]

    cancel = frame.get_by_text("取消报名", exact=True)
    wait_until_frame_settles(page, target=cancel)
    cancel.click()
    frame.get_by_role("button", name="确认取消报名").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("报名已取消")
    walk.shot("cancelled-in-frame")
    assert in_worker_thread(lambda: _registrations(framed_event["event"])) == [(framed_event["outlet"], "cancelled")]

    # Expected, and only this: the outlet page's own host.
    walk.problems[:] = [p for p in walk.problems if not framed_event["outlet_site"].is_own_request(p)]


# Makes the frame's script find no cookie, as where the browser keeps none for a third-party frame.
NO_COOKIES_SEEN = "Object.defineProperty(Document.prototype, 'cookie', {get: () => '', set: () => {}});"


def test_a_frame_without_cookies_sends_the_resident_to_a_new_window(walk, framed_event):
    page = walk.page
    walk.context.add_init_script(NO_COOKIES_SEEN)
    page.goto(framed_event["outlet_url"])
    frame = page.frame_locator("iframe[data-embed-frame]")
    notice = frame.locator("#cookies-refused")
    expect(notice).to_be_visible()
    expect(notice).to_contain_text("浏览器阻止了嵌入页面使用 Cookie")
    walk.shot("cookies-refused-notice")

    # Sent anyway, with no cookie: the CSRF refusal says the same inside the frame.
    walk.context.clear_cookies()
    frame.get_by_label("姓名").fill("李桂兰")
    frame.get_by_label("手机号").fill(PHONE)
    frame.get_by_label(CONSENT).check()
    with walk.allow(403, "/register/"):
        frame.get_by_role("button", name="提交报名").click()
        expect(frame.get_by_role("heading", level=1)).to_have_text("表单未能提交")
    assert in_worker_thread(lambda: _registrations(framed_event["event"])) == []

    # The new window is the same embed address at the top level: its cookies are kept there, and
    # the registration is still the outlet's.
    with page.expect_popup() as opened:
        frame.get_by_role("link", name="在新窗口中打开").click()
    window = opened.value
    expect(window.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(window.locator("#cookies-refused")).to_be_hidden()
    window.get_by_label("姓名").fill("李桂兰")
    window.get_by_label("手机号").fill(PHONE)
    window.get_by_label(CONSENT).check()
    window.get_by_role("button", name="提交报名").click()
    expect(window.get_by_role("heading", level=1)).to_have_text("报名成功")
    walk.shot("registered-in-new-window", page=window)
    assert in_worker_thread(lambda: _registrations(framed_event["event"])) == [(framed_event["outlet"], "confirmed")]

    walk.problems[:] = [p for p in walk.problems if not framed_event["outlet_site"].is_own_request(p)]
