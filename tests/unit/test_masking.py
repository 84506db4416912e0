"""Secrets never reach output: the masker replaces every known secret value."""

from __future__ import annotations

from readiness.model.masking import MASK, Masker, is_secret_name


def test_secret_values_from_env_are_masked_longest_first() -> None:
    masker = Masker()
    masker.add_env(
        {"DB_PASSWORD": "s3cr3t-value", "JWT_SECRET": "s3cr3t-value-long", "HTTP_PORT": "8080"}
    )
    text = masker.mask("dsn=postgres://u:s3cr3t-value@db jwt=s3cr3t-value-long port=8080")
    assert "s3cr3t" not in text
    assert text.count(MASK) == 2
    assert "8080" in text


def test_named_non_secret_variables_can_be_added_explicitly() -> None:
    masker = Masker()
    masker.add_env({"CANARY": "canary-0123456789"}, also=["CANARY"])
    assert masker.mask("value canary-0123456789") == f"value {MASK}"


def test_short_values_are_not_masked() -> None:
    masker = Masker(["ab"])
    assert masker.mask("about") == "about"
    assert not masker


def test_secret_names() -> None:
    assert all(is_secret_name(n) for n in ("API_KEY", "DB_PASSWORD", "JWT_SECRET", "GH_TOKEN"))
    assert not any(is_secret_name(n) for n in ("HTTP_PORT", "RELEASE", "POSTGRES_USER"))


def test_values_added_later_still_mask_longest_first() -> None:
    masker = Masker(["hunter2"])
    assert masker.mask("pw hunter2") == f"pw {MASK}"
    masker.add("hunter2hunter2", "hunter2")  # longer, added after the first mask
    assert masker.mask("pw hunter2hunter2!") == f"pw {MASK}!"
    assert masker.mask("pw hunter2 and hunter2hunter2") == f"pw {MASK} and {MASK}"
