"""Company configuration pages (vision, strategy, themes, periods): admins only."""

app_name = "config"

urlpatterns = []
