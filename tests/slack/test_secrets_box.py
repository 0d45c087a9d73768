"""Sealed secrets: unreadable in the database, readable with the key, rotatable."""

import pytest

from okr_site.secrets_box import SealBroken, seal, unseal

URL = "https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX"


def test_a_sealed_secret_reads_back_and_does_not_show_the_secret():
    token = seal(URL)
    assert "hooks.slack.com" not in token and "XXXX" not in token
    assert unseal(token) == URL
    assert seal(URL) != token  # a fresh IV each time: equal secrets do not look equal


def test_a_tampered_token_or_another_key_does_not_open(settings):
    token = seal(URL)
    with pytest.raises(SealBroken):
        unseal(token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"))
    settings.ENCRYPTION_KEY = "another key altogether"
    with pytest.raises(SealBroken):
        unseal(token)


def test_a_rotated_key_still_opens_what_the_old_one_sealed(settings):
    settings.ENCRYPTION_KEY = "old key"
    old = seal(URL)
    settings.ENCRYPTION_KEY = "new key"
    settings.ENCRYPTION_KEY_FALLBACKS = ["old key"]
    assert unseal(old) == URL
    settings.ENCRYPTION_KEY_FALLBACKS = []
    with pytest.raises(SealBroken):
        unseal(old)


def test_without_its_own_key_it_follows_secret_key_and_its_fallbacks(settings):
    settings.ENCRYPTION_KEY = ""
    settings.SECRET_KEY = "first secret key"
    old = seal(URL)
    settings.SECRET_KEY = "second secret key"
    settings.SECRET_KEY_FALLBACKS = ["first secret key"]
    assert unseal(old) == URL
