from django.urls import path

from learning import views

app_name = "learning"

urlpatterns = [
    path("courses/", views.course_center, name="course_center"),
    path("courses/<int:course_id>/enrol/", views.course_enrol, name="course_enrol"),
    path("certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("archive/", views.archive, name="archive"),
    path("archive/pdf/", views.archive_pdf, name="archive_pdf"),
    path("archive/<int:user_id>/", views.archive, name="cadre_archive"),
    path("archive/<int:user_id>/pdf/", views.archive_pdf, name="cadre_archive_pdf"),
    path("reflections/", views.my_reflections, name="my_reflections"),
    path("reflections/page/<int:page_id>/", views.reflection_submit, name="reflection_submit"),
    path("reflections/case/<int:case_id>/", views.case_reflection, name="case_reflection"),
    path("reflections/review/", views.reflection_review_list, name="reflection_review_list"),
    path("reflections/review/<int:reflection_id>/", views.reflection_review, name="reflection_review"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/new/", views.assignment_create, name="assignment_create"),
    path("assignments/<int:assignment_id>/", views.assignment_detail, name="assignment_detail"),
]
