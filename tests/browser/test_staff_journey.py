"""The editorial journey, walked in Chromium: the editor (bianji) writes an article in the Safety
Month column and submits it; the reviewer (shenhe) approves it at 初审; the final review (终审, the
administrators) approves it, and it is live on the public site at a pinyin address, read on a phone.

Also from the units admin: a town liaison prints every QR poster of the town at once, one per sheet.

Desktop-sized contexts for the admin, as staff work at a desk; a WeChat phone for the reader. Any
request to another host fails the walk: the superuser's dashboard asks releases.wagtail.org for
updates unless WAGTAIL_ENABLE_UPDATE_CHECK = False (a setting). The live server commits what it writes, so the fixture deletes the article with its revisions, workflow
states and log entries afterwards (in a worker thread: Playwright's loop holds the main thread).
"""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import DEMO_PASSWORD

from .walk import Walk, in_worker_thread

TITLE = "电动自行车充电安全提示"
SLUG = "dian-dong-zi-xing-che-chong-dian-an-quan-ti-shi"
SUMMARY = "电动自行车不要在楼道、室内充电，充满及时断电。"
PARAGRAPH = "电动自行车应在集中充电点充电，不要“飞线”充电。"
DESKTOP = {"width": 1280, "height": 900}


def _column():
    from home.demo.loader import COLUMN_SLUG
    from home.models import ColumnIndexPage

    column = ColumnIndexPage.objects.get(slug=COLUMN_SLUG)
    return {"id": column.pk, "url": column.url}


def _delete_article():
    from django.contrib.contenttypes.models import ContentType
    from wagtail.admin.models import EditingSession
    from wagtail.models import Page, PageLogEntry

    for page in Page.objects.filter(title=TITLE):
        PageLogEntry.objects.filter(page_id=page.pk).delete()
        EditingSession.objects.filter(
            content_type=ContentType.objects.get_for_model(Page), object_id=str(page.pk)
        ).delete()
        page.specific.delete()  # with its revisions, workflow and task states (generic relations)


@pytest.fixture
def column(server, settings):
    # Autosave starts when the form's script has taken its first look at the form, which a walk
    # that types at once may beat; without it the walk does the same on every run.
    settings.WAGTAIL_AUTOSAVE_INTERVAL = 0
    settings.STAFF_2FA_REQUIRED = False  # as in the test settings; test_staff_security.py walks 2FA
    in_worker_thread(_delete_article)
    yield in_worker_thread(_column)
    in_worker_thread(_delete_article)


@pytest.fixture
def desk(browser, server, request):
    """A desktop browser per member of staff, each watched like a walk."""
    walks = []

    def open_desk(username):
        walk = Walk(
            browser,
            server,
            f"{request.node.name}-{username}",
            viewport=DESKTOP,
            user_agent=None,
            is_mobile=False,
            has_touch=False,
            device_scale_factor=1,
        )
        walks.append(walk)
        log_in(walk, username)
        return walk

    yield open_desk
    problems = []
    for walk in walks:
        walk.close()
        problems += walk.problems
    assert not problems, "while walking:\n" + "\n".join(problems)


def log_in(walk, username):
    page = walk.page
    page.goto(walk.url("/admin/login/"))
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(walk.url("/admin/"))
    walk.shot("dashboard")


def approve(walk, task):
    """From the dashboard's 等待你的审查 list, open the article and approve it at ``task``."""
    page = walk.page
    awaiting = page.locator("section", has=page.get_by_role("heading", name="等待你的审查"))
    row = awaiting.get_by_role("row").filter(has_text=TITLE)
    with page.expect_navigation():
        row.get_by_role("link", name=TITLE).click()
    expect(page.locator("main")).to_contain_text(task)
    walk.shot(f"{task}-open")
    page.get_by_role("button", name="更多动作").click()
    with page.expect_navigation():
        # 批准, or at the workflow's last task 批准 和发布 (so Wagtail's Chinese spells it).
        page.get_by_role("button", name=re.compile(r"^批准(\s*和发布)?$")).click()
    expect(page.locator(".messages")).to_contain_text(TITLE)
    walk.shot(f"{task}-approved")


def test_editor_submits_reviewers_approve_and_the_article_is_live(browser, server, column, desk, walk):
    # 1. The editor adds an article to the column, typing every required field.
    editor = desk("bianji")
    page = editor.page
    page.goto(editor.url(f"/admin/pages/{column['id']}/"))
    with page.expect_navigation():
        page.get_by_role("link", name="添加子页面").first.click()
    page.get_by_role("textbox", name=re.compile("^标题")).fill(TITLE)
    editor.shot("add-form")
    page.get_by_role("textbox", name=re.compile("^摘要")).fill(SUMMARY)
    page.locator("[data-contentpath=body] .c-sf-add-button").first.click()  # the body's ⊕
    page.get_by_role("option", name=re.compile("^正文")).first.click()
    page.locator("[data-contentpath=body] [contenteditable=true]").first.click()
    page.keyboard.type(PARAGRAPH)
    page.get_by_role("textbox", name=re.compile("^来源")).fill("莱西市应急管理局")
    page.get_by_role("textbox", name=re.compile("^责任编辑")).fill("王编辑")
    page.get_by_role("checkbox", name="燃气", exact=True).check()
    editor.shot("article-typed")

    # 2. ...and submits it to 初审 from the action menu.
    page.get_by_role("button", name="更多动作").click()
    with page.expect_navigation():
        page.get_by_role("button", name="提交给专栏两级审核").click()
    editor.shot("submitted")
    expect(page.locator(".messages")).to_contain_text(TITLE)
    with page.expect_navigation():
        page.get_by_role("link", name=TITLE).first.click()
    expect(page.locator("input[name=slug]")).to_have_value(SLUG)  # pinyin, not %E7%94%B5...

    # 3. The reviewer finds it on the dashboard and approves it at 初审.
    approve(desk("shenhe"), "初审")

    # 4. The administrators' 终审 approves it, which publishes it.
    approve(desk("admin"), "终审")

    # 5. A reader on a phone finds it in the column and reads it.
    walk.page.goto(walk.url(column["url"]))
    with walk.page.expect_navigation():
        walk.page.get_by_role("link", name=TITLE).first.click()
    assert walk.page.url == walk.url(f"{column['url']}{SLUG}/")
    expect(walk.page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(walk.page.locator("main")).to_contain_text(PARAGRAPH)
    walk.shot("live")


def _town_poster_units(name):
    from organizations.models import Unit, UnitKind
    from organizations.selectors import poster_units_of_town

    town = Unit.objects.get(kind=UnitKind.TOWN, name=name)
    return [unit.name for unit in poster_units_of_town(town=town)]


def test_a_town_liaison_prints_all_the_towns_posters_one_per_sheet(server, desk):
    town = "水集街道"
    expected = in_worker_thread(lambda: _town_poster_units(town))
    assert expected, f"the demo's {town} has no school, community or enterprise"
    liaison = desk("jiedao")
    page = liaison.page
    menu = page.get_by_role("navigation", name="主菜单")
    menu.get_by_role("button", name="单位").click()
    with page.expect_navigation():
        menu.get_by_role("link", name="单位", exact=True).click()
    # The name is the row's first cell (a plain text for a liaison, who may not edit units).
    row = page.get_by_role("row").filter(has=page.locator("td.title").get_by_text(town, exact=True))
    liaison.shot("units")
    row.get_by_role("button", name=re.compile("更多")).click()
    with page.expect_navigation():
        row.get_by_role("link", name="打印本镇街全部海报").click()
    expect(page.locator("h1.poster-unit")).to_have_text(expected)
    expect(page.locator(".poster-hint")).to_contain_text(f"共 {len(expected)} 张 A4 海报")
    liaison.shot("town-posters")
    page.emulate_media(media="print")
    pdf = page.pdf(format="A4", prefer_css_page_size=True)
    assert len(re.findall(rb"/Type\s*/Page\b", pdf)) == len(expected)  # one sheet per poster
