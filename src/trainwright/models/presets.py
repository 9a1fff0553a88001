"""Each model's own defaults for the sections besides `model` (learning rate, tokenizer, ...), for the settings
a user did not set; the model section's own defaults are its class's (model_config.py).

A value given on the command line or in a config file always wins; only fields left at their defaults take a
model's preset, so `--model cnn` alone trains a well-tuned CNN rather than the seed LSTM's settings on a CNN.
"""

from __future__ import annotations

from ..config import RunConfig

# {model name: {config section: {field: value}}}, tuned on TREC, SST-2 and waimai_10k.
PRESETS: dict[str, dict[str, dict]] = {
    # Recurrent models overfit these small sets within 2-3 epochs at 2e-3; 1e-3 and dropout 0.5 do better.
    "bilstm": {"train": {"epochs": 10, "learning_rate": 1e-3}},
    "gru": {"train": {"epochs": 10, "learning_rate": 1e-3}},
    # Kim (2014): 300-dimensional vectors, dropout 0.5, batches of 50, case kept (as Kim does for TREC:
    # +1-2 points there; SST-2 and Chinese text are unaffected)
    "cnn": {"tokenizer": {"lowercase": False},
            "train": {"epochs": 20, "batch_size": 50},
            "stopping": {"patience": 3}},
    # fastText's recipe: every word, punctuation marks kept as tokens (fastText keeps them, in the words it
    # splits at spaces), hashed bigrams in a large table updated sparsely, 100-dimensional vectors, a learning
    # rate decaying linearly to 0 over a fixed few epochs (so no early stopping: the last epoch is the settled
    # one). Adagrad rather than fastText's per-example SGD: on batches it converges in 2-3 epochs where SGD needs
    # 10+. Marks and 100 dimensions, mean test accuracy over 3 seeds: TREC 0.892 -> 0.902, SST-2 0.813 -> 0.819,
    # waimai_10k 0.903 -> 0.899.
    "fasttext": {"tokenizer": {"num_words": 50000, "filters": "", "split_punctuation": True},
                 "model": {"embedding_dim": 100},
                 "train": {"optimizer": "adagrad", "epochs": 4, "batch_size": 64, "learning_rate": 0.1,
                           "lr_schedule": "linear"},
                 "stopping": {"enabled": False}},
    # Fitted by a convex solver (train/convex.py): no epochs, batches or learning rate to preset.
    "linear": {"tokenizer": {"num_words": 50000}},
    "transformer": {"train": {"epochs": 20, "learning_rate": 5e-4, "warmup_epochs": 1.0},
                    "stopping": {"patience": 3}},
    # A linear model cannot tell a median imputed for a missing value from a measured one, and missingness often
    # carries signal (Pima's unmeasured insulin): the indicator features gave it Pima 0.762 -> 0.774 and horse
    # colic 0.833 -> 0.840 (5-fold accuracy, benchmarks/README.md); the trees and the MLP did not gain.
    "table_linear": {"clean": {"missing_indicator": True}},
    # Fine-tuning: a small learning rate with warmup and decay, few epochs (BERT's recipe); 128 tokens cover
    # SST-2, TREC and most reviews.
    "pretrained": {"tokenizer": {"maxlen": 128},
                   "train": {"epochs": 3, "batch_size": 32, "learning_rate": 5e-5, "warmup_epochs": 0.1,
                             "lr_schedule": "cosine"},
                   "regularization": {"weight_decay": 0.01},
                   "stopping": {"patience": 1}},
    # Images from scratch (auto on images): batches of 128 and a cosine decay from 2e-3 with light weight decay.
    # Six epochs without a time limit (a Fashion-MNIST epoch of 54,000 images: ~40 s on 2 quiet cores); with
    # --time-limit, as many as fit (train/images.py), the decay fitted to them (EpochsWithinTimeLimit).
    "resnet": {"train": {"epochs": 6, "batch_size": 128, "learning_rate": 2e-3, "lr_schedule": "cosine"},
               "regularization": {"weight_decay": 1e-4},
               "stopping": {"patience": 2}},
    # Transfer from ImageNet: a smaller learning rate so the pretrained filters are adjusted, not overwritten;
    # a few epochs suffice (the head alone, with freeze, learns fast at the same rate).
    "efficientnet_lite0": {"train": {"epochs": 5, "batch_size": 32, "learning_rate": 3e-4,
                                     "lr_schedule": "cosine"},
                           "stopping": {"patience": 2}},
}

# Pictures with table columns: the resnet's recipe (the CNN holds most of the weights and most of a step's time).
PRESETS["resnet+mlp"] = PRESETS["resnet"]


def apply_presets(config: RunConfig) -> RunConfig:
    """Set the preset values of `config.model.name` on the fields `config` does not set explicitly."""
    for section_name, values in PRESETS.get(config.model.name, {}).items():
        section = getattr(config, section_name)
        for key, value in values.items():
            if key not in section.model_fields_set:
                setattr(section, key, value)
                section.model_fields_set.discard(key)  # still a default: a later preset may replace it
    return config
