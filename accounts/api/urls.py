from django.urls import path

from accounts.api.views import UserCreateView, UserDetailView

urlpatterns = [
    path("users", UserCreateView.as_view(), name="user-create"),
    path("users/<id:user_id>", UserDetailView.as_view(), name="user-detail"),
]
