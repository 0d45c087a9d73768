from django.contrib import admin

from .models import KeyResult, Objective

admin.site.register([Objective, KeyResult])
