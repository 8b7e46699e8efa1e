import json

from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from outreach.urls import urlpatterns as site_urlpatterns

FIXED_BODY = ("<!DOCTYPE html><html lang=zh-CN><title>ok</title><p>" + "安全" * 2000 + "</p></html>").encode()

# Created by bench/contest_load.py before it starts gunicorn: raw SQL, no model, no migration.
CEILING_TABLE = "bench_ceiling"


@never_cache
def bare(request):
    """The ceiling: a Django view that returns a fixed response through the same middleware."""
    return HttpResponse(FIXED_BODY)


@csrf_exempt
@never_cache
@require_POST
def insert(request):
    """The write ceiling (bench/contest_load.py): parse a small JSON body and insert one row in a
    transaction, through the same middleware as the contest's answer autosave."""
    try:
        payload = json.loads(request.body)
    except ValueError:
        return JsonResponse({"ok": False}, status=400)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {CEILING_TABLE} (payload, created_at) VALUES (%s::jsonb, now()) RETURNING id",
            [json.dumps(payload)],
        )
        (row_id,) = cursor.fetchone()
    return JsonResponse({"ok": True, "id": row_id})


urlpatterns = [path("bench/bare/", bare), path("bench/insert/", insert), *site_urlpatterns]
