"""Readable slugs for pages with Chinese titles.

Wagtail allows Unicode slugs and its admin copies the title into the slug as the editor types, so
a page called 燃气安全进社区 would live at /%E7%87%83%E6%B0%94.../, which is what a phone shows when
the link is shared. Such a slug becomes its pinyin instead (ran-qi-an-quan-jin-she-qu), unique
among the page's siblings: in the admin's page form (``PinyinSlugPageForm``, every page type's
base form, see ``use_pinyin_slug_forms``) when the page is new or the slug is the title's, and for
new pages made in code (``use_pinyin_slug``). A slug an editor typed in ASCII is kept, and the
slug stays editable.
"""

import unicodedata

from django.apps import apps
from django.utils.text import slugify
from pypinyin import lazy_pinyin
from wagtail.admin.forms.pages import WagtailAdminPageForm
from wagtail.models import Page

MAX_LENGTH = 50


def pinyin_slug(text):
    """``text`` as an ASCII slug: Chinese characters as toneless pinyin syllables, other letters
    and digits as they are, joined with hyphens, cut at a syllable to at most MAX_LENGTH."""
    slug = slugify(" ".join(lazy_pinyin(unicodedata.normalize("NFKC", text))))
    if len(slug) > MAX_LENGTH:
        slug = slug[: MAX_LENGTH + 1].rsplit("-", 1)[0] if "-" in slug[:MAX_LENGTH] else slug[:MAX_LENGTH]
    return slug.strip("-")


def free_slug(base, parent, page=None):
    """``base``, or ``base-2``, ``base-3``… whichever no other child of ``parent`` has."""
    siblings = parent.get_children().filter(slug__startswith=base)
    if page is not None and page.pk is not None:
        siblings = siblings.exclude(pk=page.pk)
    taken = set(siblings.values_list("slug", flat=True))
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base}-{suffix}"
    return slug


def readable_slug(slug, parent, page=None):
    """The pinyin slug for a non-ASCII ``slug``, else ``slug`` itself."""
    if not slug or slug.isascii() or parent is None:
        return slug
    base = pinyin_slug(slug)
    return free_slug(base, parent, page) if base else slug


class PinyinSlugPageForm(WagtailAdminPageForm):
    def clean(self):
        slug, title = self.cleaned_data.get("slug"), self.cleaned_data.get("title") or ""
        # A live page's Chinese slug that is not its title was chosen by an editor: kept.
        if slug and (self.instance.pk is None or slug == slugify(title, allow_unicode=True)):
            self.cleaned_data["slug"] = readable_slug(slug, self.parent_page, self.instance)
        return super().clean()


def use_pinyin_slug_forms():
    """Give every page type without a form of its own ``PinyinSlugPageForm``. Set on each model,
    as wagtail.admin (ready after core) sets Page.base_form_class itself."""
    for model in apps.get_models():
        if not issubclass(model, Page) or model is Page:
            continue
        below_page = model.__mro__[: model.__mro__.index(Page)]
        if not any("base_form_class" in vars(cls) for cls in below_page):
            model.base_form_class = PinyinSlugPageForm


def use_pinyin_slug(sender, instance, raw=False, **kwargs):
    """pre_save receiver: a new page's non-ASCII slug (made in code, or from the title by
    Page.full_clean) becomes its pinyin. Page.save has computed the URL path from the old slug
    already, so that is brought up to date too."""
    if raw or not isinstance(instance, Page) or instance.pk is not None or not instance.depth or instance.depth <= 1:
        return
    parent = instance.get_parent()
    slug = readable_slug(instance.slug, parent)
    if slug != instance.slug:
        instance.slug = slug
        instance.set_url_path(parent)
