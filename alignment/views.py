from django.shortcuts import render


def tree(request):
    return render(request, "placeholder.html", {"title": "Alignment"})


def dashboard(request):
    return render(request, "placeholder.html", {"title": "Dashboard"})
