from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.caches, deploy=True)
def page_cache_needs_a_shared_cache(app_configs, **kwargs):
    """With several workers a local-memory cache would keep serving a page after it is unpublished."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.PAGE_CACHE_SECONDS > 0 and backend.endswith("LocMemCache"):
        return [
            Warning(
                "整页缓存使用的是进程内缓存：多个 worker 时，发布或撤下页面后其他 worker 仍会返回旧页面。",
                hint="设置 REDIS_URL，或设置 PAGE_CACHE_SECONDS=0 关闭整页缓存。",
                id="outreach.W001",
            )
        ]
    return []
