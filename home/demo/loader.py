"""The home page, the column and its articles, site settings and accounts of the Chinese demo, built
with the same factories the tests use. Safe to run repeatedly: everything is looked up by slug or
name first and only created when missing. ``outreach.demo`` adds the other apps' demo data."""

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from home import services
from home.factories import (
    ArticlePageFactory,
    AudienceFactory,
    ColumnIndexPageFactory,
    HomePageFactory,
    PosterImageFactory,
    TopicFactory,
    paragraphs_to_body,
)
from home.models import ArticlePage, ColumnIndexPage, HomePage, SiteIdentity
from organizations.scopes import LIAISON_GROUP, setup_liaison_group

from .articles import ARTICLES, AUDIENCES, TOPICS

COLUMN_SLUG = "safety-month-2026"
ARCHIVED_COLUMN_SLUG = "safety-month-2025"
DEMO_USERS = [
    # username, first name, group (None = superuser)
    ("admin", "系统管理员", None),
    ("bianji", "编辑", services.EDITOR_GROUP),
    ("shenhe", "审核", services.REVIEWER_GROUP),
    # Liaisons: organizations.demo limits each to its unit (a school, a town) once the units exist.
    ("xuexiao", "实验小学联络员", LIAISON_GROUP),
    ("jiedao", "水集街道联络员", LIAISON_GROUP),
]

ARCHIVED_ARTICLES = [
    {
        "slug": "2025-safety-month-review",
        "title": "2025年“安全生产月”活动总结",
        "summary": "回顾2025年安全生产月期间全市开展的宣传教育、隐患排查和应急演练工作。",
        "paragraphs": [
            "2025年安全生产月期间，全市各镇、街道、开发区和市安委会成员单位共组织各类宣传活动两百余场，"
            "覆盖企业职工、在校学生和社区居民。",
            "活动期间，各单位围绕八项专项整治重点排查事故隐患，建立隐患台账，实行整改责任制，做到谁检查、谁督促、一抓到底。",
        ],
        "date": datetime.date(2025, 7, 2),
    },
]


def _image(title):
    Image = get_image_model()
    return Image.objects.filter(title=title).first() or PosterImageFactory(title=title)


def _publish(page):
    page.save_revision().publish()
    return page


def _home_page():
    home = HomePage.objects.first()
    if home is None:
        root = Page.get_first_root_node()
        banner = _image("2026年安全生产月主题海报")
        home = HomePageFactory(
            parent=root,
            slug="outreach-home",
            campaign_intro="6月是全国“安全生产月”。我市通过新闻媒体专栏、安全宣传咨询日、演讲比赛、"
            "安全知识答卷以及安全进校园、进社区、进企业等活动，普及安全知识，提升全民应急能力。",
            banner_image=banner,
            banner_alt_text="安全生产月主题海报：黄黑警示条纹与安全标志图形",
        )
        _publish(home)
        # Point the default site at our home page and remove Wagtail's placeholder welcome page.
        site = Site.objects.filter(is_default_site=True).first()
        placeholder = site.root_page if site else None
        Site.objects.update_or_create(
            is_default_site=True,
            defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": home.title},
        )
        if placeholder and placeholder.pk != home.pk and placeholder.specific_class is not HomePage:
            placeholder.delete()
    return home


def _column(home, *, slug, **fields):
    column = ColumnIndexPage.objects.filter(slug=slug).first()
    if column is None:
        column = _publish(ColumnIndexPageFactory(parent=home, slug=slug, **fields))
    return column


def _articles(column, topics, audiences):
    existing = set(ArticlePage.objects.child_of(column).values_list("slug", flat=True))
    created = 0
    for data in ARTICLES:
        if data["slug"] in existing:
            continue
        cover = _image(data["title"])
        article = ArticlePageFactory(
            parent=column,
            slug=data["slug"],
            title=data["title"],
            summary=data["summary"],
            cover_image=cover,
            cover_alt_text=f"配图：{data['title']}",
            body=paragraphs_to_body(
                data["paragraphs"],
                knowledge_card=data.get("knowledge_card"),
                quote=data.get("quote"),
                table=data.get("table"),
            ),
            source=data["source"],
            author=data.get("author", ""),
            editor=data["editor"],
            publish_date=data["date"],
            topics=[topics[slug] for slug in data["topics"]],
            audiences=[audiences[slug] for slug in data["audiences"]],
        )
        _publish(article)
        created += 1
    return created


def _archived_column(home, topics):
    column = _column(
        home,
        slug=ARCHIVED_COLUMN_SLUG,
        title="2025年安全生产月专栏",
        intro="2025年“安全生产月”期间的报道，现作为历史专题保留。",
        campaign_year=2025,
        is_archived=True,
    )
    existing = set(ArticlePage.objects.child_of(column).values_list("slug", flat=True))
    for data in ARCHIVED_ARTICLES:
        if data["slug"] not in existing:
            _publish(
                ArticlePageFactory(
                    parent=column,
                    slug=data["slug"],
                    title=data["title"],
                    summary=data["summary"],
                    body=paragraphs_to_body(data["paragraphs"]),
                    source="莱西市安委会办公室",
                    editor="王晓丽",
                    publish_date=data["date"],
                    topics=[topics["general"]],
                )
            )
    return column


def _site_identity():
    site = Site.objects.get(is_default_site=True)
    identity = SiteIdentity.for_site(site)
    if not identity.host_organization:
        identity.host_organization = "莱西市安全生产委员会办公室"
        identity.organizer = "莱西市应急管理局"
        identity.contact_phone = "0532-00000000（演示号码）"
        identity.contact_email = "aqsc@example.cn"
        identity.contact_address = "山东省青岛市莱西市（演示地址）"
        identity.icp_number = "鲁ICP备00000000号-1（演示）"
        identity.police_record_number = "鲁公网安备 37028502000000号（演示）"
        identity.site_id_code = "3702850000"
        identity.government_label_url = "https://bszs.conac.cn/"
        identity.save()


def _users(password):
    User = get_user_model()
    setup_liaison_group()
    for username, first_name, group_name in DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, first_name=first_name, email=f"{username}@example.cn")
            user.is_superuser = user.is_staff = group_name is None
            user.set_password(password)
            user.save()
        if group_name:
            user.groups.add(Group.objects.get(name=group_name))


@transaction.atomic
def load_demo_site(*, admin_password):
    """Create whatever part of the demo column, its articles, the site settings, the editorial
    workflow and the demo accounts is missing. Returns ``(home_page, articles_created)``."""
    topics = {slug: TopicFactory(slug=slug, name=name, sort_order=i) for i, (slug, name) in enumerate(TOPICS)}
    audiences = {slug: AudienceFactory(slug=slug, name=name, sort_order=i) for i, (slug, name) in enumerate(AUDIENCES)}
    home = _home_page()
    column = _column(
        home,
        slug=COLUMN_SLUG,
        title="2026年安全生产月专栏",
        intro="围绕“人人讲安全、个个会应急”主题，集中报道全市安全生产月活动，普及八项专项整治和应急自救知识。",
        campaign_year=2026,
    )
    created = _articles(column, topics, audiences)
    _archived_column(home, topics)
    _site_identity()
    services.setup_editorial_workflow(home_page=home, column=column)
    _users(admin_password)
    return home, created
