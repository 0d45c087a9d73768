from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from .forms import EmailLoginForm, SettingsForm, SignupForm
from .signals import user_renamed


@require_http_methods(["GET", "POST"])
def login_view(request):
    form = EmailLoginForm(request, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        login(request, form.user)
        next_url = request.POST.get("next") or request.GET.get("next")
        if next_url and url_has_allowed_host_and_scheme(
            next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            return redirect(next_url)
        return redirect("home")
    return render(
        request, "accounts/login.html", {"form": form, "next": request.GET.get("next", "")}
    )


@require_http_methods(["GET", "POST"])
def signup_view(request):
    user = request.user if request.user.is_authenticated else None
    form = SignupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            user, org = form.save()
        except ValidationError as exc:  # e.g. a concurrent sign-up took the address
            error_dict = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for name, errors in error_dict.items():
                field = {"slug": "org_slug", "name": "org_name"}.get(name, name)  # model -> form
                form.add_error(field if field in form.fields else None, errors)
        else:
            if not request.user.is_authenticated:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                f"Welcome to Aligned. {org.name} is ready: the getting-started list "
                "below walks you through the first steps.",
            )
            return redirect("objectives:my", org_slug=org.slug)
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def settings_view(request):
    form = SettingsForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        if "full_name" in form.changed_data:
            user_renamed.send(sender=type(user), user=user)
        messages.success(request, "Your settings were saved.")
        return redirect("accounts:settings")
    return render(request, "accounts/settings.html", {"form": form})
