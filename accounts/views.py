from urllib.parse import urlsplit

from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods

from . import signup, throttle
from .forms import ConfirmSignupForm, EmailLoginForm, SettingsForm, SignupForm
from .signals import user_renamed

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


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


def locked_out(request, original_response=None, credentials=None):
    """django-axes' answer to a locked-out sign-in: the sign-in page, saying why and until
    when (any failure while locked starts the cool-off again, so it ends that long from now)."""
    until = timezone.now() + settings.AXES_COOLOFF_TIME
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    form = EmailLoginForm(request, initial={"email": request.POST.get("email", "")})
    context = {
        "form": form,
        "next": request.POST.get("next") or request.GET.get("next", ""),
        "locked_until": until,
        "lock_minutes": minutes,
    }
    return render(request, "accounts/login.html", context, status=429)


@require_http_methods(["GET", "POST"])
def signup_view(request):
    user = request.user if request.user.is_authenticated else None
    form = SignupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        if user is None:
            signup.request_signup(
                request=request,
                full_name=form.cleaned_data["full_name"],
                email=form.cleaned_data["email"],
                password=form.cleaned_data["password"],
                company=form.company_details(),
            )
            return redirect("accounts:signup_sent")
        try:
            user, org = form.save()
        except ValidationError as exc:  # e.g. a concurrent sign-up took the address
            error_dict = exc.message_dict if hasattr(exc, "error_dict") else {None: exc.messages}
            for name, errors in error_dict.items():
                field = {"slug": "org_slug", "name": "org_name"}.get(name, name)  # model -> form
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request,
                f"{org.name} is ready: the getting-started list below walks you through "
                "the first steps.",
            )
            return redirect("objectives:my", org_slug=org.slug)
    return render(request, "accounts/signup.html", {"form": form})


def signup_sent_view(request):
    return render(
        request, "accounts/signup_sent.html", {"hours": settings.SIGNUP_CONFIRM_TTL_HOURS}
    )


@require_http_methods(["GET", "POST"])
def signup_confirm_view(request, token):
    try:
        user, company = signup.pending_signup(token)
    except signup.LinkInvalid:
        return render(request, "accounts/signup_confirm.html", {"invalid": True}, status=410)
    form = ConfirmSignupForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        try:
            org = signup.confirm_signup(user=user, company=company)
        except signup.LinkInvalid:
            return render(request, "accounts/signup_confirm.html", {"invalid": True}, status=410)
        login(request, user, backend=MODEL_BACKEND)
        if org is None:
            messages.error(
                request,
                f"Your account is ready, but the company address “{company['slug']}” was "
                "taken meanwhile: choose another.",
            )
            return redirect("accounts:signup")
        messages.success(
            request,
            f"Welcome to Aligned. {org.name} is ready: the getting-started list "
            "below walks you through the first steps.",
        )
        return redirect("objectives:my", org_slug=org.slug)
    context = {"form": form, "company": company, "pending_user": user}
    return render(request, "accounts/signup_confirm.html", context)


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with links built on SITE_URL (never the request's Host header) and a limit
    on e-mails; the answer is the same whether an e-mail went, was limited, or had no one
    to go to."""

    template_name = "accounts/password_reset.html"
    email_template_name = "accounts/password_reset_email.txt"
    subject_template_name = "accounts/password_reset_subject.txt"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        if throttle.allow_email(email=form.cleaned_data["email"], request=self.request):
            site = urlsplit(settings.SITE_URL)
            form.save(
                domain_override=site.netloc,
                use_https=site.scheme == "https",
                subject_template_name=self.subject_template_name,
                email_template_name=self.email_template_name,
                extra_email_context={"site_url": settings.SITE_URL},
            )
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        # Whoever can read the account's e-mail may sign in again at once.
        axes_reset(username=self.user.email.lower())
        return response


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
