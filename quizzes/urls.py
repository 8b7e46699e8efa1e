from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("<uuid:public_id>/answer/", views.answer, name="answer"),
]
