"""TextNormalizer: HTML, entities, URLs, e-mails, NFKC, numbers, whitespace."""

import json

import numpy as np
import pandas as pd
import pytest

from trainwright.clean import TextCleaningConfig, TextNormalizer
from trainwright.errors import NotFittedError


@pytest.mark.parametrize("raw, clean", [
    ("<p>Great&nbsp;kettle &amp; fast<br/>delivery</p>", "Great kettle & fast delivery"),
    ("Caf&eacute; &lt;3 &#8364;5", "Café <3 €5"),
    ("<script>alert('x')</script>Fine <!-- note -->product", "Fine product"),
    ("a < b and c > d", "a < b and c > d"),
    ("see https://example.com/a?b=1, or www.shop.org.", "see [URL] , or [URL] ."),
    ("write to john.doe+x@mail.example.co.uk!", "write to [EMAIL] !"),
    ("Ｆｕｌｌ　ｗｉｄｔｈ ＡＢＣ １２３", "Full width ABC 123"),
    ("ﬁne ligature", "fine ligature"),
    ("  many\t\n   spaces  ", "many spaces"),
])
def test_default_normalization(raw, clean):
    assert TextNormalizer().fit().transform([raw]) == [clean]


def test_numbers_are_masked_when_asked():
    normalizer = TextNormalizer(TextCleaningConfig(numbers=True)).fit()
    assert normalizer.transform(["3.50 or 1,000 units, model X5"]) == ["[NUM] or [NUM] units, model X5"]


def test_each_step_can_be_switched_off():
    cfg = TextCleaningConfig(nfkc=False, html=False, urls=False, emails=False, whitespace=False)
    text = "<b>Ａ</b>  http://x.io a@b.com "
    assert TextNormalizer(cfg).fit().transform([text]) == [text]


def test_series_in_series_out_and_missing_text_is_empty():
    normalizer = TextNormalizer().fit()
    series = pd.Series(["<i>ok</i>", None, np.nan], index=[5, 6, 7], name="review")
    out = normalizer.transform(series)
    assert out.tolist() == ["ok", "", ""] and out.index.tolist() == [5, 6, 7] and out.name == "review"


def test_roundtrip_and_unfitted():
    cfg = TextCleaningConfig(numbers=True, html=False)
    loaded = TextNormalizer.from_dict(json.loads(json.dumps(TextNormalizer(cfg).fit().to_dict())))
    assert loaded.config == cfg
    with pytest.raises(NotFittedError, match=r"TextNormalizer.fit"):
        TextNormalizer().transform(["x"])
