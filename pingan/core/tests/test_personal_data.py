"""Personal data (X2): encryption at rest, blind-index search, masking, validation."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection

from pingan.core import crypto
from pingan.core.masking import mask_id_number, mask_name, mask_phone
from pingan.core.validators import id_number_check_digit, validate_id_number, validate_phone
from pingan.orgs.models import Staff


@pytest.mark.parametrize("cipher", [crypto.AES_256_GCM, crypto.SM4_GCM])
def test_round_trip_with_each_cipher(settings, cipher):
    settings.PINGAN_DATA_CIPHER = cipher
    token = crypto.encrypt("110101199003071234")
    assert token.startswith({"AES-256-GCM": "a1:", "SM4-GCM": "s1:"}[cipher])
    assert "110101199003071234" not in token
    assert crypto.decrypt(token) == "110101199003071234"
    # a fresh nonce every time: equal plaintexts give different ciphertexts
    assert crypto.encrypt("110101199003071234") != token


def test_switching_cipher_still_reads_old_values(settings):
    settings.PINGAN_DATA_CIPHER = crypto.AES_256_GCM
    old = crypto.encrypt("13812345678")
    settings.PINGAN_DATA_CIPHER = crypto.SM4_GCM
    assert crypto.decrypt(old) == "13812345678"


def test_tampered_or_foreign_ciphertext_is_refused():
    token = crypto.encrypt("13812345678")
    prefix, body = token.split(":")
    flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
    for bad in (f"{prefix}:{flipped}", "x1:abcd", "plain text", "a1:"):
        with pytest.raises(crypto.DecryptionError):
            crypto.decrypt(bad)


def test_another_key_cannot_read(settings):
    token = crypto.encrypt("13812345678")
    settings.PINGAN_DATA_KEY = "b3RoZXIta2V5LW90aGVyLWtleS1vdGhlci1rZXktMzI="
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(token)


def test_unknown_cipher_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PINGAN_DATA_CIPHER = "DES"
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


@pytest.mark.django_db
def test_phone_is_stored_encrypted_and_found_by_blind_index():
    # given a member of staff saved with a phone number
    person = Staff.objects.create(username="pii-test", phone="139 1234 5678")
    # then the column holds ciphertext, not the number
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM orgs_staff WHERE id = %s", [person.pk])
        stored, index = cursor.fetchone()
    assert "5678" not in stored and stored.startswith("a1:")
    # and the model reads it back in plain text
    assert Staff.objects.get(pk=person.pk).phone == "139 1234 5678"
    # and an exact search finds it, whatever the spacing the clerk typed
    field = Staff._meta.get_field("phone_index")
    assert Staff.objects.filter(phone_index=field.lookup_value("13912345678")).get() == person
    assert Staff.objects.filter(phone_index=field.lookup_value("13912345679")).count() == 0
    assert len(index) == 64


@pytest.mark.django_db
def test_blind_index_follows_updates():
    person = Staff.objects.create(username="pii-update", phone="13900000001")
    person.phone = "13900000002"
    person.save(update_fields=["phone", "phone_index"])
    field = Staff._meta.get_field("phone_index")
    assert Staff.objects.filter(phone_index=field.lookup_value("13900000002")).exists()
    assert not Staff.objects.filter(phone_index=field.lookup_value("13900000001")).exists()


def test_blind_index_is_keyed_by_kind():
    assert crypto.blind_index("phone", "110101199003071234") != crypto.blind_index(
        "id_number", "110101199003071234"
    )
    assert crypto.blind_index("id_number", "11010119900307123x") == crypto.blind_index(
        "id_number", "11010119900307123X"
    )


def test_masking():
    assert mask_id_number("110101199003071234") == "110101********1234"
    assert mask_phone("13812345678") == "138****5678"
    assert mask_phone("010-65123456") == "********3456"
    assert mask_name("张三丰") == "张**"
    assert mask_id_number("") == mask_phone(None) == mask_name("") == ""


def test_id_number_check_digit():
    # GB 11643-1999: a published example
    assert id_number_check_digit("11010519491231002") == "X"
    validate_id_number("11010519491231002X")
    validate_id_number("11010519491231002x")
    with pytest.raises(ValidationError, match="校验位不正确"):
        validate_id_number("110105194912310021")
    with pytest.raises(ValidationError, match="18位"):
        validate_id_number("1101051949123100")


def test_phone_validation():
    validate_phone("13812345678")
    validate_phone("010-65123456")
    with pytest.raises(ValidationError, match="手机号为11位"):
        validate_phone("1381234")


def test_production_refuses_to_start_without_a_data_key():
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"PINGAN_DATA_KEY", "PINGAN_SECRET_KEY"}
    }
    env.update(DJANGO_SETTINGS_MODULE="config.settings.production", PINGAN_SECRET_KEY="x" * 50)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "PINGAN_DATA_KEY is not set" in result.stderr


def test_production_passes_djangos_deployment_checks():
    # given production settings with their secrets and a public host
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.production"}
    env.update(
        PINGAN_SECRET_KEY="k" * 60 + "Q#9z",
        PINGAN_DATA_KEY="ZGVtby1rZXktZm9yLXRoZS1kZXBsb3ktY2hlY2stMTIzNA==",
        PINGAN_ALLOWED_HOSTS="pingan.example.gov.cn",
    )
    # when Django's deployment checklist runs
    checks = ["check", "--deploy", "--tag", "security", "--fail-level", "WARNING"]
    result = subprocess.run(
        [sys.executable, "manage.py", *checks],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    # then it finds nothing: HTTPS redirect, HSTS, secure cookies, the proxy's scheme
    assert result.returncode == 0, result.stderr + result.stdout
