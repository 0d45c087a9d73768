"""What other apps may react to in a person's account (``accounts`` sits below them)."""

from django.dispatch import Signal

# A person changed the name other people see (sent with ``user``): the companies' stored
# dashboard figures name them (``organizations`` moves those companies' data version on).
user_renamed = Signal()
