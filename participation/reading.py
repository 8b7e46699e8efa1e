"""推荐阅读: the column's articles on a weak topic, for the dashboard and the 通报. Topic names and
articles come from home here, never in the ledger."""

from home.models import ArticlePage, Topic

READING_PER_TOPIC = 2


def topic_reading(topic_ids, *, request=None):
    """``({topic id: Topic}, {topic id: [{"title", "url"}]})``: up to two live, public articles
    (newest first) per topic, in two queries whatever the number of topics."""
    topics = {topic.pk: topic for topic in Topic.objects.filter(pk__in=topic_ids)}
    reading = {topic_id: [] for topic_id in topic_ids}
    if not topic_ids:
        return topics, reading
    articles = (
        ArticlePage.objects.live()
        .public()
        .filter(topics__in=topic_ids)
        .distinct()
        .order_by("-first_published_at", "-pk")
        .prefetch_related("topics")[:100]
    )
    for article in articles:
        for topic in article.topics.all():
            if topic.pk in reading and len(reading[topic.pk]) < READING_PER_TOPIC:
                url = article.get_url(request=request) if request is not None else ""
                reading[topic.pk].append({"title": article.title, "url": url})
    return topics, reading
