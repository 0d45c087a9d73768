"""Spreadsheet imports: the uploaded file kept between preview and confirm, and the stable
references ("ref" column) that make importing the same file twice create nothing new."""

from django.db import models
from django.db.models import Q

from organizations.tenancy import TenantModel


class ImportUpload(TenantModel):
    """A file as uploaded, kept server-side for its importer between the preview and the
    confirmation: the confirmation names it by ``token`` and re-reads these bytes (checked
    against ``sha256``); nothing parsed ever travels through the browser."""

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="import_uploads"
    )
    membership = models.ForeignKey(
        "organizations.Membership", on_delete=models.CASCADE, related_name="import_uploads"
    )
    token = models.CharField(max_length=64, unique=True)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    imported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "membership", "created_at"])]

    def __str__(self):
        return self.filename


class ImportReference(TenantModel):
    """The "ref" of an imported row and what it created (an objective or a key result):
    a row whose ref is known is recognised, not created again. Deleting what it created
    deletes the reference, so importing the row again creates it anew."""

    org = models.ForeignKey(
        "organizations.Organization", on_delete=models.CASCADE, related_name="import_references"
    )
    ref = models.CharField(max_length=64)
    objective = models.ForeignKey(
        "objectives.Objective", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    key_result = models.ForeignKey(
        "objectives.KeyResult", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    imported_by = models.ForeignKey(
        "organizations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint("org", "ref", name="import_reference_unique_per_company"),
            models.CheckConstraint(
                condition=Q(objective__isnull=False, key_result__isnull=True)
                | Q(objective__isnull=True, key_result__isnull=False),
                name="import_reference_names_one_thing",
            ),
        ]

    def __str__(self):
        return self.ref
