from django.contrib import admin

from .models import Invitation, Membership, Organization, Period, StrategicTheme, Team

admin.site.register([Organization, Membership, Team, Invitation, Period, StrategicTheme])
