from django.urls import path

from . import views

app_name = "organizations"

urlpatterns = [
    path("join/<slug:token>/", views.join, name="join"),
    path("<int:pk>/poster/", views.poster, name="poster"),
    path("<int:pk>/poster.svg", views.poster_svg, name="poster_svg"),
    path("<int:pk>/town-posters/", views.town_posters, name="town_posters"),
]
