"""The admin as propaganda staff meet it: no request to gravatar.com or another host, listings that say 是/否
rather than True/False, and pages with Chinese titles at readable pinyin addresses."""

import re
from html.parser import HTMLParser

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from core.slugs import MAX_LENGTH, pinyin_slug
from home.factories import ColumnIndexPageFactory
from home.models import ColumnIndexPage
from organizations.factories import UnitFactory
from organizations.models import UnitKind

pytestmark = pytest.mark.django_db

# The pages a staff member opens on an ordinary day.
STAFF_PAGES = [
    "/admin/",
    "/admin/pages/",
    "/admin/users/",
    "/admin/snippets/quizzes/question/",
    "/admin/snippets/organizations/unit/",
    "/admin/reports/site-history/",
    "/admin/account/",
]


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


@pytest.mark.parametrize("path", STAFF_PAGES)
def test_admin_pages_ask_nothing_of_gravatar(admin_client, path):
    response = admin_client.get(path)
    assert response.status_code == 200
    assert "gravatar" not in response.content.decode().lower()


def test_the_dashboard_asks_no_update_server(admin_client):
    # Wagtail's upgrade panel (superusers' dashboard) fetches releases.wagtail.org from the
    # browser; it needs WAGTAIL_ENABLE_UPDATE_CHECK = False in the settings.
    html = admin_client.get("/admin/").content.decode()
    assert 'data-controller="w-upgrade' not in html


def test_a_page_edit_form_shows_no_gravatar_either(admin_client, home_page):
    response = admin_client.get(reverse("wagtailadmin_pages:edit", args=[home_page.pk]))
    assert response.status_code == 200
    assert "gravatar" not in response.content.decode().lower()


def test_yes_no_columns_are_read_out_in_chinese(admin_client, city):
    UnitFactory(kind=UnitKind.TOWN, name="停用测试镇", parent=city, is_active=False)
    html = admin_client.get(reverse("wagtailsnippets_organizations_unit:list"), {"q": "停用测试镇"}).content.decode()
    assert "停用测试镇" in html
    assert "False" not in html and "True" not in html
    assert re.search(r'<span class="w-sr-only">\s*否\s*</span>', html)


@pytest.fixture
def city():
    return UnitFactory(kind=UnitKind.CITY, name="测试市", parent=None, code="TEST-CITY")


@pytest.mark.parametrize(
    ("text", "slug"),
    [
        ("燃气安全进社区", "ran-qi-an-quan-jin-she-qu"),
        ("2026年安全生产月：人人讲安全！", "2026-nian-an-quan-sheng-chan-yue-ren-ren-jiang-an-quan"[:50].rstrip("-")),
        ("ＰＭ２.５ 与燃气", "pm25-yu-ran-qi"),
    ],
)
def test_pinyin_slug(text, slug):
    assert pinyin_slug(text) == slug


def test_a_long_title_is_cut_at_a_syllable():
    slug = pinyin_slug("安全生产" * 20)
    assert len(slug) <= MAX_LENGTH and slug.isascii()
    assert slug.split("-")[-1] in {"an", "quan", "sheng", "chan"}


class _Form(HTMLParser):
    """The fields of the page form as a browser would post them."""

    def __init__(self):
        super().__init__()
        self.data, self._textarea = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("checkbox", "radio", "submit", "file"):
            self.data[name] = attrs.get("value") or ""
        elif tag == "input" and name and attrs.get("type") in ("checkbox", "radio") and "checked" in attrs:
            self.data[name] = attrs.get("value") or "on"
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = ""

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None


def create_column(client, parent, **fields):
    """Create a ColumnIndexPage draft through the admin's page form."""
    add_url = reverse("wagtailadmin_pages:add", args=["home", "columnindexpage", parent.pk])
    form = _Form()
    form.feed(client.get(add_url).content.decode())
    form.data.update(fields)
    response = client.post(add_url, form.data)
    assert response.status_code == 302, response.content.decode()[:3000]
    return ColumnIndexPage.objects.child_of(parent).get(title=fields["title"])


def test_a_chinese_title_gets_a_pinyin_slug(admin_client, home_page):
    # The admin's JavaScript copies the title into the slug as the editor types.
    page = create_column(admin_client, home_page, title="燃气安全进社区", slug="燃气安全进社区")
    assert page.slug == "ran-qi-an-quan-jin-she-qu"
    assert page.url_path.endswith("/ran-qi-an-quan-jin-she-qu/")
    assert page.get_latest_revision().content["slug"] == "ran-qi-an-quan-jin-she-qu"
    edit = admin_client.get(reverse("wagtailadmin_pages:edit", args=[page.pk])).content.decode()
    assert 'value="ran-qi-an-quan-jin-she-qu"' in edit  # and the editor may change it there


def test_a_second_page_of_the_same_title_gets_a_numbered_slug(admin_client, home_page):
    ColumnIndexPageFactory(parent=home_page, title="旧栏目", slug="ying-ji-zi-jiu")
    page = create_column(admin_client, home_page, title="应急自救", slug="应急自救")
    assert page.slug == "ying-ji-zi-jiu-2"


def test_an_editors_own_ascii_slug_is_kept(admin_client, home_page):
    page = create_column(admin_client, home_page, title="燃气安全进社区", slug="gas-in-communities")
    assert page.slug == "gas-in-communities"


def test_pages_made_in_code_get_pinyin_too(home_page):
    page = ColumnIndexPage(title="道路交通安全")
    home_page.add_child(instance=page)
    assert page.slug == "dao-lu-jiao-tong-an-quan"
    page.slug = "道路"  # an existing page's slug is the editor's to choose
    page.save()
    page.refresh_from_db()
    assert page.slug == "道路"


def edit_column(client, page, **fields):
    edit_url = reverse("wagtailadmin_pages:edit", args=[page.pk])
    form = _Form()
    form.feed(client.get(edit_url).content.decode())
    form.data.update(fields)
    response = client.post(edit_url, form.data)
    assert response.status_code == 302, response.content.decode()[:3000]
    page.refresh_from_db()
    return page.get_latest_revision().as_object()


def test_a_draft_saved_with_the_titles_chinese_slug_gets_pinyin(admin_client, home_page):
    # Wagtail's autosave creates the page from the form as the editor types; the form still holds
    # the Chinese slug its script copied from the title, and posts it again on every save.
    page = create_column(admin_client, home_page, title="烟花爆竹安全", slug="fireworks-draft")
    draft = edit_column(admin_client, page, title="烟花爆竹安全", slug="烟花爆竹安全")
    assert draft.slug == "yan-hua-bao-zhu-an-quan"


def test_a_chinese_slug_an_editor_chose_for_an_existing_page_is_kept(admin_client, home_page):
    page = create_column(admin_client, home_page, title="烟花爆竹安全", slug="fireworks")
    draft = edit_column(admin_client, page, title="烟花爆竹安全", slug="烟花")
    assert draft.slug == "烟花"
