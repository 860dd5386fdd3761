"""Sign in, sign out, and the page where a user sees their own access."""

from django.contrib.auth import views as auth_views
from django.views.generic import TemplateView


class SignInView(auth_views.LoginView):
    template_name = "accounts/sign_in.html"
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    pass


class ProfileView(TemplateView):
    template_name = "accounts/profile.html"
