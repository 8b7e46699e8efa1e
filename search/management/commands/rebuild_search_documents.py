from django.core.management.base import BaseCommand, CommandError

from search.elastic import enabled
from search.elastic.indexing import rebuild


class Command(BaseCommand):
    help = "重建站内搜索的 Elasticsearch 索引（专栏文章、活动、答卷），建好后切换别名。"

    def handle(self, *args, **options):
        if not enabled():
            raise CommandError("未设置 ELASTICSEARCH_URL：站内搜索使用数据库，无需重建。")
        for result in rebuild():
            self.stdout.write(
                f"{result.label}：已索引 {result.count} 个页面（索引 {result.index}，别名 {result.alias}）"
            )
        self.stdout.write(self.style.SUCCESS("搜索索引已重建。"))
