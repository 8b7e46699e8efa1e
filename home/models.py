from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.fields import StreamField
from wagtail.models import Page, PageManager, PageViewRestriction, Site
from wagtail.query import PageQuerySet
from wagtail.search import index

from core.structured_data import absolute_url

from . import feeds, selectors
from .blocks import ArticleBodyBlock
from .cache import cached_until_pages_change


class Topic(index.Indexed, models.Model):
    """A subject area: the eight rectification areas, 安全生产法 and 综合."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    slug = models.SlugField(_("标识"), max_length=40, unique=True, allow_unicode=False)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("主题")
        verbose_name_plural = _("主题")

    def __str__(self):
        return self.name


class Audience(models.Model):
    """Who an article is written for: students, residents, enterprises."""

    name = models.CharField(_("名称"), max_length=20, unique=True)
    slug = models.SlugField(_("标识"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        verbose_name = _("读者对象")
        verbose_name_plural = _("读者对象")

    def __str__(self):
        return self.name


class FeedRoutesMixin(RoutablePageMixin):
    """RSS 2.0, Atom 1.0 and JSON Feed 1.1 of the live articles below this page. Page routes
    cannot contain a dot, hence ``feed/rss/`` rather than ``feed.rss``."""

    @path("feed/rss/", name="rss_feed")
    def rss_feed(self, request):
        return feeds.serve_feed(request, page=self, kind="rss")

    @path("feed/atom/", name="atom_feed")
    def atom_feed(self, request):
        return feeds.serve_feed(request, page=self, kind="atom")

    @path("feed/json/", name="json_feed")
    def json_feed(self, request):
        return feeds.serve_feed(request, page=self, kind="json")


class ViewRestrictionsMixin:
    """Wagtail's ``get_view_restrictions`` reads the ancestors, then their restrictions, and a
    served page asks twice (the view-restriction hook, then the oEmbed discovery tag): here one
    query, remembered on the instance, which lives for one request when a page is served."""

    def get_view_restrictions(self):
        if "_view_restrictions" not in self.__dict__:
            paths = [self.path[:end] for end in range(self.steplen, len(self.path) + 1, self.steplen)]
            # An alias (the page or an ancestor) has the restrictions of its source page.
            alias_sources = Page.objects.filter(path__in=paths, alias_of__isnull=False).values("alias_of")
            self.__dict__["_view_restrictions"] = PageViewRestriction.objects.filter(
                models.Q(page__path__in=paths, page__alias_of__isnull=True) | models.Q(page__in=alias_sources)
            )
        return self.__dict__["_view_restrictions"]


class ChildRoutingMixin:
    """Routes to a child page in one query where Wagtail's ``Page.route`` takes two (the child as
    a Page, then as its specific type). ``specific_child`` returns None when it cannot tell, and
    Wagtail's routing runs as before (so a missing slug is still its 404)."""

    def specific_child(self, slug):
        raise NotImplementedError

    def route(self, request, path_components):
        if path_components:
            child = self.specific_child(path_components[0])
            if child is not None:
                child._cached_parent_obj = self  # as Page.route does: get_parent() needs no query
                return child.route(request, path_components[1:])
        return super().route(request, path_components)


class HomePage(FeedRoutesMixin, ChildRoutingMixin, ViewRestrictionsMixin, Page):
    campaign_year = models.PositiveSmallIntegerField(_("活动年份"), default=2026)
    campaign_theme = models.CharField(_("活动主题"), max_length=60, blank=True)
    campaign_intro = models.TextField(_("活动简介"), blank=True, max_length=500)
    banner_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("横幅图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    banner_alt_text = models.CharField(_("横幅替代文字"), max_length=200, blank=True)

    content_panels = Page.content_panels + [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("campaign_year"), FieldPanel("campaign_theme")]),
                FieldPanel("campaign_intro"),
                FieldPanel("banner_image"),
                FieldPanel("banner_alt_text"),
            ],
            heading=_("本年度安全生产月"),
        )
    ]

    parent_page_types = ["wagtailcore.Page"]
    subpage_types = ["home.ColumnIndexPage", "quizzes.ContestIndexPage", "events.EventIndexPage"]

    class Meta:
        verbose_name = _("首页")

    def clean(self):
        super().clean()
        if self.banner_image_id and not self.banner_alt_text:
            raise ValidationError({"banner_alt_text": _("请为横幅图片填写替代文字。")})

    def specific_child(self, slug):
        # The few sections below the home page by slug, with their type, until pages change.
        types = cached_until_pages_change(
            f"children:{self.pk}", lambda: dict(self.get_children().values_list("slug", "content_type_id"))
        )
        if slug not in types:
            return None
        model = ContentType.objects.get_for_id(types[slug]).model_class()
        return model.objects.child_of(self).filter(slug=slug).first() if model else None

    def get_context(self, request, *args, **kwargs):
        # The events and contests slots are the other apps' inclusion tags (home_page.html).
        context = super().get_context(request, *args, **kwargs)
        context["latest_articles"] = selectors.latest_articles(root=self, limit=6)
        context["columns"] = selectors.columns(root=self)
        context["topics"] = selectors.topics()
        return context


class ColumnIndexPage(FeedRoutesMixin, ChildRoutingMixin, ViewRestrictionsMixin, Page):
    """A 专栏: the series of articles published for one campaign."""

    intro = models.TextField(_("栏目简介"), blank=True, max_length=500)
    campaign_year = models.PositiveSmallIntegerField(_("年份"), null=True, blank=True)
    is_archived = models.BooleanField(
        _("历史专题"), default=False, help_text=_("归档后仍可阅读，页面会标明“历史专题”。")
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("campaign_year"), FieldPanel("is_archived")]),
    ]
    search_fields = Page.search_fields + [index.SearchField("intro")]

    parent_page_types = ["home.HomePage"]
    subpage_types = ["home.ArticlePage"]

    class Meta:
        verbose_name = _("专栏")

    def specific_child(self, slug):
        # Articles only live here; with what an article page shows of them (cover, topics, audiences).
        return (
            ArticlePage.objects.child_of(self)
            .filter(slug=slug)
            .select_related("cover_image")
            .prefetch_related("topics", "audiences")
            .first()
        )

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context.update(
            selectors.article_listing(
                column=self,
                topic_slug=request.GET.get("topic", ""),
                audience_slug=request.GET.get("audience", ""),
                page_number=request.GET.get("page", 1),
            )
        )
        return context


class ArticlePageQuerySet(PageQuerySet):
    def public(self):
        # The same pages as Wagtail's, without its query reading every view restriction first.
        return self.filter(selectors.public_q())

    def with_topic(self, topic):
        return self.filter(topics=topic) if topic else self

    def for_audience(self, audience):
        return self.filter(audiences=audience) if audience else self

    def for_listing(self):
        # The covers' renditions in one query, not one cache or database read per cover. All of
        # them: Wagtail takes a prefetched set as complete, and feeds ask for other sizes.
        return (
            self.live()
            .public()
            .select_related("cover_image")
            .prefetch_related("topics", "cover_image__renditions")
            .order_by("-publish_date", "-pk")
        )


class ArticlePage(RoutablePageMixin, ViewRestrictionsMixin, Page):
    summary = models.TextField(_("摘要"), max_length=300)
    cover_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("封面图"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cover_alt_text = models.CharField(_("封面替代文字"), max_length=200, blank=True)
    body = StreamField(ArticleBodyBlock(), verbose_name=_("正文"))
    source = models.CharField(_("来源"), max_length=100)
    author = models.CharField(_("作者"), max_length=100, blank=True)
    editor = models.CharField(_("责任编辑"), max_length=50)
    publish_date = models.DateField(_("发布日期"), default=timezone.localdate, db_index=True)
    topics = ParentalManyToManyField(Topic, verbose_name=_("主题"), related_name="articles")
    audiences = ParentalManyToManyField(Audience, verbose_name=_("读者对象"), related_name="articles", blank=True)

    objects = PageManager.from_queryset(ArticlePageQuerySet)()

    content_panels = Page.content_panels + [
        FieldPanel("summary"),
        MultiFieldPanel([FieldPanel("cover_image"), FieldPanel("cover_alt_text")], heading=_("封面")),
        FieldPanel("body"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("source"), FieldPanel("author"), FieldPanel("editor")]),
                FieldPanel("publish_date"),
                FieldPanel("topics", widget=forms.CheckboxSelectMultiple),
                FieldPanel("audiences", widget=forms.CheckboxSelectMultiple),
            ],
            heading=_("来源与分类"),
        ),
    ]
    search_fields = Page.search_fields + [
        index.SearchField("summary"),
        index.SearchField("body"),
        index.SearchField("source"),
        index.RelatedFields("topics", [index.SearchField("name")]),
        index.FilterField("publish_date"),
    ]

    parent_page_types = ["home.ColumnIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("专栏文章")
        verbose_name_plural = _("专栏文章")

    def clean(self):
        super().clean()
        if self.cover_image_id and not self.cover_alt_text:
            raise ValidationError({"cover_alt_text": _("请为封面图填写替代文字。")})

    @property
    def column(self):
        return self.get_parent().specific

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["column"] = self.column
        context["related_articles"] = selectors.related_articles(article=self, limit=3)
        context["newer_article"], context["older_article"] = selectors.adjacent_articles(article=self)
        return context

    @path("")
    def article(self, request):
        return self.render(request)

    @path("print/")
    def print_view(self, request):
        context = self.get_context(request)
        # The host the reader used: the Site record may name localhost or an internal host.
        context["article_url"] = absolute_url(request, self.get_url(request=request))
        return TemplateResponse(request, "home/article_page_print.html", context)


@register_setting(icon="site")
class SiteIdentity(BaseSiteSetting):
    """Who runs the site: shown in the footer and in the government meta tags."""

    site_name = models.CharField(_("网站名称"), max_length=60, default="莱西市安全生产宣传教育平台")
    host_organization = models.CharField(_("主办单位"), max_length=100, blank=True)
    organizer = models.CharField(_("承办单位"), max_length=100, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True)
    contact_email = models.EmailField(_("联系邮箱"), blank=True)
    contact_address = models.CharField(_("联系地址"), max_length=200, blank=True)
    icp_number = models.CharField(_("ICP 备案号"), max_length=60, blank=True)
    police_record_number = models.CharField(_("公安备案号"), max_length=60, blank=True)
    police_record_url = models.URLField(_("公安备案链接"), blank=True)
    site_id_code = models.CharField(_("网站标识码"), max_length=20, blank=True)
    government_label_url = models.URLField(_("党政机关网站标识链接"), blank=True)
    government_label_image = models.ForeignKey(
        "wagtailimages.Image",
        verbose_name=_("党政机关网站标识图片"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    feed_full_text = models.BooleanField(
        _("订阅源输出全文"),
        default=False,
        help_text=_("勾选后 RSS、Atom 和 JSON 订阅源输出文章全文，否则只输出摘要。"),
    )

    panels = [
        FieldPanel("site_name"),
        MultiFieldPanel([FieldPanel("host_organization"), FieldPanel("organizer")], heading=_("主办与承办")),
        MultiFieldPanel(
            [FieldPanel("contact_phone"), FieldPanel("contact_email"), FieldPanel("contact_address")],
            heading=_("联系方式"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("icp_number"),
                FieldPanel("police_record_number"),
                FieldPanel("police_record_url"),
                FieldPanel("site_id_code"),
                FieldPanel("government_label_url"),
                FieldPanel("government_label_image"),
            ],
            heading=_("备案与标识"),
        ),
        FieldPanel("feed_full_text"),
    ]

    class Meta:
        verbose_name = _("网站信息")

    @classmethod
    def for_request(cls, request):
        # Every page shows it: kept in the cache until it (or a page) changes (home.signals). The
        # admin edits the record read by for_site, never this copy.
        attr_name = cls.get_cache_attr_name()
        if not hasattr(request, attr_name):
            site = Site.find_for_request(request)
            if site is None:
                return super().for_request(request)
            identity = cached_until_pages_change(f"identity:{site.pk}", lambda: cls.for_site(site))
            identity._request = request
            setattr(request, attr_name, identity)
        return getattr(request, attr_name)
