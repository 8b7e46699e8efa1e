from django.conf import settings
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.contrib.sitemaps import Sitemap
from wagtail.documents import urls as wagtaildocs_urls

from core import embedding, oembed
from home import share_images, wechat
from home import views as home_views
from search import views as search_views

from .api import api as outlet_api

# No /django-admin/: staff sign in only through Wagtail's login, where the lockout and two-factor apply.
urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", search_views.search, name="search"),
    path("reading-mode/", home_views.set_reading_preferences, name="reading_preferences"),
    path("units/", include("organizations.urls")),
    path("answer-sheets/", include("quizzes.urls")),
    path("events/", include("events.urls")),
    path("participation/", include("participation.urls")),
    path("oembed/", oembed.oembed, name="oembed"),
    path("api/v1/", outlet_api.urls),
    path("share/<str:page_id>.png", share_images.share_image, name="share_image"),
    path("wechat/js-config/", wechat.js_config, name="wechat_js_config"),
    # Under embedding.EMBED_URL_PREFIX; ids are text, parsed strictly in the views.
    path("embed/page/<str:page_id>/", embedding.page_embed, name="page_embed"),
    path("embed/page/<str:page_id>/<path:subpath>", embedding.page_embed, name="page_embed_route"),
    path("embed/outlet/<str:outlet_id>/page/<str:page_id>/", embedding.outlet_page_embed, name="outlet_page_embed"),
    path(
        "embed/outlet/<str:outlet_id>/page/<str:page_id>/<path:subpath>",
        embedding.outlet_page_embed,
        name="outlet_page_embed_route",
    ),
    path("sitemap.xml", sitemap, {"sitemaps": {"pages": Sitemap}}, name="sitemap"),
    path("robots.txt", home_views.robots_txt, name="robots_txt"),
    path("favicon.ico", home_views.favicon, name="favicon"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

urlpatterns += [path("", include(wagtail_urls))]
handler404 = "outreach.views.page_not_found"
