"""The search tests' own corpus: a small site built with the factories, so that no amount of demo
content (which also talks about 燃气 and 安全) can change what these tests find.

The corpus is a second Wagtail site (``CORPUS_HOST``) with a home page, a 2026 column, an archived
2025 column and the articles below. Queries in the tests are restricted to it: the ORM ones to
its pages (``Corpus.articles`` / ``Corpus.pages``), the /search/ page ones by asking for it by its
host name, which the search page answers from that site's pages only.

Each article is short and written for the query cases in ``test_chinese_queries.py``: the comment
above an article says what it is there for. An article matches a Chinese word when the word
occurs, unbroken by punctuation, in its title, summary, paragraphs, knowledge card, quote, table
cells, ``source`` or one of its topic names.
"""

import datetime
from dataclasses import dataclass, field

import pytest
from wagtail.models import Page, Site
from wagtail.search import index

from home.factories import (
    ArticlePageFactory,
    ColumnIndexPageFactory,
    HomePageFactory,
    TopicFactory,
    paragraphs_to_body,
)
from home.models import ArticlePage

CORPUS_HOST = "corpus.testserver"

HOME_TITLE = "安全生产宣传语料平台"
COLUMN_TITLE = "2026年安全生产月测试专栏"
ARCHIVED_COLUMN_TITLE = "2025年安全生产月测试专栏"

# slug -> name. The names end in （语料） so that they can never clash with a demo topic's.
GAS_TOPIC = ("corpus-gas", "居家用气（语料）")
EXPLOSIVES_TOPIC = ("corpus-explosives", "民爆器材（语料）")

# Articles that only the pagination tests look for: 巡查 occurs in no other corpus page.
PATROL_WORD = "巡查"
PATROL_ARTICLES = 23  # 10 a page: pages of 10, 10 and 3

SOURCE = "莱西市安委会办公室"  # no word any test searches for
MEDIA_SOURCE = "莱西融媒"


def _article(slug, date, title, summary, paragraphs, *, source=SOURCE, topics=(), archived=False, **blocks):
    return {
        "slug": slug,
        "publish_date": datetime.date.fromisoformat(date),
        "title": title,
        "summary": summary,
        "paragraphs": paragraphs,
        "source": source,
        "topics": topics,
        "archived": archived,
        "blocks": blocks,
    }


ARTICLES = [
    # 2026年 (title) and 6月1日; 人人讲安全、个个会应急 (so 全个 only across the 、); 12350举报;
    # 专栏; 燃气、消防、矿山 broken up by punctuation; 泰山 only in the quote.
    _article(
        "launch",
        "2026-06-01",
        "2026年安全生产月活动启动",
        "全市以“人人讲安全、个个会应急”为主题，于6月1日启动安全生产月活动。",
        [
            "本报开设专栏，集中报道各镇街开展的燃气、消防和矿山等专项检查。",
            "群众发现隐患，可拨打12350举报，也可到人员密集场所的宣传点咨询。",
        ],
        quote={"text": "安全生产，责任重于泰山。", "attribution": "市安委会"},
    ),
    # 2026年 and 6月1日起 in the summary; 学生 with 燃气 and 消防.
    _article(
        "contest",
        "2026-06-05",
        "全市中小学生安全知识答卷开始",
        "2026年安全知识答卷面向全市学生，6月1日起开放答题。",
        ["题目涵盖燃气、消防、交通等内容，学生答完即可查看解析。"],
    ),
    # 燃气安全 (title, so 燃 and 燃气 autocomplete too) and 用气安全; 燃气 and 泄漏, never 燃气泄漏.
    _article(
        "gas-check",
        "2026-06-20",
        "安全进社区：燃气安全检查送到家门口",
        "网格员和燃气公司人员入户检查燃气管道和报警器。",
        ["检查发现一处软管泄漏，当场督促更换，居民用气更放心。"],
        topics=[GAS_TOPIC],
    ),
    # 燃气泄漏; 拨打119; 液化石油气, 报警器 and 积聚 only in the knowledge card.
    _article(
        "gas-leak",
        "2026-06-12",
        "闻到燃气味怎么办",
        "燃气泄漏时，先关阀门、开窗通风，不要开关电器。",
        ["到室外安全的地方后，拨打119或燃气公司抢修电话。"],
        topics=[GAS_TOPIC],
        knowledge_card={
            "title": "液化石油气",
            "points": ["液化石油气比空气重，泄漏后会积聚在低处。", "燃气报警器应装在灶具附近。"],
        },
    ),
    # 燃气 only in the summary and body (not the title); 用气安全 but not 燃气安全; 钢瓶; 角阀 only in
    # a table cell.
    _article(
        "lpg-restaurant",
        "2026-06-15",
        "餐饮店液化石油气钢瓶使用规范",
        "钢瓶与灶具保持安全距离，餐饮店要安装燃气报警器，落实用气安全。",
        ["执法人员检查了钢瓶的检验标签和连接软管。", "后厨一旦燃气泄漏，应立即关闭阀门。"],
        topics=[GAS_TOPIC],
        table={"caption": "钢瓶检查记录", "header": ["项目", "结果"], "rows": [["角阀", "完好"], ["减压阀", "更换"]]},
    ),
    # 莱西融媒 only as the source; 1.2万; 心肺复苏; “一盔一带”; 12350 not followed by 举报.
    _article(
        "consult-day",
        "2026-06-16",
        "安全宣传咨询日走进城市广场",
        "咨询日现场吸引群众1.2万人次，工作人员演示燃气报警器和灭火器的使用。",
        [
            "医护人员教大家心肺复苏等应急救护技能，倡导骑车做到“一盔一带”。",
            "安全生产举报热线12350全天受理。",
        ],
        source=MEDIA_SOURCE,
    ),
    _article(
        "campus-drill",
        "2026-06-08",
        "安全进校园：消防疏散演练",
        "学校组织学生开展消防疏散演练，全体师生三分钟内撤到操场。",
        ["教学楼属于人员密集场所，发现火情要立即拨打119。"],
    ),
    _article(
        "crowded-places",
        "2026-06-10",
        "人员密集场所消防检查",
        "检查组抽查商场、影院的消防通道和疏散指示标志。",
        ["商户遇到火情应拨打119，并引导顾客从安全出口撤离。"],
    ),
    # 电动 at the start of the title.
    _article(
        "ebike",
        "2026-06-11",
        "电动自行车充电防火提示",
        "电动自行车不要在楼道、门厅充电，以免堵塞疏散通道。",
        ["充电起火时应立即拨打119，不要自行扑救。消防部门提醒车主选用合格电池。"],
    ),
    # 电动自行车 in the summary only; 安全带, which is not 安全帽.
    _article(
        "helmet",
        "2026-06-18",
        "骑行请戴头盔系安全带",
        "交警在路口开展“一盔一带”宣传，提醒骑电动自行车要戴头盔。",
        ["驾乘汽车要系好安全带。"],
    ),
    # 敲帮问顶; 安全帽 without 施工.
    _article(
        "mine-roof",
        "2026-06-14",
        "非煤矿山顶板检查",
        "井下作业前要敲帮问顶，作业人员必须佩戴安全帽。",
        ["检查组逐一查看支护和通风记录。"],
    ),
    # 莱西融媒 only as the source.
    _article(
        "quarry",
        "2026-06-19",
        "露天采石场边坡整治",
        "矿山企业对高陡边坡进行削坡减载。",
        ["整治完成前暂停爆破作业。"],
        source=MEDIA_SOURCE,
    ),
    # 安全帽 and 施工; 坠 inside 高处坠落.
    _article(
        "construction-fall",
        "2026-06-09",
        "建筑施工高处坠落防范",
        "施工人员进入工地必须戴好安全帽、系好安全带。",
        ["脚手架和临边洞口要设置防护栏杆。"],
    ),
    # 施工 without 安全帽; PM2.5 next to Chinese.
    _article(
        "dust",
        "2026-06-13",
        "施工工地扬尘治理",
        "工地落实覆盖、洒水等措施，控制PM2.5和扬尘。",
        ["监测设备实时显示PM2.5数值。"],
    ),
    # MSDS; 雷 at the end of a run (防雷，); 安全 and 应急.
    _article(
        "chemicals",
        "2026-06-07",
        "危险化学品安全技术说明书",
        "企业要为每种危险化学品备齐MSDS，并张贴安全标签。",
        ["仓库要做好防静电和防雷，发生泄漏时按应急处置卡操作，并拨打119。"],
    ),
    # 应急 without 安全; 拨打110、119 (119, but never right after 拨打).
    _article(
        "hazmat",
        "2026-06-06",
        "危险货物运输车辆检查",
        "检查组查验车辆的应急处置卡和驾驶员资格证。",
        ["运输途中发生事故，驾驶员应拨打110、119报警。"],
    ),
    # 民爆器材 in the title and topic; 雷 at the start of 雷管.
    _article(
        "explosives-storage",
        "2026-06-04",
        "民爆器材仓库安全检查",
        "检查组核对雷管、炸药的出入库台账。",
        ["库区严禁烟火，值班人员二十四小时在岗。"],
        topics=[EXPLOSIVES_TOPIC],
    ),
    # 民爆器材 only in the topic name; 拨打110.
    _article(
        "explosives-report",
        "2026-06-17",
        "发现可疑爆炸物请报警",
        "发现遗留的雷管等可疑物品，不要触碰，立即拨打110。",
        ["公安机关将第一时间到场处置。"],
        topics=[EXPLOSIVES_TOPIC],
    ),
    # 燃 (title, in 燃放) without 燃气; 拨打110举报; 雷 in the middle of 避雷设施.
    _article(
        "fireworks-zones",
        "2026-06-03",
        "城区禁止燃放烟花爆竹的区域",
        "禁放区域内燃放烟花爆竹的，可拨打110举报。",
        ["加油站、医院周边等地点一律禁放。", "烟花爆竹批发仓库必须安装避雷设施。"],
    ),
    _article(
        "licence",
        "2026-06-02",
        "安全生产许可证办理指南",
        "非煤矿山和危险化学品企业须取得安全生产许可证。",
        ["申请材料齐全的，窗口当场受理。"],
    ),
    # 《安全生产法》中 (so 法中 only across the 》); 12350举报.
    _article(
        "law-rights",
        "2026-06-21",
        "安全生产法保障从业人员权利",
        "《安全生产法》中规定，从业人员有权拒绝违章指挥。",
        ["发现违法行为可以拨打12350举报。"],
    ),
    _article(
        "expert-checks",
        "2026-06-22",
        "专家进企业查隐患",
        "专家组依据《安全生产法》逐项检查，做到谁检查、谁督促、一抓到底。",
        ["对查出的隐患建立台账，限期整改。"],
    ),
    # 个个会应急 without 人人讲安全; 6月10日, which is not 6月1日.
    _article(
        "speech-final",
        "2026-06-23",
        "安全生产演讲比赛决赛",
        "决赛于6月10日举行，选手围绕“个个会应急”讲述身边故事。",
        ["获奖选手将到社区巡回宣讲。"],
    ),
    # In the archived column.
    _article(
        "review-2025",
        "2025-07-02",
        "2025年安全生产月活动总结",
        "回顾2025年安全生产月期间的宣传和隐患排查工作。",
        ["各单位实行整改责任制，做到谁检查、谁督促、一抓到底。"],
        archived=True,
    ),
]

# Sets of article slugs shared by several tests.
GAS = {"launch", "contest", "gas-check", "gas-leak", "lpg-restaurant", "consult-day"}
GAS_TOPIC_AND_GAS = {"gas-check", "gas-leak", "lpg-restaurant"}

# Queries with no searchable word at all: they must find nothing, without an error.
PUNCTUATION_ONLY_QUERIES = [
    pytest.param('"""', id="double-quotes"),
    pytest.param("!!!", id="exclamation-marks"),
    pytest.param("'", id="apostrophe"),
    pytest.param("\\", id="backslash"),
    pytest.param("、。“”", id="chinese-punctuation"),
]


@dataclass
class Corpus:
    site: Site
    home: Page
    column: Page
    archived_column: Page
    topics: dict = field(default_factory=dict)  # slug -> Topic

    def articles(self):
        """Live articles of the corpus, to search in."""
        return ArticlePage.objects.live().descendant_of(self.home)

    def pages(self):
        """Live pages of the corpus, home page included, to search in."""
        return Page.objects.live().descendant_of(self.home, inclusive=True)

    def article(self, slug):
        return ArticlePage.objects.descendant_of(self.home).get(slug=slug)

    def titles(self, slugs):
        return {page.title for page in Page.objects.descendant_of(self.home, inclusive=True).filter(slug__in=slugs)}


def _indexed(page):
    # Topics are saved after the page (and after the indexing on save): index again with them.
    index.insert_or_update_object(page)
    return page


def build_corpus():
    root = Page.get_first_root_node()
    home = _indexed(HomePageFactory(parent=root, slug="corpus-home", title=HOME_TITLE))
    site = Site.objects.create(hostname=CORPUS_HOST, port=80, root_page=home, site_name=HOME_TITLE)
    column = _indexed(
        ColumnIndexPageFactory(
            parent=home,
            slug="corpus-2026",
            title=COLUMN_TITLE,
            intro="围绕“人人讲安全、个个会应急”主题开展的测试报道。",
        )
    )
    archived = _indexed(
        ColumnIndexPageFactory(
            parent=home,
            slug="corpus-2025",
            title=ARCHIVED_COLUMN_TITLE,
            intro="2025年的报道，现作为历史专题保留。",
            campaign_year=2025,
            is_archived=True,
        )
    )
    topics = {slug: TopicFactory(slug=slug, name=name) for slug, name in (GAS_TOPIC, EXPLOSIVES_TOPIC)}
    for data in ARTICLES:
        _indexed(
            ArticlePageFactory(
                parent=archived if data["archived"] else column,
                slug=data["slug"],
                title=data["title"],
                summary=data["summary"],
                body=paragraphs_to_body(data["paragraphs"], **data["blocks"]),
                source=data["source"],
                publish_date=data["publish_date"],
                topics=[topics[slug] for slug, _name in data["topics"]],
            )
        )
    for n in range(1, PATROL_ARTICLES + 1):
        _indexed(
            ArticlePageFactory(
                parent=column,
                slug=f"patrol-{n}",
                title=f"隐患{PATROL_WORD}记录（第{n}期）",
                summary=f"{PATROL_WORD}组按计划完成{PATROL_WORD}。",
                body=paragraphs_to_body(["未发现问题。"]),
                source=f"{PATROL_WORD}组",
                publish_date=datetime.date(2026, 5, n),
            )
        )
    return Corpus(site=site, home=home, column=column, archived_column=archived, topics=topics)
