from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("", views.unit_report, name="index"),
    path("units/<int:unit_id>/", views.unit_report, name="unit"),
    path("units/<int:unit_id>/cadres/", views.unit_cadres, name="unit_cadres"),
    path("courses/", views.course_report, name="courses"),
    path("cadres/<int:user_id>/", views.cadre_report, name="cadre"),
    path("export.csv", views.export_csv, name="export_csv"),
    path("exports/", views.export_list, name="exports"),
    path("exports/new/", views.export_create, name="export_create"),
    path("exports/<int:export_id>/download/", views.export_download, name="export_download"),
    path("remind/", views.remind, name="remind"),
    path("notices/<int:reminder_id>/dismiss/", views.notice_dismiss, name="notice_dismiss"),
]
