from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from comptoir.accounts.models import User
from comptoir.catalog.models import Product


def products_visible_to(user: User | AnonymousUser) -> QuerySet[Product]:
    """Active products are public; agents also see retired ones."""
    if user.is_authenticated and user.is_active and user.is_agent:
        return Product.objects.all()
    return Product.objects.filter(is_active=True)
