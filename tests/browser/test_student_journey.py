"""Issue 10's student journey, walked on a 375 px phone in WeChat's browser: the school's QR link →
the contest (greeted as a student of the school) → identify as under 14, the guardian's tick
forgotten (the form comes back, filled in) and then given → start → answer by tapping → 交卷,
confirmed in a dialog that says how many are unanswered → the result's counts → 我的名次 →
the 电子证书 page, its PDF and its PNG.

The school (with its join token), five questions of a topic of their own and the contest are
made in a worker thread and committed, since the live server reads the committed database; the
fixture deletes them in teardown, together with everything the walk wrote (the participant, the
sheet, any ledger rows the participation receivers recorded for it).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from .contest_data import delete_contest_data
from .walk import in_worker_thread

SCHOOL = "扫码测试小学"
CONTEST = "扫码测试答卷"
NAME = "林小雨"


def _make_data():
    from home.factories import TopicFactory
    from organizations.factories import UnitFactory
    from organizations.models import Unit, UnitKind
    from quizzes.choices import QuestionKind
    from quizzes.factories import ContestPageFactory, DrawRuleFactory, QuestionFactory
    from quizzes.models import ContestIndexPage

    town = Unit.objects.filter(kind=UnitKind.TOWN, is_active=True).order_by("pk").first()
    school = UnitFactory(kind=UnitKind.SCHOOL, name=SCHOOL, parent=town)
    topic = TopicFactory(slug="walk-student-journey", name="扫码测试题目")
    for n in range(5):
        QuestionFactory(
            key=f"walk-student-{n}",
            kind=QuestionKind.SINGLE,
            topic=topic,
            stem=f"扫码测试第{n}题：下列哪一项做法正确（　）。",
            choices=[(f"错误做法A{n}", False), (f"正确做法{n}", True), (f"错误做法C{n}", False)],
        )
    index = ContestIndexPage.objects.live().order_by("path").first()
    contest = ContestPageFactory(
        parent=index, title=CONTEST, slug="walk-student-journey", time_limit_seconds=300, attempts_total=2
    )
    DrawRuleFactory(contest=contest, kind=QuestionKind.SINGLE, topic=topic, count=5, points=20)
    return {"join_url": school.get_join_url(), "school_id": school.pk, "contest_id": contest.pk, "topic_id": topic.pk}


@pytest.fixture
def school_contest(server):
    data = in_worker_thread(_make_data)
    yield data
    in_worker_thread(
        lambda: delete_contest_data(
            contest_id=data["contest_id"], school_id=data["school_id"], topic_id=data["topic_id"]
        )
    )


def name_cells_on_one_line(page):
    """Per masked name in the ranking, whether it sits on one line (its height is one line)."""
    return page.eval_on_selector_all(
        "td.ranking-name",
        """cells => cells.map(cell => {
            const range = document.createRange();
            range.selectNodeContents(cell);
            const lineHeight = parseFloat(getComputedStyle(cell).lineHeight);
            return range.getBoundingClientRect().height < 1.5 * lineHeight;
        })""",
    )


def test_a_student_scans_the_poster_takes_the_contest_and_saves_a_certificate(walk, school_contest):
    page = walk.page

    # 1. The QR poster's link: straight to the contest, or (when the demo's school contest is open
    #    too) a short chooser greeting the school's students first.
    page.goto(walk.url(school_contest["join_url"]))
    if "/answer-sheets/joined/" in page.url:
        expect(page.locator("h1")).to_have_text(f"欢迎，{SCHOOL}的同学")
        walk.shot("chooser")
        with page.expect_navigation():
            page.get_by_role("link", name=CONTEST).click()
    expect(page.locator("h1")).to_have_text(CONTEST)
    expect(page.locator(".greeting")).to_have_text(f"欢迎，{SCHOOL}的同学")
    expect(page.get_by_text(f"单位：{SCHOOL}（来自扫码链接）")).to_be_visible()
    expect(page.get_by_text("限时 5 分钟")).to_be_visible()
    walk.shot("contest")

    # 2. Identify as under 14, the guardian's tick forgotten: the form comes back as filled in.
    page.get_by_label("姓名").fill(NAME)
    page.get_by_label("班级（学生填写）").fill("三年级一班")
    page.get_by_label("14 岁以下", exact=True).check()
    with walk.allow(422, "/identify/"), page.expect_navigation():
        page.get_by_role("button", name="确认信息").click()
    expect(page.locator("#guardian-consent-error")).to_have_text("14 岁以下的同学需要监护人勾选同意后才能参加。")
    expect(page.get_by_label("姓名")).to_have_value(NAME)
    expect(page.get_by_label("班级（学生填写）")).to_have_value("三年级一班")
    expect(page.get_by_label("14 岁以下", exact=True)).to_be_checked()
    consent = page.locator("input[name=guardian_consent]")
    expect(consent).to_have_attribute("aria-invalid", "true")
    walk.shot("consent-forgotten")

    # ... then ticked.
    consent.check()
    with page.expect_navigation():
        page.get_by_role("button", name="确认信息").click()
    expect(page.locator("#me-heading")).to_have_text(f"当前答题人：林*雨（{SCHOOL}）")
    walk.shot("identified")

    # 3. Start, and answer by tapping: three right, one wrong, one left out.
    with page.expect_navigation():
        page.get_by_role("button", name="开始答题").click()
    expect(page.get_by_role("timer")).to_contain_text("剩余时间")
    expect(page.get_by_role("button", name="保存答案")).to_be_hidden()  # autosave does it
    questions = page.locator("fieldset.question")
    expect(questions).to_have_count(5)
    for n in range(4):
        question = questions.nth(n)
        pick = "正确做法" if n < 3 else "错误做法"
        question.locator("label.choice", has_text=pick).first.click()
        position = question.get_attribute("data-position")
        expect(page.locator(".autosave-status")).to_have_text(f"已自动保存第 {position} 题。")
    walk.shot("answered")

    # 4. 交卷 asks first, saying how many are unanswered.
    dialogs = []

    def accept(dialog):
        dialogs.append(dialog.message)
        dialog.accept()

    page.once("dialog", accept)
    with page.expect_navigation(url=re.compile(r"/result/$")):
        page.get_by_role("button", name="交卷").click()
    assert dialogs and "还有 1 题未作答。" in dialogs[0] and "确定交卷吗" in dialogs[0], dialogs

    # 5. The result: score, band and the counts.
    expect(page.locator("h1")).to_have_text("答题结果")
    expect(page.locator(".score")).to_contain_text("60 / 100 分")
    expect(page.locator(".score")).to_contain_text("合格")
    counts = page.locator(".result-counts")
    for label, number in (("答对", 3), ("答错", 1), ("未作答", 1)):
        expect(counts.locator("div", has=page.locator("dt", has_text=label))).to_contain_text(f"{number} 题")
    walk.shot("result")

    # 6. The rankings: 我的名次, and names that never break one character per line.
    with page.expect_navigation():
        page.get_by_role("link", name="查看排行榜").click()
    expect(page.locator("#my-rank-heading")).to_have_text("我的名次")
    expect(page.locator(".my-rank")).to_contain_text("第 1 名")
    expect(page.locator("td.ranking-name")).to_have_text(["林*雨"])
    assert all(name_cells_on_one_line(page))
    walk.shot("rankings")
    page.context.add_cookies([{"name": "reading", "value": "large-normal", "url": walk.server.url}])
    page.reload()
    assert "text-large" in page.evaluate("document.documentElement.className")
    assert all(name_cells_on_one_line(page))
    walk.shot("rankings-large-text")
    page.go_back()

    # 7. The certificate: a page with the name as entered, the contest, the band and the date.
    expect(page.locator("h1")).to_have_text("答题结果")
    with page.expect_navigation():
        page.get_by_role("link", name="查看电子证书").click()
    certificate = page.locator(".certificate")
    expect(certificate.locator(".certificate-name")).to_have_text(NAME)
    expect(certificate).to_contain_text(CONTEST)
    expect(certificate.locator(".certificate-band")).to_have_text("合格")
    expect(certificate.locator(".certificate-date")).to_have_text(re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$"))
    expect(certificate).not_to_contain_text(SCHOOL)
    expect(certificate).not_to_contain_text("三年级一班")
    walk.shot("certificate")

    # ... and the files a child can save.
    for link, filename, magic in (
        ("下载 PDF", "电子证书.pdf", b"%PDF"),
        ("下载图片（PNG）", "电子证书.png", b"\x89PNG"),
    ):
        with page.expect_download() as download_info:
            page.get_by_role("link", name=link).click()
        download = download_info.value
        assert download.failure() is None, download.failure()
        assert download.suggested_filename == filename
        assert Path(download.path()).read_bytes().startswith(magic), link
