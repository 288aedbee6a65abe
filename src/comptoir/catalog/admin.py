from django.contrib import admin

from comptoir.catalog.models import Product


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin[Product]):
    list_display = ["name", "name_fr", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "name_fr"]
    readonly_fields = ["public_id"]
