from django.urls import path

from . import views

app_name = "quizzes"
urlpatterns = [
    path("joined/", views.joined, name="joined"),
    path("<uuid:public_id>/answer/", views.answer, name="answer"),
]
