from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def person_keys_need_their_own_secret(app_configs, **kwargs):
    """The person key falls back to SECRET_KEY, which is rotated more readily than it should be:
    rotating it would make every participant a new person (organizations.people)."""
    if not settings.PERSON_KEY_SECRET:
        return [
            Warning(
                "未设置 PERSON_KEY_SECRET：人员标识借用 SECRET_KEY，更换 SECRET_KEY 会让所有参与者变成新的人。",
                hint="设置一个固定不变的 PERSON_KEY_SECRET（50 个以上随机字符）；更换后运行 manage.py rekey_people。",
                id="outreach.W002",
            )
        ]
    return []
