from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("import/", views.import_page, name="import"),
    path("import/confirm/", views.import_confirm, name="import-confirm"),
    path("import/template.csv", views.template_csv, name="template-csv"),
    path("import/template.xlsx", views.template_xlsx, name="template-xlsx"),
    path("periods/<int:period_id>/okrs.csv", views.period_csv, name="period-csv"),
    path("periods/<int:period_id>/okrs.xlsx", views.period_xlsx, name="period-xlsx"),
    path("company.json", views.company_json, name="company-json"),
]
