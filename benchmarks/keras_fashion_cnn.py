"""trainwright's `resnet` in plain Keras, trained from a folder of PNGs per class: the baseline of fashion_mnist.py.

Layer for layer as src/trainwright/models/resnet.py with its defaults, channels-last:
  rescale to [0, 1] -> 3x3 conv 32 (no bias) -> BatchNorm -> ReLU -> basic block 32 -> basic block 64, stride 2 ->
  basic block 128, stride 2 -> global average pooling -> dropout 0.2 -> dense (logits).
A basic block: 3x3 conv (stride) -> BN -> ReLU -> 3x3 conv -> BN whose scale starts at zero, plus the input (a
1x1 conv + BN where the shape changes), then ReLU. PyTorch's defaults where Keras's differ: He-normal (fan out)
convolutions, symmetric padding of the strided ones, BatchNorm's running averages (Keras momentum 0.9) and epsilon
1e-5, the head's uniform(+-1/sqrt(fan in)), Adam's epsilon 1e-8. Training images are augmented as trainwright's
defaults do (images/augment.py), per image in the input pipeline: a random left-right flip, then a random 28x28
crop of the image padded with 2 black pixels a side. With --early-stop, as trainwright trains by default: 10% of
the training images held out for validation, EarlyStopping(val_loss, patience 2) with the best weights restored.

The data as the Keras tutorials load it: `keras.utils.image_dataset_from_directory` (grayscale, 28x28), cached
and prefetched, so the first epoch decodes the PNGs and the later ones read memory.

With --idx DIR instead of the folders, the same network trains on Fashion-MNIST's IDX files read as arrays (the
first --images training images, the first --test-images test images), through the same cached, shuffled,
augmented tf.data pipeline: the side-by-side of image_throughput.py, with no PNG decoding on either side.

Run in the Keras venv:
    .bench-venv/bin/python benchmarks/keras_fashion_cnn.py --train DIR/train --test DIR/test --threads 2
    .bench-venv/bin/python benchmarks/keras_fashion_cnn.py --idx ../shared/data/images/fashion-mnist --images 5120
Prints one JSON line: test accuracy, training images/s (median epoch after the first), fit time, epoch times.
"""
import argparse
import json
import math
import os
import resource
import statistics
import time

ap = argparse.ArgumentParser()
ap.add_argument("--train", help="folder with a subfolder of images per class")
ap.add_argument("--test", help="folder of the same classes, evaluated once after training")
ap.add_argument("--idx", help="instead of --train/--test: a folder with Fashion-MNIST's four IDX files, read as arrays")
ap.add_argument("--images", type=int, help="with --idx: train on the first N training images (default all)")
ap.add_argument("--test-images", type=int, help="with --idx: evaluate on the first N test images (default all)")
ap.add_argument("--epochs", type=int, default=10)
ap.add_argument("--batch-size", type=int, default=32)
ap.add_argument("--learning-rate", type=float, default=1e-3)
ap.add_argument("--early-stop", action="store_true",
                help="hold out 10%% for validation; EarlyStopping(val_loss, patience=2, restore best)")
ap.add_argument("--no-augment", action="store_true", help="no flips and crops")
ap.add_argument("--threads", type=int, default=1)
ap.add_argument("--seed", type=int, default=0)
a = ap.parse_args()
if not a.idx and not (a.train and a.test):
    ap.error("give --train and --test (folders of PNGs), or --idx (a folder of IDX files)")

os.environ["OMP_NUM_THREADS"] = str(a.threads)
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import tensorflow as tf  # noqa: E402
from tensorflow import keras  # noqa: E402
from tensorflow.keras import layers  # noqa: E402

tf.config.threading.set_intra_op_parallelism_threads(a.threads)
tf.config.threading.set_inter_op_parallelism_threads(a.threads)
keras.utils.set_random_seed(a.seed)

HE_FAN_OUT = keras.initializers.VarianceScaling(2.0, mode="fan_out", distribution="untruncated_normal")
SIZE = (28, 28)


def batch_norm(zero=False):
    return layers.BatchNormalization(momentum=0.9, epsilon=1e-5, gamma_initializer="zeros" if zero else "ones")


def conv(filters, kernel, stride=1):
    """A convolution padded as PyTorch's padding=kernel//2: Keras's "same" pads a strided one on the bottom/right
    only, which would sample other pixels than trainwright's."""
    layer = layers.Conv2D(filters, kernel, strides=stride, padding="same" if stride == 1 else "valid",
                          use_bias=False, kernel_initializer=HE_FAN_OUT)
    if stride == 1 or kernel == 1:
        return layer
    return lambda x: layer(layers.ZeroPadding2D(kernel // 2)(x))


def basic_block(x, filters, stride):
    y = layers.ReLU()(batch_norm()(conv(filters, 3, stride)(x)))
    y = batch_norm(zero=True)(conv(filters, 3)(y))
    shortcut = x
    if stride != 1 or x.shape[-1] != filters:
        shortcut = batch_norm()(conv(filters, 1, stride)(x))
    return layers.ReLU()(layers.Add()([y, shortcut]))


def resnet(classes, widths=(32, 64, 128), dropout=0.2):
    inputs = keras.Input((*SIZE, 1))
    x = layers.Rescaling(1 / 255)(inputs)
    x = layers.ReLU()(batch_norm()(conv(widths[0], 3)(x)))
    for stage, filters in enumerate(widths):
        x = basic_block(x, filters, stride=2 if stage else 1)
    x = layers.Dropout(dropout)(layers.GlobalAveragePooling2D()(x))
    bound = 1 / math.sqrt(widths[-1])
    head = layers.Dense(classes, kernel_initializer=keras.initializers.RandomUniform(-bound, bound),
                        bias_initializer=keras.initializers.RandomUniform(-bound, bound))
    return keras.Model(inputs, head(x))


def folder(path, **kw):
    """Images one by one (batch_size None): cached after decoding, then shuffled afresh each epoch and batched.
    Batching before the cache, as the tutorials do, would replay the first epoch's batches in every epoch."""
    return keras.utils.image_dataset_from_directory(path, color_mode="grayscale", image_size=SIZE, batch_size=None,
                                                    seed=a.seed, verbose=False, **kw)


def idx_arrays(split, count):
    """(images (n, 28, 28, 1) float32 in 0..255, labels (n,) int32) from Fashion-MNIST's IDX files: the values
    image_dataset_from_directory gives for the same images' PNGs."""
    import gzip
    from pathlib import Path

    import numpy as np

    def read(name, offset):
        return np.frombuffer(gzip.open(Path(a.idx) / name).read(), np.uint8, offset=offset)

    images = read(f"{split}-images-idx3-ubyte.gz", 16).reshape(-1, 28, 28, 1)[:count]
    labels = read(f"{split}-labels-idx1-ubyte.gz", 8)[:count]
    return images.astype(np.float32), labels.astype(np.int32)


def idx_datasets():
    """(train, valid or None, test) unbatched datasets from the IDX files; --early-stop holds out the last 10%."""
    x, y = idx_arrays("train", a.images)
    held = len(x) // 10 if a.early_stop else 0
    train = tf.data.Dataset.from_tensor_slices((x[:len(x) - held], y[:len(x) - held]))
    valid = tf.data.Dataset.from_tensor_slices((x[len(x) - held:], y[len(x) - held:])) if held else None
    test = tf.data.Dataset.from_tensor_slices(idx_arrays("t10k", a.test_images))
    return train, valid, test, [str(c) for c in range(10)]


def augment(image, label):
    """One image, as trainwright's default augmentation varies it: mirrored with probability 1/2, then a random
    28x28 crop of it padded with 2 black pixels a side. (Keras's RandomCrop layer would take one offset per batch
    and feed the padded image uncropped at inference, so the pipeline does it per image, as the TF tutorials do.)"""
    image = tf.image.random_flip_left_right(image)
    image = tf.pad(image, [[2, 2], [2, 2], [0, 0]])
    return tf.image.random_crop(image, (*SIZE, 1)), label


def batches(images, training):
    count = int(images.cardinality())
    images = images.cache()
    if training:
        images = images.shuffle(count, seed=a.seed, reshuffle_each_iteration=True)
        if not a.no_augment:
            images = images.map(augment, num_parallel_calls=a.threads)
    options = tf.data.Options()
    options.threading.private_threadpool_size = a.threads  # the input pipeline within the same thread count
    return images.batch(a.batch_size).prefetch(tf.data.AUTOTUNE).with_options(options)


started = time.perf_counter()
if a.idx:
    train, valid, test, classes = idx_datasets()
else:
    if a.early_stop:
        train, valid = folder(a.train, validation_split=0.1, subset="both")
    else:
        train, valid = folder(a.train), None
    test = folder(a.test, shuffle=False)
    classes = train.class_names
n_train = int(train.cardinality())
listing_s = time.perf_counter() - started
train = batches(train, training=True)
valid = batches(valid, training=False) if valid is not None else None
test = batches(test, training=False)

model = resnet(len(classes))
model.compile(optimizer=keras.optimizers.Adam(a.learning_rate, epsilon=1e-8),
              loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])


class EpochTimes(keras.callbacks.Callback):
    """Each epoch's wall time, its validation included (as trainwright's history.json counts it)."""

    def on_train_begin(self, logs=None):
        self.times = []

    def on_epoch_begin(self, epoch, logs=None):
        self.start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        self.times.append(time.perf_counter() - self.start)


timer = EpochTimes()
callbacks = [timer]
if a.early_stop:
    callbacks.append(keras.callbacks.EarlyStopping(monitor="val_loss", patience=2, restore_best_weights=True))
started = time.perf_counter()
history = model.fit(train, validation_data=valid, epochs=a.epochs, callbacks=callbacks, verbose=0,
                    shuffle=False)  # the dataset shuffles itself; fit would only warn that it cannot
fit_s = time.perf_counter() - started
steady = timer.times[1:] or timer.times  # the first epoch traces the graph and decodes the PNGs
loss, accuracy = model.evaluate(test, verbose=0)

print(json.dumps({
    "system": "keras-resnet", "tensorflow": tf.__version__, "threads": a.threads, "classes": classes,
    "trainable_parameters": sum(int(tf.size(w)) for w in model.trainable_weights), "n_train": n_train, "epochs_run": len(timer.times),
    "batch_size": a.batch_size, "test_accuracy": round(float(accuracy), 4), "test_loss": round(float(loss), 4),
    "listing_s": round(listing_s, 2), "fit_s": round(fit_s, 2),
    "epoch_s": [round(t, 2) for t in timer.times],
    "train_samples_per_s": round(n_train / statistics.median(steady), 1),
    "first_epoch_excluded": len(timer.times) > 1,
    "val_loss": [round(v, 4) for v in history.history.get("val_loss", [])],
    "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
}))
