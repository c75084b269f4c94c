"""Code generation and the code cipher (core.md §13.2, §13.3)."""

from __future__ import annotations

from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lightrail.http.errors import ApiError
from lightrail.values.codes import DEFAULT_CHARSET, CodeCipher, code_recipe, generate_code, last_four, random_characters

charsets = st.lists(st.characters(blacklist_categories=("Zs", "Zl", "Zp", "Cc", "Cs")), min_size=5, max_size=40, unique=True).map("".join)
affixes = st.text(max_size=8).filter(lambda s: not s[:1].isspace() and not s[-1:].isspace())


@given(length=st.integers(min_value=6, max_value=64), charset=charsets, prefix=affixes, suffix=affixes)
def test_generated_codes_have_the_requested_shape(length, charset, prefix, suffix):
    code = generate_code(code_recipe(length, charset, prefix, suffix))
    assert code.startswith(prefix) and code.endswith(suffix)
    middle = code[len(prefix):len(code) - len(suffix)]
    assert len(middle) == length and set(middle) <= set(charset)


@given(length=st.sampled_from([None, 0]))
def test_missing_or_zero_length_means_16_of_the_default_charset(length):
    code = generate_code(code_recipe(length, None, None, None))
    assert len(code) == 16 and set(code) <= set(DEFAULT_CHARSET)


@given(length=st.integers(min_value=-100, max_value=5).filter(lambda n: n != 0))
def test_lengths_below_6_are_refused(length):
    with pytest.raises(ApiError) as error:
        code_recipe(length, None, None, None)
    assert (error.value.status, error.value.message_code) == (422, "InvalidGenerateCodeParameters")


@pytest.mark.parametrize("charset,prefix,suffix", [("ABCD", None, None), ("AABCDE", None, None), ("A BCDE", None, None), (None, " X", None), (None, None, "X ")])
def test_bad_parameters_are_refused(charset, prefix, suffix):
    with pytest.raises(ApiError) as error:
        code_recipe(8, charset, prefix, suffix)
    assert error.value.message_code == "InvalidGenerateCodeParameters"


@given(code=st.text(min_size=1, max_size=255))
def test_cipher_round_trips_and_hides_the_code(code):
    cipher = CodeCipher("secret")
    token = cipher.encrypt(code)
    assert cipher.decrypt(token) == code
    assert code not in token or len(code) < 3


def test_lookup_hash_is_per_account_and_deterministic():
    cipher = CodeCipher("secret")
    assert cipher.lookup_hash("acct-TEST", "CODE") == cipher.lookup_hash("acct-TEST", "CODE")
    assert cipher.lookup_hash("acct-TEST", "CODE") != cipher.lookup_hash("acct", "CODE")
    assert CodeCipher("other").lookup_hash("acct", "CODE") != cipher.lookup_hash("acct", "CODE")


def test_another_secret_cannot_decrypt():
    with pytest.raises(ValueError):
        CodeCipher("other").decrypt(CodeCipher("secret").encrypt("SECRET-CODE"))


@pytest.mark.parametrize("code,shown", [("SECURE", "…CURE"), ("A", "…A"), ("👮😭💀😒😴🙌😇🚀", "…😴🙌😇🚀")])
def test_last_four_counts_code_points(code, shown):
    assert last_four(code) == shown


@pytest.mark.parametrize("charset, codes", [("0123456789", 200_000), ("".join(chr(0x4E00 + i) for i in range(300)), 6_000)])
def test_generated_characters_are_uniform_over_the_charset(charset, codes):
    # 10 characters do not divide 256: unless bytes 250-255 are skipped, 0-5 come up 4% more often than
    # 6-9, which 2 million draws show clearly. 300 characters take the per-character path.
    recipe = code_recipe(10, charset, None, None)
    counts = Counter("".join(random_characters(recipe) for _ in range(codes)))
    expected = codes * 10 / len(charset)
    assert set(counts) == set(charset)
    # Within 5.5 standard deviations of a fair draw (the modulo bias would be about 7 for digits).
    spread = 5.5 * (expected * (1 - 1 / len(charset))) ** 0.5
    assert all(abs(n - expected) < spread for n in counts.values())
