"""A media outlet's page on another origin frames a contest with the outlet's own snippet, and a
student takes the whole contest inside the frame in Chromium: identify (searching the school),
start, answer every question by tapping (each answer autosaved), 交卷 confirmed in the dialog, the
result, the 电子证书 and its PDF and PNG. The sheet is then counted for the outlet. A page on an origin
the outlet does not list framing the same address is refused by the browser (frame-ancestors).

The outlet pages (tests/browser/outlets.py) are on 127.0.0.2 (listed) and 127.0.0.3 (not
listed), other sites than the live server's localhost: inside the frame every
cookie is a third-party one, which Chromium keeps only because the embed routes set them
``SameSite=None; Secure; Partitioned`` (core.middleware; ``Secure`` is accepted from
http://localhost, a secure context). Headless Chromium blocks unpartitioned third-party cookies.
"""

import re

import pytest
from playwright.sync_api import expect

from .contest_data import delete_contest_data
from .outlets import wait_until_frame_settles
from .walk import in_worker_thread

SCHOOL = "嵌入答卷测试小学"
CONTEST = "嵌入答卷：暑期防溺水知识"
OUTLET = "嵌入答卷合作媒体"
NAME = "周小雨"
# (kind, right choices, wrong choices): the student answers three right and the last wrong, 75
# of 100, passing without the 优秀 that would hold a fast sheet for checking.
QUESTIONS = [
    ("single", ["不私自下水游泳"], ["天热就去水库游泳", "会游泳就不用大人陪"]),
    ("single", ["大声呼救并找大人"], ["自己跳下水去救", "手拉手下水救人"]),
    ("multiple", ["在有救生员的正规泳池游泳", "游泳前做好热身"], ["饭后立即下水"]),
    ("truefalse", ["错误"], ["正确"]),
]


def _create(base_url, outlet_origin):
    from core import embedding
    from core.models import MediaOutlet
    from home.factories import TopicFactory
    from organizations.factories import UnitFactory
    from organizations.models import Unit, UnitKind
    from quizzes.factories import ContestPageFactory, DrawRuleFactory, QuestionFactory
    from quizzes.models import ContestIndexPage

    town = Unit.objects.filter(kind=UnitKind.TOWN, is_active=True).order_by("pk").first()
    school = UnitFactory(kind=UnitKind.SCHOOL, name=SCHOOL, parent=town)
    topic = TopicFactory(slug="walk-contest-embed", name="嵌入答卷测试题目")
    for n, (kind, right, wrong) in enumerate(QUESTIONS):
        choices = [(text, True) for text in right] + [(text, False) for text in wrong]
        if kind == "truefalse":
            choices = [("正确", "正确" in right), ("错误", "错误" in right)]
        QuestionFactory(
            key=f"walk-embed-{n}", kind=kind, topic=topic, stem=f"嵌入答卷第{n + 1}题（　）。", choices=choices
        )
    index = ContestIndexPage.objects.live().order_by("path").first()
    contest = ContestPageFactory(
        parent=index, title=CONTEST, slug="walk-contest-embed", time_limit_seconds=600, shuffle_questions=False
    )
    DrawRuleFactory(contest=contest, kind="", topic=topic, count=len(QUESTIONS), points=25)
    outlet = MediaOutlet.objects.create(name=OUTLET, allowed_origins=outlet_origin)
    snippet = str(embedding.embed_snippet(contest, base_url=base_url, outlet=outlet))
    return {"school": school.pk, "topic": topic.pk, "contest": contest.pk, "outlet": outlet.pk, "snippet": snippet}


def _delete(made):
    from core.models import MediaOutlet

    delete_contest_data(contest_id=made["contest"], school_id=made["school"], topic_id=made["topic"])
    MediaOutlet.objects.filter(pk=made["outlet"]).delete()


def _sheets(contest_pk):
    from quizzes.models import AnswerSheet

    return list(AnswerSheet.objects.filter(contest_id=contest_pk).values("outlet_id", "status", "score"))


@pytest.fixture
def embedded_contest(server, outlet_site, unlisted_site):
    made = in_worker_thread(lambda: _create(server.url, outlet_site.origin))
    for site in (outlet_site, unlisted_site):
        site.show(made["snippet"], heading="合作媒体的答题专区")
    yield {**made, "outlet_url": outlet_site.page_url, "unlisted_url": unlisted_site.page_url}
    in_worker_thread(lambda: _delete(made))


def test_a_student_takes_a_contest_inside_an_outlets_frame(walk, embedded_contest):
    page = walk.page
    page.goto(embedded_contest["outlet_url"])
    frame = page.frame_locator("iframe[data-embed-frame]")
    expect(frame.get_by_role("heading", level=1)).to_have_text(CONTEST)
    expect(frame.locator(".breadcrumb")).to_have_count(0)
    walk.shot("framed")

    # 1. Identify: find the school, then the form.
    frame.get_by_label("查找你的学校或单位").fill("嵌入答卷测试")
    frame.get_by_role("button", name="查找").click()
    frame.get_by_label("单位", exact=True).select_option(label=SCHOOL)
    frame.get_by_label("姓名").fill(NAME)
    frame.get_by_label("班级（学生填写）").fill("四年级三班")
    frame.get_by_label("14 岁以下", exact=True).check()
    frame.locator("input[name=guardian_consent]").check()
    frame.get_by_role("button", name="确认信息").click()
    # The participant cookie came back from the third-party frame: no cookie notice.
    expect(frame.locator("#me-heading")).to_have_text(f"当前答题人：周*雨（{SCHOOL}）")
    expect(frame.locator(".cookies-refused")).to_have_count(0)
    cookies = {cookie["name"]: cookie for cookie in walk.context.cookies(walk.server.url)}
    for name in ("participant", "csrftoken"):
        assert cookies[name]["sameSite"] == "None" and cookies[name]["secure"], cookies[name]
    walk.shot("identified")

    # 2. Start, and answer every question by tapping; each change is autosaved.
    start = frame.get_by_role("button", name="开始答题")
    wait_until_frame_settles(page, target=start)
    start.click()
    expect(frame.get_by_role("timer")).to_contain_text("剩余时间")
    expect(frame.get_by_role("button", name="保存答案")).to_be_hidden()
    questions = frame.locator("fieldset.question")
    expect(questions).to_have_count(len(QUESTIONS))
    for n, (_kind, right, wrong) in enumerate(QUESTIONS):
        question = questions.filter(has_text=f"嵌入答卷第{n + 1}题")
        picks = wrong[:1] if n == len(QUESTIONS) - 1 else right
        for text in picks:
            with page.expect_response(re.compile(r"/answer-sheets/[0-9a-f-]+/answer/$")) as saved:
                question.locator("label.choice", has_text=text).click()
            assert saved.value.ok and saved.value.json()["ok"], saved.value.status
        position = question.get_attribute("data-position")
        expect(frame.locator(".autosave-status")).to_have_text(f"已自动保存第 {position} 题。")
    walk.shot("answered")

    # 3. 交卷: contest.js asks in a dialog (raised by the frame, handled on the page).
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    frame.get_by_role("button", name="交卷").click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("答题结果")
    assert dialogs and "全部题目都已作答。" in dialogs[0] and "确定交卷吗" in dialogs[0], dialogs
    expect(frame.locator(".score")).to_contain_text("75 / 100 分")
    expect(frame.locator(".score")).to_contain_text("合格")
    assert page.url == embedded_contest["outlet_url"]  # all of it inside the frame
    walk.shot("result")

    # 4. The certificate, and its files saved from inside the frame (with the frame's cookies).
    certificate_link = frame.get_by_role("link", name="查看电子证书")
    wait_until_frame_settles(page, target=certificate_link)
    certificate_link.click()
    expect(frame.get_by_role("heading", level=1)).to_have_text("电子证书", timeout=15_000)
    expect(frame.locator(".certificate-name")).to_have_text(NAME)
    wait_until_frame_settles(page)
    walk.shot("certificate")
    for link, filename, magic in (
        ("下载 PDF", "电子证书.pdf", b"%PDF"),
        ("下载图片（PNG）", "电子证书.png", b"\x89PNG"),
    ):
        with page.expect_download() as download_info:
            frame.get_by_role("link", name=link).click()
        download = download_info.value
        assert download.suggested_filename == filename
        with open(download.path(), "rb") as saved:
            assert saved.read(len(magic)) == magic

    # 5. The sheet was started through the outlet's snippet, and is counted for it.
    assert in_worker_thread(lambda: _sheets(embedded_contest["contest"])) == [
        {"outlet_id": embedded_contest["outlet"], "status": "submitted", "score": 75}
    ]

    # 6. The same snippet on an origin the outlet does not list: Chromium renders nothing in it.
    with page.expect_console_message(lambda message: "frame-ancestors" in message.text):
        page.goto(embedded_contest["unlisted_url"])
    expect(page.get_by_role("heading", level=1)).to_have_text("合作媒体的答题专区")
    expect(frame.get_by_role("heading", level=1)).to_have_count(0)
    walk.shot("refused")

    outlet_pages = (embedded_contest["outlet_url"], embedded_contest["unlisted_url"])

    def expected(problem):
        return problem in {f"request to another host: {url}" for url in outlet_pages} or "frame-ancestors" in problem

    assert any("frame-ancestors" in problem for problem in walk.problems), walk.problems
    walk.problems[:] = [problem for problem in walk.problems if not expected(problem)]
