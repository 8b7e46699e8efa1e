"""Issue 10's resident journeys, walked in Chromium on a 375 px WeChat phone: register (a bad phone
first, then right) → confirmation (time, venue, 加入日历, 查询码) → 我的报名 by phone and code →
cancel; a full event → the waitlist; and a form whose CSRF cookie is gone → the Chinese 403 page.

Chromium sends Origin and Referer as a real phone does (the Django test client sends neither), so
the cancel button here is what proves the registration page's Referrer-Policy lets the CSRF check
pass. The events are built in a worker thread with the factories and deleted in teardown, with
every registration the walk made (and any ledger entry: these events name no campaign, so the
participation receivers record none, but a change there must not leave rows behind).
"""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .walk import in_worker_thread

TOWN = "水集街道"
SCHOOL = "水集中心小学"
PHONE = "13912340001"
FULL_EVENT_PHONE = "13912340002"
CONSENT = "我已满18周岁，或已获得监护人同意"
axe = Axe()


def _make_events():
    from django.utils import timezone

    from events import services
    from events.factories import EventPageFactory
    from events.models import EventIndexPage
    from events.recurrence import LOCAL_TIME_ZONE
    from organizations.models import Unit, UnitKind

    index = EventIndexPage.objects.live().first()
    town = Unit.objects.get(kind=UnitKind.TOWN, name=TOWN)
    starts_at = (
        (timezone.now() + timedelta(days=5))
        .astimezone(LOCAL_TIME_ZONE)
        .replace(hour=9, minute=30, second=0, microsecond=0)
    )
    common = {"parent": index, "organiser": town, "starts_at": starts_at, "registration_enabled": True}
    # Page() is live when created: no revision, no publish log entry to clean up.
    open_event = EventPageFactory(
        title="走查用社区消防讲座", capacity=3, allow_groups=True, venue_name="水集街道文化站", **common
    )
    full_event = EventPageFactory(title="走查用满员演练", capacity=1, venue_name="水集社区广场", **common)
    services.register(
        event=full_event,
        occurrence_date=starts_at.date(),
        name="先报名的人",
        phone="13912340009",
        adult_or_guardian_consent=True,
    )
    return {
        "ids": [open_event.pk, full_event.pk],
        "open_url": open_event.url,
        "full_url": full_event.url,
        "time": f"{starts_at:%H:%M}",
        "month": f"{starts_at:%Y-%m}",
        "calendar_url": index.url + index.reverse_subpage("calendar"),
        "today": f"{timezone.localdate():%Y-%m}",
    }


def _delete_events(ids):
    from wagtail.models import Page

    from events.models import Registration
    from participation.models import ParticipationEntry

    ParticipationEntry.objects.filter(page_id__in=ids).delete()
    Registration.objects.filter(event_id__in=ids).delete()
    for page in Page.objects.filter(pk__in=ids):
        page.delete()


@pytest.fixture
def events(server):
    made = in_worker_thread(_make_events)
    yield made
    in_worker_thread(lambda: _delete_events(made["ids"]))


def assert_accessible(page):
    violations = axe.run(page).response["violations"]
    assert not violations, [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


def submit(page, name):
    with page.expect_navigation():
        page.get_by_role("button", name=name).click()


def test_resident_registers_finds_it_by_code_and_cancels(walk, events):
    page = walk.page

    # 1. The event page says how many places are left, before anything is submitted.
    page.goto(walk.url(events["open_url"]))
    expect(page.locator(".places")).to_contain_text("还剩 3 个名额")
    walk.shot("event-places-left")

    # 2. Fill the form as a person does; the phone is one digit short.
    page.get_by_label("姓名").fill("王秀英")
    page.get_by_label("手机号").press_sequentially("1391234000")
    units = page.get_by_label("单位（集体报名必填）")
    expect(units.locator(f'optgroup[label="{TOWN}"] option', has_text=SCHOOL)).to_have_count(1)
    units.select_option(label=SCHOOL)
    page.get_by_label(CONSENT).check()
    with walk.allow(422, "/register/"):
        submit(page, "提交报名")
    phone = page.get_by_label("手机号")
    expect(page.locator("#reg-phone-error")).to_have_text("请填写正确的11位手机号。")
    expect(phone).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("姓名")).to_have_value("王秀英")
    expect(phone).to_have_value("1391234000")
    assert units.evaluate("select => select.selectedOptions[0].textContent") == SCHOOL
    expect(page.get_by_label(CONSENT)).to_be_checked()
    assert_accessible(page)
    walk.shot("bad-phone-kept")

    # 3. Corrected, it is accepted: the confirmation shows time, venue, 加入日历 and the code.
    phone.fill(PHONE)
    submit(page, "提交报名")
    expect(page.get_by_role("heading", level=1)).to_have_text("报名成功")
    facts = page.locator(".event-facts")
    expect(facts).to_contain_text(events["time"])
    expect(facts).to_contain_text("水集街道文化站")
    expect(facts).to_contain_text(SCHOOL)
    code = page.locator("#lookup-code").inner_text().strip()
    assert re.fullmatch(r"\d{4} \d{4}", code), code
    expect(page.locator(".lookup-code")).to_contain_text("截图保存")
    assert_accessible(page)
    walk.shot("confirmation")

    calendar_link = page.get_by_role("link", name="加入日历")
    ics = walk.context.request.get(walk.url(calendar_link.get_attribute("href")))
    assert ics.status == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "走查用社区消防讲座" in ics.text() and "BEGIN:VEVENT" in ics.text()
    with page.expect_download() as download_info:
        calendar_link.click()
    download = download_info.value
    assert download.suggested_filename.endswith(".ics")
    with open(download.path(), encoding="utf-8") as downloaded:
        assert downloaded.read().startswith("BEGIN:VCALENDAR")

    # 4. 我的报名: phone and code find it again.
    with page.expect_navigation():
        page.locator(".lookup-code").get_by_role("link", name="我的报名").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我的报名")
    page.get_by_label("手机号").fill(PHONE)
    page.get_by_label("查询码").press_sequentially(code)
    submit(page, "查询")
    found = page.locator(".card", has_text="走查用社区消防讲座")
    expect(found).to_contain_text("报名状态：报名成功")
    assert_accessible(page)
    walk.shot("lookup-found")

    # 5. Cancel from there: open it, ask, confirm.
    with page.expect_navigation():
        found.get_by_role("link", name="查看或取消报名").click()
    page.get_by_text("取消报名", exact=True).click()
    expect(page.get_by_text("确定要取消这次报名吗")).to_be_visible()
    walk.shot("cancel-asked")
    submit(page, "确认取消报名")
    expect(page.get_by_role("heading", level=1)).to_have_text("报名已取消")
    expect(page.get_by_role("status")).to_contain_text("报名状态：已取消")
    walk.shot("cancelled")


def test_a_full_event_puts_the_newcomer_on_the_waitlist(walk, events):
    page = walk.page
    page.goto(walk.url(events["full_url"]))
    expect(page.locator(".places")).to_contain_text("名额已满")
    expect(page.locator(".places")).to_contain_text("现在报名将进入候补名单")
    walk.shot("full-event")
    page.get_by_label("姓名").fill("李建国")
    page.get_by_label("手机号").fill(FULL_EVENT_PHONE)
    page.get_by_label(CONSENT).check()
    submit(page, "提交报名")
    expect(page.get_by_role("heading", level=1)).to_have_text("已进入候补名单")
    expect(page.get_by_text("你在候补名单中")).to_be_visible()
    walk.shot("waitlisted")


def test_a_form_without_its_csrf_cookie_gets_the_chinese_page(walk, events):
    page = walk.page
    page.goto(walk.url(events["open_url"]))
    page.get_by_label("姓名").fill("赵桂兰")
    page.get_by_label("手机号").fill("13912340003")
    page.get_by_label(CONSENT).check()
    # As when the page stayed open past the cookie's life, or the browser dropped it.
    walk.context.clear_cookies(name="csrftoken")
    with walk.allow(403, "/register/"):
        submit(page, "提交报名")
    expect(page.get_by_role("heading", level=1)).to_have_text("表单未能提交")
    expect(page.get_by_role("alert")).to_contain_text("刷新后重新填写提交")
    body = page.locator("body").inner_text()
    assert "Forbidden" not in body and "CSRF" not in body, body[:300]
    assert_accessible(page)
    walk.shot("csrf-refused")
    with page.expect_navigation():
        page.get_by_role("link", name="返回上一页").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("走查用社区消防讲座")


def test_the_calendar_is_an_agenda_on_a_phone_and_opens_on_this_month(walk, events):
    page = walk.page
    page.goto(walk.url(events["calendar_url"]))
    year, month = (int(part) for part in events["today"].split("-"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{year}年{month}月活动日历")
    page.goto(walk.url(events["calendar_url"] + f"?month={events['month']}"))
    agenda = page.locator(".calendar-agenda")
    expect(agenda).to_be_visible()
    expect(page.locator(".month-calendar")).to_be_hidden()
    expect(agenda.get_by_role("link", name="走查用社区消防讲座")).to_be_visible()
    assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth + 1")
    walk.shot("calendar-agenda")
    with page.expect_navigation():
        agenda.get_by_role("link", name="走查用满员演练").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("走查用满员演练")
