from django.urls import path
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework_simplejwt.views import TokenObtainPairView, TokenRefreshView


class Me(APIView):
    """The signed-in user, as AuthBridge's GET /api/me answers it."""

    def get(self, request):
        u = request.user
        return Response({"id": u.pk, "username": u.username, "email": u.email})


urlpatterns = [
    path("api/token/", TokenObtainPairView.as_view()),
    path("api/token/refresh/", TokenRefreshView.as_view()),
    path("api/me/", Me.as_view()),
]
