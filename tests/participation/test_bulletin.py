import io

import pytest
from django.urls import reverse
from docx import Document
from docx.oxml.ns import qn
from wagtail.models import ModelLogEntry

from home.models import ArticlePage, SiteIdentity, Topic
from participation import bulletin
from participation.factories import ActivityReportFactory, EntryFactory

from .conftest import headcount, staff_user

PAGE_URL = reverse("participation_bulletin")
DOCX_URL = reverse("participation_bulletin_docx")


@pytest.fixture
def filled(campaign, tree):
    """Town 1 at 275% (15 sheet takers and an activity of 40 against 20 expected), town 0 at 5%
    (1 of 20); the communities have no headcount."""
    topic = Topic.objects.filter(articles__live=True).first()
    town0_school = tree.units[0]
    EntryFactory(campaign=campaign, unit=town0_school, topic_results={str(topic.pk): [1, 4]})
    town1_school = tree.units[3]
    for _n in range(15):
        EntryFactory(campaign=campaign, unit=town1_school, score=50, topic_results={str(topic.pk): [2, 4]})
    ActivityReportFactory(campaign=campaign, unit=tree.units[5], people=40)
    return topic


def test_page_shows_the_figures_and_towns_by_rate(reporter, campaign, tree, filled):
    response = reporter.get(PAGE_URL, {"campaign": campaign.pk, "unit": tree.city.pk})
    assert response.status_code == 200
    html = response.content.decode()
    title = f"{campaign.name}{tree.city.name}安全知识答卷及宣传活动参与情况通报"
    assert f"<h1>{title}</h1>" in html
    assert "@page" in html and "A4" in html and "<script" not in html
    assert "2026年6月1日至6月30日" in html
    # 56 people (1 + 15 + 40) of 40 expected = 140%, flagged in words, not capped.
    assert "共有56人参加" in html and "应参与40人" in html and "参与率140.0%" in html
    assert "超过100%" in html and "未填应参与人数" in html
    assert html.index(tree.towns[1].name) < html.index(tree.towns[0].name)  # 275% before 5%
    assert "推荐阅读" in html and filled.name in html
    articles = ArticlePage.objects.live().filter(topics=filled)
    assert any(article.title in html for article in articles)
    assert tree.units[2].name in html  # town 0's community: not reached
    assert reverse("participation_bulletin_docx") in html


def test_city_page_and_dates(reporter, campaign, tree, filled):
    response = reporter.get(PAGE_URL, {"campaign": campaign.pk, "from": "2026-06-05", "to": "2026-06-11"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026年6月5日至6月11日" in html
    assert "共有16人参加" in html  # the activity report (12 June) is outside the dates


def test_docx(reporter, site, campaign, tree, filled):
    identity = SiteIdentity.for_site(site)
    identity.host_organization = "测试市安全生产委员会办公室"
    identity.save()
    response = reporter.get(DOCX_URL, {"campaign": campaign.pk, "unit": tree.city.pk})
    assert response.status_code == 200
    assert response["Content-Type"] == bulletin.DOCX_CONTENT_TYPE
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = "\n".join(paragraph.text for paragraph in document.paragraphs)
    assert f"{campaign.name}{tree.city.name}安全知识答卷及宣传活动参与情况通报" in text
    assert "测试市安全生产委员会办公室" in text
    assert "共有56人参加" in text and "应参与40人" in text and "参与率140.0%" in text
    assert "共提交答卷16份" in text

    towns = document.tables[0]
    assert [cell.text for cell in towns.rows[0].cells][:5] == ["名次", "单位", "参与人数", "应参与人数", "参与率"]
    assert towns.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None  # repeats on every page
    body = [[cell.text for cell in row.cells] for row in towns.rows[1:]]
    names = [row[1] for row in body]
    assert names.index(tree.towns[1].name) < names.index(tree.towns[0].name)
    town1 = body[names.index(tree.towns[1].name)]
    assert town1[0] == "1" and town1[4] == "275.0%" and "超过100%" in town1[7]
    assert "1个单位未填应参与人数" in town1[7]

    all_cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    community = tree.units[2].name  # no headcount and no entry: listed as not reached, headcount 未填
    assert community in all_cells
    assert "未填" in all_cells
    assert filled.name in all_cells

    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get(qn("w:eastAsia")) == bulletin.BODY_FONT
    run = document.paragraphs[0].runs[0]
    assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == bulletin.TITLE_FONT
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.page_height.mm) == 297


def test_unit_with_no_headcount_is_flagged_in_words(reporter, campaign, tree):
    community = tree.units[2]
    EntryFactory(campaign=campaign, unit=community)
    response = reporter.get(DOCX_URL, {"campaign": campaign.pk, "unit": tree.towns[0].pk})
    document = Document(io.BytesIO(response.content))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows[1:]]
    row = next(row for row in rows if row[1] == community.name)
    assert row[0] == "—" and row[4] == "—" and "未填应参与人数，无法计算参与率" in row[7]
    assert rows[-1][1] == community.name  # unranked rows come last


def test_docx_download_is_audited(reporter, campaign, tree, filled):
    response = reporter.get(
        DOCX_URL, {"campaign": campaign.pk, "unit": tree.towns[0].pk, "from": "2026-06-01", "to": "2026-06-20"}
    )
    assert response.status_code == 200
    entry = ModelLogEntry.objects.get(action="participation.bulletin", object_id=str(campaign.pk))
    assert entry.user.username == "staff"
    assert entry.data["scope"] == tree.towns[0].name
    assert entry.data["from"] == "2026-06-01" and entry.data["to"] == "2026-06-20"
    assert entry.label == campaign.name
    assert "下载了通报" in entry.message
    # Viewing the print page is not a download.
    reporter.get(PAGE_URL, {"campaign": campaign.pk})
    assert ModelLogEntry.objects.filter(action="participation.bulletin").count() == 1


@pytest.mark.parametrize("url", [PAGE_URL, DOCX_URL])
def test_permission(client, django_user_model, campaign, url):
    assert client.get(url).status_code == 302  # to the admin login
    client.force_login(staff_user(django_user_model, username="editor"))
    refused = client.get(url, {"campaign": campaign.pk})
    assert refused.status_code == 403 and "没有查看参与情况的权限" in refused.content.decode()
    assert not ModelLogEntry.objects.filter(action="participation.bulletin").exists()


@pytest.mark.parametrize("url", [PAGE_URL, DOCX_URL])
@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"from": "2026-13-45"}, 400, "不是有效的日期"),
        ({"to": "6/30"}, 400, "2026-06-01"),
        ({"from": "2026-06-20", "to": "2026-06-01"}, 400, "开始日期不能晚于结束日期"),
        ({"unit": "999999999"}, 404, "没有找到这个单位"),
        ({"campaign": "abc"}, 404, "没有找到这个宣传活动"),
    ],
)
def test_bad_parameters(reporter, campaign, url, params, status, message):
    response = reporter.get(url, {"campaign": campaign.pk, **params})
    assert response.status_code == status
    assert message in response.content.decode()


def test_dashboard_links_to_the_bulletin(reporter, campaign, tree):
    html = reporter.get(reverse("participation_dashboard"), {"campaign": campaign.pk, "from": "2026-06-02"}).content
    assert f'{PAGE_URL}?campaign={campaign.pk}&amp;from=2026-06-02"'.encode() in html
    assert "生成通报" in html.decode()


def test_demo_campaign_bulletin(reporter):
    """The demo's campaign, city-wide: the page and the file build from real demo data."""
    assert reporter.get(PAGE_URL).status_code == 200
    response = reporter.get(DOCX_URL)
    assert response.status_code == 200
    Document(io.BytesIO(response.content))


def test_headcount_helper_is_used(campaign, tree):
    # The fixture's schools have 10 each; a headcount added to a community gives it a rate.
    headcount(tree.units[2], campaign, 5)
    content = bulletin.build_bulletin(campaign=campaign, unit=tree.towns[0])
    row = next(row for row in content.table_rows if row.name == tree.units[2].name)
    assert row.rate_text == "0.0%" and row.rank is not None


def test_scoped_account_gets_its_own_units_bulletin(client, django_user_model, campaign, tree, filled):
    from organizations.models import StaffScope

    liaison = staff_user(django_user_model, "view_report", username="liaison")
    StaffScope.objects.create(user=liaison, unit=tree.towns[0])
    client.force_login(liaison)
    html = client.get(PAGE_URL, {"campaign": campaign.pk}).content.decode()
    assert f"{campaign.name}{tree.towns[0].name}安全知识答卷" in html and tree.towns[1].name not in html
    refused = client.get(DOCX_URL, {"campaign": campaign.pk, "unit": tree.towns[1].pk})
    assert refused.status_code == 403 and "不在您负责的范围内" in refused.content.decode()
    assert not ModelLogEntry.objects.filter(action="participation.bulletin").exists()
