"""Model fields for personal data: encrypted at rest, searchable through a blind index."""

from django.db import models

from . import crypto


class EncryptedTextField(models.TextField):
    """Stores the value encrypted (see `pingan.core.crypto`); Python code sees plaintext.

    Lookups on the column cannot match (every write uses a fresh nonce): search through the
    companion `BlindIndexField` instead.
    """

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return crypto.encrypt(value)


class BlindIndexField(models.CharField):
    """HMAC of another field's plaintext, kept in step on every save, for exact search.

    ``kind`` names the kind of data ("id_number", "phone") so that the same person's ID
    number gives the same index in every model that stores it.
    """

    def __init__(self, *args, source: str = "", kind: str = "", **kwargs):
        self.source = source
        self.kind = kind
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("db_index", True)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        kwargs["kind"] = self.kind
        return name, path, args, kwargs

    def pre_save(self, model_instance, add):
        plaintext = getattr(model_instance, self.source)
        value = crypto.blind_index(self.kind, plaintext) if plaintext else ""
        setattr(model_instance, self.attname, value)
        return value

    def lookup_value(self, plaintext: str) -> str:
        """The index value to filter on for a plaintext the user typed."""
        return crypto.blind_index(self.kind, plaintext)
