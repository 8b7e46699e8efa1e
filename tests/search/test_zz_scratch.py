from django.db import transaction
from home.models import ArticlePage
from wagtail.models import Page
from search.chinese import analyse_query

QS = ["燃气？", "燃气?", "“燃气”", "燃气。", "燃气、", "'", "\\", '"""', "!!!", "燃'气", "燃气！泄漏", "燃气!", "（燃气）", "燃气：", "燃气\\", "燃气'", "119。", "１１９，", "燃 气", "〇", "安全帽　施工", "PM2.5、扬尘", "12-3", "2026年", "2026", "6月1日", "、", "“”", "…", "''", "a'b", "O'Reilly"]

def test_scratch(db):
    for q in QS:
        try:
            with transaction.atomic():
                got = sorted(p.slug for p in ArticlePage.objects.live().search(q))
            print(repr(q), analyse_query(q), len(got), got if len(got) < 4 else "")
        except Exception as e:
            print("ERR", repr(q), analyse_query(q), type(e).__name__, str(e)[:80])
    for q in QS[:12] + ["燃", "燃气"]:
        try:
            with transaction.atomic():
                print("AC", repr(q), len(list(Page.objects.live().autocomplete(q))))
        except Exception as e:
            print("ACERR", repr(q), type(e).__name__, str(e)[:80])
