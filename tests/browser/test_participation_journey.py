"""Issue 8's journey, walked in Chromium as a town liaison would walk it.

"A newcomer runs ``make run``, logs in as the town liaison and sees only that town's dashboard with
charts, drills to a school and its classes, downloads the 通报 .docx, and the numbers add up across
levels." Everything here is typed, clicked and submitted in the browser (which sends the Origin and
Referer headers the Django test client leaves out); only the edited-URL refusal is a typed address.

The demo is loaded by tests/conftest.py with ``DEMO_PASSWORD`` for every demo account, and without
simulated answer sheets, so a school's 按班级 table is the "还没有答卷" row. What the tests need from
the database (the other towns, one of their ids) is read in a worker thread: Playwright keeps an
asyncio loop on the main thread, where Django refuses ORM calls (see conftest.py). The .docx
download writes an audit-log entry, committed like everything the live server writes; the
``journey`` fixture deletes the entries it made, since tests/participation counts them.
"""

import re

import docx
import pytest
from playwright.sync_api import expect

from organizations.scopes import OUT_OF_SCOPE_MESSAGE
from tests.conftest import DEMO_PASSWORD

from .walk import WECHAT_UA, in_worker_thread

TOWN = "水集街道"
LIAISON = "jiedao"
DESKTOP = {"width": 1280, "height": 900}
PHONE_375 = {"width": 375, "height": 812}


def _demo_facts():
    from organizations.models import Unit, UnitKind

    own = Unit.objects.get(kind=UnitKind.TOWN, name=TOWN)
    others = list(Unit.objects.filter(kind=UnitKind.TOWN).exclude(pk=own.pk).order_by("name"))
    other_school = Unit.objects.filter(kind=UnitKind.SCHOOL).exclude(parent=own).order_by("name").first()
    return {
        "town_id": own.pk,
        "other_towns": [town.name for town in others],
        "other_town_id": others[0].pk,
        "other_school_id": other_school.pk,
        "other_school": other_school.name,
    }


def _last_log_entry_id():
    from wagtail.models import ModelLogEntry

    last = ModelLogEntry.objects.order_by("-pk").first()
    return last.pk if last else 0


def _delete_liaison_log_entries(after_id):
    from wagtail.models import ModelLogEntry

    ModelLogEntry.objects.filter(pk__gt=after_id, user__username=LIAISON).delete()


@pytest.fixture
def journey(server):
    """The demo facts the assertions compare with, read before (or beside) the browser."""
    facts = in_worker_thread(_demo_facts)
    last_log_entry = in_worker_thread(_last_log_entry_id)
    yield facts
    in_worker_thread(lambda: _delete_liaison_log_entries(last_log_entry))


def new_page(browser, **options):
    context = browser.new_context(locale="zh-CN", accept_downloads=True, **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return context, page


def log_in(page, server):
    page.goto(server.url + "/admin/login/")
    page.get_by_label("用户名").fill(LIAISON)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="登录").click()
    assert urlsplit_path(page.url) == "/admin/", f"login did not reach the admin home: {page.url}"


def test_login_form_labels_are_chinese(browser, server):
    context, page = new_page(browser, viewport=DESKTOP)
    try:
        page.goto(server.url + "/admin/login/")
        expect(page.get_by_label("用户名")).to_be_visible()
        assert page.locator("label[for=id_password]").inner_text().strip().rstrip("*") == "密码"
    finally:
        context.close()


def urlsplit_path(url):
    return re.sub(r"^https?://[^/]+", "", url).split("?")[0]


def read_table(table):
    """The table as {'head': [...], 'rows': [[cell text, ...], ...]} (tbody rows only)."""
    return table.evaluate(
        """t => ({
            head: [...t.tHead.rows[0].cells].map(c => c.innerText.trim()),
            rows: [...t.tBodies[0].rows].map(r => [...r.cells].map(c => c.innerText.trim())),
        })"""
    )


def table_after(page, heading):
    """The first table after the <h3> with this text (export buttons may sit in between)."""
    h3 = page.locator("main h3", has_text=re.compile(f"^{re.escape(heading)}$"))
    expect(h3).to_have_count(1)
    return h3.locator("xpath=following-sibling::div[contains(@class, 'participation-table')][1]//table")


def column(table_data, name):
    return [row[table_data["head"].index(name)] for row in table_data["rows"]]


def number(text):
    """'2400' → 2400; '—' (no headcount) counts as 0 in a sum."""
    text = text.strip()
    return 0 if text in ("—", "") else int(text)


def card(page, label):
    item = page.locator(".participation-cards li").filter(
        has=page.locator("small", has_text=re.compile(f"^{re.escape(label)}$"))
    )
    expect(item).to_have_count(1)
    return item.locator("strong").inner_text().strip()


def test_town_liaison_walks_dashboard_school_bulletin_and_is_refused_elsewhere(browser, journey, server):
    context, page = new_page(browser, viewport=DESKTOP)
    try:
        # 1. Log in as the town liaison, as a person does.
        log_in(page, server)

        # 2. The admin menu's 参与情况 leads to the dashboard, scoped to the liaison's town.
        menu = page.get_by_role("navigation", name="主菜单")
        with page.expect_navigation():
            menu.get_by_role("link", name="参与情况").click()
        assert urlsplit_path(page.url) == "/admin/participation/"
        main = page.locator("main")
        expect(main.get_by_role("heading", level=2)).to_contain_text(TOWN)
        crumbs = page.get_by_role("navigation", name="层级")
        expect(crumbs.locator("li").first).to_have_text(TOWN)  # a liaison's trail starts at its own unit
        expect(crumbs.get_by_text("全市")).to_have_count(0)

        tables_text = "\n".join(main.locator("table").all_inner_texts())
        assert TOWN in tables_text
        leaked = [name for name in journey["other_towns"] if name in page.content()]
        assert not leaked, f"the {TOWN} dashboard names other towns: {leaked}"

        # The 下属单位 chart: an inline SVG with a title, whose bars are the rows of the table after it.
        chart = main.locator("figure.participation-chart").first
        svg = chart.locator("svg[role=img]")
        expect(svg).to_be_visible()
        title_id = svg.get_attribute("aria-labelledby")
        assert svg.locator(f"title#{title_id}").text_content().strip() == "参与率"
        bar_labels = [t.split("：")[0] for t in svg.locator("g > title").all_text_contents()]
        children = read_table(table_after(page, "下属单位"))
        unit_names = column(children, "单位")
        assert bar_labels == unit_names, "the chart and its table must show the same units"

        # The numbers add up: units → town, kinds → town, audiences → town.
        participants = number(card(page, "参与人数（去重）"))
        expected = number(card(page, "应参与人数"))
        assert participants > 0
        assert sum(map(number, column(children, "参与人数"))) == participants
        assert sum(map(number, column(children, "应参与人数"))) == expected
        by_kind = read_table(table_after(page, "按单位类型"))
        assert sum(map(number, column(by_kind, "参与人数"))) == participants
        by_audience = read_table(table_after(page, "按参与对象"))
        assert sum(map(number, column(by_audience, "参与人数"))) == participants
        rate = card(page, "参与率")
        assert rate == f"{100 * participants / expected:.1f}%"

        # 3. Drill down to the school with the most participants, by its link in the table.
        schools = [row for row in children["rows"] if row[children["head"].index("类型")] == "学校"]
        assert schools, f"{TOWN} lists no school"
        school_row = max(schools, key=lambda row: number(row[children["head"].index("参与人数")]))
        school = school_row[0]
        with page.expect_navigation():
            table_after(page, "下属单位").get_by_role("link", name=school, exact=True).click()
        assert re.search(r"[?&]unit=\d+", page.url), page.url
        expect(main.get_by_role("heading", level=2)).to_contain_text(school)
        expect(crumbs.locator("li")).to_have_text([TOWN, school])
        assert number(card(page, "参与人数（去重）")) == number(school_row[children["head"].index("参与人数")])
        assert number(card(page, "应参与人数")) == number(school_row[children["head"].index("应参与人数")])
        classes = read_table(table_after(page, "按班级"))
        assert classes["head"][0] == "班级"
        if classes["rows"] == [["还没有答卷。"]]:
            assert number(card(page, "答卷数")) == 0
        else:  # every class's sheets add up to the school's
            assert sum(map(number, column(classes, "答卷数"))) == number(card(page, "答卷数"))
        leaked = [name for name in journey["other_towns"] if name in page.content()]
        assert not leaked, f"{school}'s dashboard names other towns: {leaked}"

        # ... and back up to the town by the breadcrumb.
        with page.expect_navigation():
            crumbs.get_by_role("link", name=TOWN).click()
        expect(main.get_by_role("heading", level=2)).to_contain_text(TOWN)
        assert card(page, "参与人数（去重）") == str(participants)

        # 4. The 通报: the A4 page, then its .docx, caught as a download.
        with page.expect_navigation():
            main.get_by_role("link", name="生成通报").click()
        assert urlsplit_path(page.url) == "/admin/participation/bulletin/"
        expect(page.locator("h1")).to_contain_text(TOWN)
        expect(page.get_by_role("heading", name="一、总体情况")).to_be_visible()
        summary = page.locator("section[aria-labelledby=bulletin-summary] p").first.inner_text()
        assert f"{TOWN}共有{participants}人参加" in summary
        assert f"应参与{expected}人，参与率{rate}" in summary
        width_mm = page.locator(".bulletin-page").evaluate("el => el.getBoundingClientRect().width") * 25.4 / 96
        assert abs(width_mm - 210) < 1, f"the 通报 page is {width_mm:.1f} mm wide, not A4's 210 mm"
        bulletin_title = page.locator("h1").inner_text().strip()
        bulletin_leaks = [name for name in journey["other_towns"] if name in page.content()]
        assert not bulletin_leaks, f"the {TOWN} 通报 names other towns: {bulletin_leaks}"

        with page.expect_download() as download_info:
            page.get_by_role("link", name="下载 Word 文档（.docx）").click()
        download = download_info.value
        assert download.failure() is None, download.failure()
        assert download.suggested_filename == f"{bulletin_title}.docx"
        document = docx.Document(download.path())
        paragraphs = [paragraph.text for paragraph in document.paragraphs]
        text = "\n".join(paragraphs)
        assert paragraphs[0] == bulletin_title
        assert TOWN in paragraphs[0]
        assert "一、总体情况" in paragraphs
        assert f"{TOWN}共有{participants}人参加" in text
        docx_cells = "\n".join(cell.text for table in document.tables for row in table.rows for cell in row.cells)
        assert school in docx_cells
        assert not [name for name in journey["other_towns"] if name in text + docx_cells]

        # 5. Editing the address to another town's unit: the Chinese 403, not Django's English one.
        for path in (
            f"/admin/participation/?unit={journey['other_town_id']}",
            f"/admin/participation/?unit={journey['other_school_id']}",
            f"/admin/participation/bulletin/?unit={journey['other_town_id']}",
        ):
            response = page.goto(server.url + path)
            assert response.status == 403, f"{path} answered {response.status}"
            expect(page.get_by_role("alert")).to_have_text(str(OUT_OF_SCOPE_MESSAGE))
            body = page.locator("body").inner_text()
            assert "Forbidden" not in body and "403" not in page.title(), body[:200]
            assert page.locator("html").get_attribute("lang").startswith("zh")
            assert journey["other_school"] not in body
            expect(page.get_by_role("link", name="返回管理首页")).to_be_visible()
        # The .docx of another unit is refused too: no file, the same page.
        response = page.goto(server.url + f"/admin/participation/bulletin.docx?unit={journey['other_town_id']}")
        assert response.status == 403
        expect(page.get_by_role("alert")).to_have_text(str(OUT_OF_SCOPE_MESSAGE))
    finally:
        context.close()


def test_dashboard_fits_a_375px_phone_in_wechat(browser, journey, server):
    context, page = new_page(
        browser,
        viewport=PHONE_375,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        user_agent=WECHAT_UA,
    )
    try:
        log_in(page, server)
        page.goto(server.url + "/admin/participation/")
        expect(page.locator("main").get_by_role("heading", level=2)).to_contain_text(TOWN)
        layout = page.evaluate(
            """() => {
                const main = document.querySelector('main');
                const limit = document.documentElement.clientWidth + 1;
                // Elements in main that stick out to the right of the viewport without being inside
                // something that scrolls sideways on its own (a .participation-table, a chart).
                const sticking = [...main.querySelectorAll('*')].filter(el => {
                    const box = el.getBoundingClientRect();
                    if (box.width === 0 || box.right <= limit) return false;
                    for (let p = el.parentElement; p && p !== main; p = p.parentElement) {
                        const overflowX = getComputedStyle(p).overflowX;
                        if ((overflowX === 'auto' || overflowX === 'scroll') && p.getBoundingClientRect().right <= limit) {
                            return false;
                        }
                    }
                    return true;
                }).map(el => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '')
                    + ' right=' + Math.round(el.getBoundingClientRect().right));
                const wrappers = [...main.querySelectorAll('.participation-table')].map(div => ({
                    scrolls: div.scrollWidth > div.clientWidth,
                    overflowX: getComputedStyle(div).overflowX,
                    right: div.getBoundingClientRect().right,
                }));
                return {
                    scrollWidth: document.scrollingElement.scrollWidth,
                    innerWidth: window.innerWidth,
                    sticking: sticking.slice(0, 10),
                    wrappers,
                };
            }"""
        )
        assert layout["innerWidth"] == PHONE_375["width"]
        # The wide tables scroll inside their own container, which stays on screen.
        wrappers = layout["wrappers"]
        assert wrappers and any(w["scrolls"] for w in wrappers), "no table is wider than a 375 px phone?"
        for wrapper in wrappers:
            assert wrapper["overflowX"] == "auto"
            assert wrapper["right"] <= layout["innerWidth"] + 1, wrapper
        assert not layout["sticking"], f"main content sticks out of a 375 px screen: {layout['sticking']}"
        assert layout["scrollWidth"] <= layout["innerWidth"] + 1, (
            f"the page scrolls sideways: scrollWidth {layout['scrollWidth']} > {layout['innerWidth']}"
        )
    finally:
        context.close()
