from django.apps import AppConfig


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = "安全知识答卷"
    default_auto_field = "django.db.models.BigAutoField"
