"""The home page: the sections of the product open to the signed-in user."""

from django.views.generic import TemplateView


class HomeView(TemplateView):
    template_name = "core/home.html"
