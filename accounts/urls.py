from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<int:token_id>/revoke/", views.token_revoke, name="token_revoke"),
    path("tokens/sign-out-everywhere/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("password_change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("two-factor/", views.otp_overview, name="otp_overview"),
    path("two-factor/enrol/", views.otp_enrol, name="otp_enrol"),
    path("two-factor/verify/", views.otp_verify, name="otp_verify"),
    path("users/<int:user_id>/two-factor/", views.otp_reset, name="otp_reset"),
    path("cadres/<int:user_id>/", views.cadre_account, name="cadre_account"),
    path("cadres/<int:user_id>/reset-password/", views.cadre_password_reset, name="cadre_password_reset"),
    path("cadres/<int:user_id>/unlock/", views.cadre_unlock, name="cadre_unlock"),
]
