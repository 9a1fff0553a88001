"""The seed LSTM: padding, wherever it goes and however long, never changes a prediction."""

import numpy as np
import pytest
import torch

from trainwright.config import TokenizerConfig
from trainwright.models import LSTMClassifier, LSTMConfig
from trainwright.models.lstm import left_align
from trainwright.text import TextTokenizer

TEXTS = ["a quietly moving film", "the plot goes nowhere and the acting is wooden", "fine", ""]


def _model(vocab_size: int, outputs: int = 1, **sizes) -> LSTMClassifier:
    torch.manual_seed(0)
    return LSTMClassifier(LSTMConfig(vocab_size=vocab_size, num_outputs=outputs, **sizes)).eval()


def _logits(model, tokenizer, texts, length=None):
    ids = torch.from_numpy(tokenizer.pad(tokenizer.transform(texts), length))
    with torch.no_grad():
        return model(ids)


@pytest.mark.parametrize("sizes", [{}, {"num_layers": 2, "bidirectional": True}])
def test_same_output_at_maxlen_100_and_300_and_either_padding_side(sizes):
    outputs = {}
    for maxlen in (100, 300):
        for padding in ("pre", "post"):
            tokenizer = TextTokenizer(TokenizerConfig(maxlen=maxlen, padding=padding)).fit(TEXTS)
            model = _model(tokenizer.vocab_size, **sizes)
            # Padded to the full maxlen, as Keras's pad_sequences does, not just to the longest text.
            outputs[maxlen, padding] = _logits(model, tokenizer, TEXTS, length=maxlen)
    reference = outputs[100, "pre"]
    for key, logits in outputs.items():
        torch.testing.assert_close(logits, reference, rtol=0, atol=1e-6, msg=f"differs for {key}")


def test_a_text_gets_the_same_output_alone_and_in_a_batch_of_longer_texts():
    tokenizer = TextTokenizer().fit(TEXTS)
    model = _model(tokenizer.vocab_size)
    batch = _logits(model, tokenizer, TEXTS)
    for i, text in enumerate(TEXTS):
        torch.testing.assert_close(_logits(model, tokenizer, [text])[0], batch[i], rtol=0, atol=1e-6)


def test_left_align_moves_tokens_to_the_front_in_order_and_counts_them():
    ids = torch.tensor([[0, 0, 5, 6], [7, 8, 9, 0], [0, 0, 0, 0]])
    aligned, lengths = left_align(ids)
    assert aligned.tolist() == [[5, 6, 0, 0], [7, 8, 9, 0], [0, 0, 0, 0]]
    assert lengths.tolist() == [2, 3, 1]  # an empty text reads one padding step


def test_output_shape_follows_the_number_of_classes():
    model = _model(vocab_size=20, outputs=4, embedding_dim=8, hidden_size=8)
    assert model(torch.tensor([[1, 2, 3], [0, 4, 5]])).shape == (2, 4)


def test_keras_style_initialisation():
    model = _model(vocab_size=50, hidden_size=8)
    assert model.encoder.embedding.weight.abs().max() <= 0.05
    bias = model.encoder.lstm.bias_ih_l0.detach().numpy()
    assert np.all(bias[8:16] == 1.0) and np.all(bias[:8] == 0) and np.all(bias[16:] == 0)  # forget gate 1
    recurrent = model.encoder.lstm.weight_hh_l0.detach()[:8]  # input gate's recurrent kernel is orthogonal
    torch.testing.assert_close(recurrent @ recurrent.T, torch.eye(8), atol=1e-5, rtol=0)
