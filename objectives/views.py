from django.shortcuts import render


def company(request):
    return render(request, "placeholder.html", {"title": request.org.name})


def my_okrs(request):
    return render(request, "placeholder.html", {"title": "My OKRs"})


def teams(request):
    return render(request, "placeholder.html", {"title": "Teams"})


def explore(request):
    return render(request, "placeholder.html", {"title": "Explore"})
