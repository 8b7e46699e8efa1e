from django.test import override_settings

from home.checks import page_cache_needs_a_shared_cache

LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": "redis://127.0.0.1:6379/15"}}


def test_deploy_check_warns_about_a_per_process_page_cache():
    with override_settings(CACHES=LOCMEM, PAGE_CACHE_SECONDS=600):
        assert [w.id for w in page_cache_needs_a_shared_cache(None)] == ["outreach.W001"]


def test_deploy_check_is_quiet_with_redis_or_without_page_cache():
    with override_settings(CACHES=REDIS, PAGE_CACHE_SECONDS=600):
        assert page_cache_needs_a_shared_cache(None) == []
    with override_settings(CACHES=LOCMEM, PAGE_CACHE_SECONDS=0):
        assert page_cache_needs_a_shared_cache(None) == []
