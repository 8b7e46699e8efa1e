"""Accessibility in a real browser: axe-core, keyboard use, images, headings and third-party requests.

Every page is checked at a phone viewport (390x844), in the default look and in the
large-text + high-contrast reading mode (适老化). See conftest.py for how the live server gets
the demo site without a transactional (flushing) test database.
"""

import urllib.request
from urllib.parse import quote, urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from .walk import in_worker_thread

PAGES = {
    "home": "/",
    "column": "/safety-month-2026/",
    "column-filtered": "/safety-month-2026/?topic=gas",
    "article": "/safety-month-2026/2026-safety-month-launch/",
    "search": "/search/?q=" + quote("燃气"),
    "archived-column": "/safety-month-2025/",
    "contests": "/contests/",
    "contest": "/contests/students-2026/",
    "contest-unit-search": "/contests/students-2026/?unit_q=" + quote("小学"),
    "rankings": "/contests/students-2026/rankings/",
    "events": "/events/",
    "events-calendar": "/events/calendar/?month=2026-06",
    "events-past": "/events/past/",
    "event": "/events/2026-consultation-day/",
}
# What each page must show, so no test passes on an empty or error page.
EXPECTED_TEXT = {
    "home": ["<h1>人人讲安全、个个会应急</h1>", "专栏最新文章"],
    "column": ["<h1>2026年安全生产月专栏</h1>", 'class="card-title"'],
    "column-filtered": ["<h1>2026年安全生产月专栏</h1>", "主题：燃气"],
    "article": ["<h1>我市启动2026年“安全生产月”活动</h1>", "责任编辑"],
    "search": ["<h1>站内搜索</h1>", "与“燃气”相关的结果"],
    "archived-column": ["<h1>2025年安全生产月专栏</h1>", "历史专题"],
    "contests": ["<h1>安全知识答卷</h1>", "2026年中小学生安全知识答卷"],
    "contest": ["<h1>2026年中小学生安全知识答卷</h1>", "填写参赛信息"],
    "contest-unit-search": ["<h1>2026年中小学生安全知识答卷</h1>", "中心小学</option>"],
    "rankings": ["<h1>排行榜</h1>", "个人排行"],
    "events": ["订阅活动日历"],
    "events-calendar": ["<h1>2026年6月活动日历</h1>", "2026年全市安全咨询日"],
    "events-past": ["2026年全市安全咨询日"],
    "event": ["<h1>2026年全市安全咨询日</h1>", "在高德地图中打开"],
}
READING_MODES = {"default": None, "large-high": "large-high"}

axe = Axe()


def open_page(page, server, path, reading=None):
    if reading:
        page.context.add_cookies([{"name": "reading", "value": reading, "url": server.url}])
    response = page.goto(server.url + path, wait_until="load")
    assert response is not None and response.status == 200, f"{path} answered {response and response.status}"
    return response


def format_violations(path, violations):
    lines = [f"axe found {len(violations)} violation(s) on {path}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} [{violation['impact']}] {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            lines.append(f"    target: {' '.join(map(str, node['target']))}")
            summary = (node.get("failureSummary") or "").replace("\n", " | ")
            if summary:
                lines.append(f"      {summary}")
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------
# The live server serves the committed demo site (no browser needed for this one).


def test_live_server_serves_the_demo_site(server):
    for name, path in PAGES.items():
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            html = response.read().decode()
            assert response.status == 200, path
        for text in EXPECTED_TEXT[name]:
            assert text in html, f"{path} does not show {text!r}"


# ---------------------------------------------------------------------------------------------
# axe-core


@pytest.mark.parametrize("reading", READING_MODES.values(), ids=READING_MODES.keys())
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_axe_finds_no_violations(page, server, path, reading):
    open_page(page, server, path, reading)
    if reading:
        assert page.evaluate("document.documentElement.className") == "text-large contrast-high"
    results = axe.run(page)
    violations = results.response["violations"]
    assert not violations, format_violations(path, violations)


# ---------------------------------------------------------------------------------------------
# Keyboard


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_first_tab_reaches_the_skip_link_which_moves_focus_to_main(page, server, path):
    open_page(page, server, path)
    page.keyboard.press("Tab")
    focused = page.evaluate(
        "(() => { const el = document.activeElement; const box = el.getBoundingClientRect();"
        " return {text: el.textContent.trim(), href: el.getAttribute('href'), top: box.top, bottom: box.bottom}; })()"
    )
    assert focused["text"] == "跳到主要内容"
    assert focused["href"] == "#main"
    assert focused["top"] >= 0 and focused["bottom"] <= page.viewport_size["height"], (
        "the focused skip link must be on screen"
    )

    page.keyboard.press("Enter")
    page.wait_for_function("document.activeElement && document.activeElement.matches('main#main')")
    assert urlsplit(page.url).fragment == "main"
    # The next Tab continues inside the main content, not back in the header.
    page.keyboard.press("Tab")
    assert page.evaluate("document.getElementById('main').contains(document.activeElement)")


def tab_to(page, text, limit=40):
    """Press Tab until the element with this text has focus, as a keyboard user would."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent.trim()") == text:
            return
    pytest.fail(f"{text!r} never received focus within {limit} Tab presses")


def press_enter_on(page, text):
    tab_to(page, text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def html_classes(page):
    return set(page.evaluate("document.documentElement.className").split())


def reading_cookie(page, server):
    return {c["name"]: c["value"] for c in page.context.cookies(server.url)}.get("reading")


@pytest.mark.parametrize(
    ("link_text", "html_class", "undo_text", "cookie_value"),
    [("大字模式", "text-large", "标准字号", "large-normal"), ("高对比度", "contrast-high", "标准配色", "normal-high")],
    ids=["large-text", "high-contrast"],
)
def test_reading_mode_link_works_by_keyboard_and_persists(page, server, link_text, html_class, undo_text, cookie_value):
    start = PAGES["column-filtered"]
    open_page(page, server, start)
    assert html_class not in html_classes(page)

    press_enter_on(page, link_text)
    assert page.url == server.url + start, "the link returns to the page (and filters) it was used on"
    assert html_class in html_classes(page)
    assert page.get_by_role("link", name=undo_text, exact=True).count() == 1
    assert reading_cookie(page, server) == cookie_value

    # The preference is remembered on the next page.
    open_page(page, server, PAGES["article"])
    assert html_class in html_classes(page)
    if html_class == "text-large":
        assert page.evaluate("getComputedStyle(document.documentElement).fontSize") == "21px"


def test_reading_modes_combine_and_switch_back_by_keyboard(page, server):
    open_page(page, server, PAGES["article"])
    press_enter_on(page, "大字模式")
    press_enter_on(page, "高对比度")
    assert {"text-large", "contrast-high"} <= html_classes(page)
    assert reading_cookie(page, server) == "large-high"

    press_enter_on(page, "标准字号")
    assert {"text-normal", "contrast-high"} <= html_classes(page)
    open_page(page, server, PAGES["home"])
    assert {"text-normal", "contrast-high"} <= html_classes(page)
    assert reading_cookie(page, server) == "normal-high"


# ---------------------------------------------------------------------------------------------
# Images, headings, layout, third-party requests


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_images_in_main_have_alt_text_and_load(page, server, path):
    open_page(page, server, path)
    images = page.locator("main img")
    for i in range(images.count()):
        image = images.nth(i)
        alt = image.get_attribute("alt")
        src = image.get_attribute("src")
        assert alt is not None and alt.strip(), f"<img src={src!r}> in main has no alt text"
        image.scroll_into_view_if_needed()
        loaded = image.evaluate(
            "img => img.complete ? img.naturalWidth > 0 : new Promise(done =>"
            " { img.onload = () => done(true); img.onerror = () => done(false); })"
        )
        assert loaded, f"<img src={src!r}> does not load"


@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_heading_levels_never_skip(page, server, path):
    open_page(page, server, path)
    headings = page.evaluate(
        "Array.from(document.querySelectorAll('h1, h2, h3, h4, h5, h6'))"
        ".map(h => [Number(h.tagName[1]), h.textContent.trim()])"
    )
    assert headings, f"{path} has no headings"
    assert headings[0][0] == 1, f"{path} starts with h{headings[0][0]} {headings[0][1]!r}, not h1"
    assert [level for level, _ in headings].count(1) == 1, f"{path} has more than one h1"
    for (prev_level, prev_text), (level, text) in zip(headings, headings[1:], strict=False):
        assert level <= prev_level + 1, f"{path}: h{prev_level} {prev_text!r} is followed by h{level} {text!r}"


@pytest.mark.parametrize("reading", READING_MODES.values(), ids=READING_MODES.keys())
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_no_sideways_scrolling_at_phone_width(page, server, path, reading):
    """WCAG 1.4.10 reflow: at 390 px, even with large text, nothing is wider than the screen
    (a data table may scroll inside its own focusable region)."""
    open_page(page, server, path, reading)
    too_wide = page.evaluate(
        "Array.from(document.querySelectorAll('body *'))"
        ".filter(el => !el.closest('.block-table, .visually-hidden, .skip-link'))"
        ".filter(el => el.getBoundingClientRect().right > document.documentElement.clientWidth + 0.5)"
        ".map(el => el.outerHTML.slice(0, 120))"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]
    assert not too_wide, f"{path} has elements wider than the screen: {too_wide[:5]}"


@pytest.mark.parametrize("reading", READING_MODES.values(), ids=READING_MODES.keys())
@pytest.mark.parametrize("path", PAGES.values(), ids=PAGES.keys())
def test_page_loads_nothing_from_other_hosts(page, server, path, reading):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    open_page(page, server, path, reading)
    # Load the lazy images too, so their requests are counted.
    page.evaluate("document.querySelectorAll('img[loading=lazy]').forEach(img => { img.loading = 'eager'; })")
    page.wait_for_load_state("networkidle")

    server_origin = urlsplit(server.url)[:2]
    foreign = [url for url in requested if urlsplit(url)[:2] != server_origin]
    assert requested, "no requests were recorded"
    assert not foreign, f"{path} requested resources from other hosts: {foreign}"


# ---------------------------------------------------------------------------------------------
# The contest flow a student goes through, checked with axe at each step.


KEYBOARD_STUDENT = "键盘测试"


def _forget_keyboard_student():
    """The demo contest allows one sheet a day per person: what a run left would stop the next."""
    from participation.models import ParticipationEntry
    from participation.receivers import SHEET_SOURCE
    from quizzes.models import AnswerSheet, Participant

    sheets = AnswerSheet.objects.filter(participant__name=KEYBOARD_STUDENT)
    ParticipationEntry.objects.filter(source__in=[SHEET_SOURCE.format(s.public_id) for s in sheets]).delete()
    sheets.delete()
    Participant.objects.filter(name=KEYBOARD_STUDENT).delete()


@pytest.fixture
def keyboard_student(server):
    in_worker_thread(_forget_keyboard_student)
    yield KEYBOARD_STUDENT
    in_worker_thread(_forget_keyboard_student)


def test_a_student_can_take_the_contest_by_keyboard_and_every_step_passes_axe(page, server, keyboard_student):
    open_page(page, server, PAGES["contest-unit-search"])
    page.select_option("#unit", index=1)
    page.fill("#name", keyboard_student)
    page.fill("#class_name", "五年级二班")
    page.check("input[name=age_band][value=under14]")
    page.check("input[name=guardian_consent]")
    page.locator("button", has_text="确认信息").press("Enter")
    page.wait_for_load_state("load")
    # Masked on the landing page: on a shared computer the next person sees who, not the full name.
    assert "当前答题人" in page.content() and "键**试" in page.content()
    page.locator("button", has_text="开始答题").press("Enter")
    page.wait_for_url("**/sheet/**")
    violations = axe.run(page).response["violations"]
    assert not violations, format_violations(page.url, violations)
    assert "correct" not in page.content().lower()
    first_choice = page.locator("fieldset.question").first.locator("input").first
    first_choice.focus()
    page.keyboard.press("Space")
    expect(page.locator(".autosave-status")).to_contain_text("已自动保存第 1 题")
    page.once("dialog", lambda dialog: dialog.accept())  # 交卷 asks how many are unanswered
    page.locator("button[value=submit]").press("Enter")
    page.wait_for_url("**/result/")
    assert "答题结果" in page.content()
    violations = axe.run(page).response["violations"]
    assert not violations, format_violations(page.url, violations)
