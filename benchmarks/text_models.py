"""Every trainwright text model on SST-2, TREC and waimai_10k, against TF-IDF + logistic regression and fastText.

Datasets (read from ../shared/data/text, never copied into the repository):
  sst2    sst2/train.csv, dev.csv (validation), test.csv; columns text,label
  trec    trec/train.csv, test.csv; validation: trainwright's own 10% split of train.csv
  waimai  waimai_10k.csv (label,review, Chinese): stratified 80/20 split, train_test_split(test_size=0.2,
          random_state=0, stratify=label), written to the work folder; validation: trainwright's own split

Rows, each trained in a fresh subprocess (clean memory and thread pools; a crash costs one row, not the run):
  trainwright models by `model.name` (--models); a name the config rejects (ConfigError) is skipped with a note
  tfidf     TfidfVectorizer (words 1-2-grams; characters 1-3-grams for Chinese) + LogisticRegression, C chosen on
            the validation set
  fasttext  the fastText library (`pip install fasttext-wheel`), supervised defaults + wordNgrams 2, epoch and lr
            chosen on the validation set; Chinese split into space-separated characters. Skipped if not importable.
  fasttext-tokens  the same, fed the tokens trainwright's `fasttext` preset makes of each text (lowercased,
            punctuation marks split off as tokens, as fastText's own tutorial prepares text): the same input for
            both, so a gap left between the two rows is in the training, not in the tokenizing.
The baselines train on the same rows as trainwright: SST-2's train.csv, otherwise a stratified 90% of the
training rows (random_state 0), choosing on the other 10% (trainwright holds out its 10% after dropping
duplicate rows, so the two splits are alike but not the same rows).

Figures per row: test accuracy; train time = wall time of the whole training (trainwright: the `train()` call,
so reading, cleaning, tokenizing, fitting, testing and saving, with PyTorch Lightning imported before the clock
starts, as the baselines' libraries are: the CLI pays that import, about 2 s, once per run; baselines: vectorizing
and every fit of the grid); train samples/s (trainwright: as it reports it, rows / median epoch time; fastText: rows x epochs / fit
time of the chosen setting; TF-IDF + LR: rows / (vectorizing + the chosen fit)); predict samples/s on the whole
test set at each of --predict-threads, best of 2 after one warm-up call (trainwright: `trainwright.load(out)
.predict(texts)` in a fresh process with torch.set_num_threads and RAYON_NUM_THREADS; TF-IDF + LR under
threadpoolctl; fastText predicts on one thread whatever the setting).

Run from the project root, on a quiet machine (on a CPU the pretrained model takes longest: --pretrained-rows):
    .venv/bin/python benchmarks/text_models.py [--datasets sst2 trec waimai] [--models lstm cnn ...]
        [--threads 2] [--pretrained-rows 2000] [--json results.json]
A quick smoke run: --limit 500 --models lstm --baselines
--seeds N trains each row N times (seeds 0 .. N-1: trainwright's train.seed, fastText's seed) and shows the mean
test accuracy with each run's: one test set of 500 rows (TREC) moves in steps of 0.2 points, and a seed moves
a model by more than that.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "text"
MODELS = ["linear", "fasttext", "cnn", "lstm", "bilstm", "gru", "transformer", "auto", "pretrained"]
BASELINES = {"tfidf": "TF-IDF + logistic regression", "fasttext": "fastText (library)",
             "fasttext-tokens": "fastText (library), trainwright's tokens"}
C_GRID = (0.1, 0.3, 1.0, 3.0, 10.0, 30.0)  # logistic regression's inverse regularization strength
FASTTEXT_GRID = [(epoch, lr) for epoch in (10, 25) for lr in (0.5, 1.0)]
DATASETS = {  # title, language (how the baselines split text), text column
    "sst2": ("SST-2", "en", "text"),
    "trec": ("TREC", "en", "text"),
    "waimai": ("waimai_10k", "zh", "review"),
}
REFERENCES = {  # accuracy figures from elsewhere, printed under each table
    "sst2": [("Kim (2014) CNN-rand, published (trained on phrases)", 0.827),
             ("Keras seed LSTM, measured earlier (seed_vs_keras.py)", 0.778)],
    "trec": [("Kim (2014) CNN-rand, published", 0.912)],
}
RESULT = "RESULT "  # a child's answer: its last stdout line, this prefix and one JSON object


# ---------------------------------------------------------------------------------------------------- the data
def prepare(key: str, work: Path, limit: int | None, pretrained_rows: int | None) -> dict:
    """Write what the runs need for one dataset to work/key/ and return its description (also meta.json)."""
    import pandas as pd
    from sklearn.model_selection import train_test_split

    title, language, text = DATASETS[key]
    folder = work / key
    folder.mkdir(parents=True, exist_ok=True)
    read = lambda path: pd.read_csv(path, dtype=str, keep_default_na=False)  # exactly as written
    if key == "waimai":
        frame = read(DATA / "waimai_10k.csv")
        train, test = train_test_split(frame, test_size=0.2, random_state=0, stratify=frame["label"])
        paths = {"train": _write(train, folder / "train.csv"), "valid": None,
                 "test": _write(test, folder / "test.csv")}
    else:
        source = DATA / key
        paths = {"train": source / "train.csv", "valid": source / "dev.csv" if key == "sst2" else None,
                 "test": source / "test.csv"}
    train = read(paths["train"])
    if limit is not None and limit < len(train):
        train = train.sample(n=limit, random_state=0)
        paths["train"] = _write(train, folder / f"train-{limit}.csv")
    paths["pretrained_train"] = paths["train"]
    if pretrained_rows is not None and pretrained_rows < len(train):
        paths["pretrained_train"] = _write(train.sample(n=pretrained_rows, random_state=0),
                                           folder / f"train-{pretrained_rows}.csv")
    meta = {"key": key, "title": title, "language": language, "text": text, "label": "label",
            **{name: None if path is None else str(path) for name, path in paths.items()},
            "n_train": len(train), "n_valid": None if paths["valid"] is None else len(read(paths["valid"])),
            "n_test": len(read(paths["test"])),
            "n_pretrained_train": min(len(train), pretrained_rows or len(train))}
    (folder / "meta.json").write_text(json.dumps(meta, indent=1))
    return meta


def _write(frame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def labeled(meta: dict, split: str) -> tuple[list[str], list[str]]:
    import pandas as pd

    frame = pd.read_csv(meta[split], dtype=str, keep_default_na=False)
    return frame[meta["text"]].tolist(), frame[meta["label"]].tolist()


def baseline_split(meta: dict):
    """(train texts, labels), (validation texts, labels): SST-2's dev.csv, else a stratified 10% of train."""
    from sklearn.model_selection import train_test_split

    texts, labels = labeled(meta, "train")
    if meta["valid"] is not None:
        return (texts, labels), labeled(meta, "valid")
    t_x, v_x, t_y, v_y = train_test_split(texts, labels, test_size=0.1, random_state=0, stratify=labels)
    return (t_x, t_y), (v_x, v_y)


def accuracy(predicted, truth) -> float:
    return sum(str(p) == str(t) for p, t in zip(predicted, truth)) / len(truth)


def best_time(call, repeats: int = 2) -> float:
    """Seconds of the fastest of `repeats` calls, after one warm-up call."""
    call()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return min(times)


# ------------------------------------------------------------------------------------- one row (a subprocess)
def run_trainwright(name: str, meta: dict, work: Path, threads: int, args) -> dict:
    import trainwright

    overrides = {"data": {"target": meta["label"]}, "model": {"name": name}, "train": {"threads": threads}}
    for section, values in parse_settings(args.set).items():
        overrides.setdefault(section, {}).update(values)
    if args.seed is not None:
        overrides["train"]["seed"] = args.seed
    if name == "pretrained" and args.pretrained_model:
        overrides["model"]["pretrained"] = args.pretrained_model
    train_path = meta["pretrained_train"] if name == "pretrained" else meta["train"]
    out = work / meta["key"] / "models" / f"{name}-t{threads}"
    import lightning.pytorch  # noqa: F401  (imported outside the clock, as the baselines' libraries are)

    try:
        config = trainwright.build_config(overrides=overrides)
        started = time.perf_counter()
        result = trainwright.train(train_path, valid=meta["valid"], test=meta["test"], out=out, config=config)
    except trainwright.ConfigError as e:
        return {"status": "skipped", "note": f"ConfigError: {e}"}
    train_s = time.perf_counter() - started
    training = result.metrics["training"]
    resolved = json.loads((Path(result.path) / "config.json").read_text()).get("model", {})
    kept = [row["model"] for row in result.metrics.get("search", []) if row.get("kept")]  # auto's choice
    return {"status": "ok", "accuracy": result.metrics["test"]["accuracy"], "train_s": train_s,
            "train_samples_per_s": training.get("train_samples_per_s"), "fit_s": training.get("fit_s"),
            "epochs": training.get("epochs_run"), "n_train": training.get("n_train"),
            "trained_model": kept[0] if kept else resolved.get("name"), "pretrained": resolved.get("pretrained"),
            "model_dir": str(result.path)}


def run_tfidf(meta: dict, threads: int, predict_threads: list[int]) -> dict:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    (x, y), (valid_x, valid_y) = baseline_split(meta)
    words = {"ngram_range": (1, 2), "sublinear_tf": True, "min_df": 1}
    chars = {"analyzer": "char", "ngram_range": (1, 3), "sublinear_tf": True, "min_df": 1}
    with threadpool_limits(threads):
        started = time.perf_counter()
        vectorizer = TfidfVectorizer(**(chars if meta["language"] == "zh" else words))
        features = vectorizer.fit_transform(x)
        vectorize_s = time.perf_counter() - started
        valid_features = vectorizer.transform(valid_x)
        best = None  # (validation accuracy, C, model, fit seconds); the smaller C wins a tie
        for c in C_GRID:
            fit_started = time.perf_counter()
            model = LogisticRegression(C=c, max_iter=1000).fit(features, y)
            fit_s = time.perf_counter() - fit_started
            score = accuracy(model.predict(valid_features), valid_y)
            if best is None or score > best[0]:
                best = (score, c, model, fit_s)
        train_s = time.perf_counter() - started
    valid_accuracy, c, model, fit_s = best
    test_x, test_y = labeled(meta, "test")
    predict = lambda: model.predict(vectorizer.transform(test_x))
    speeds = {}
    for t in predict_threads:
        with threadpool_limits(t):
            speeds[str(t)] = len(test_x) / best_time(predict)
    return {"status": "ok", "accuracy": accuracy(predict(), test_y), "train_s": train_s,
            "train_samples_per_s": len(x) / (vectorize_s + fit_s), "n_train": len(x),
            "predict_samples_per_s": speeds, "valid_accuracy": valid_accuracy, "note": f"C={c:g}"}


def run_fasttext(meta: dict, work: Path, threads: int, predict_threads: list[int], seed: int = 0,
                 our_tokens: bool = False) -> dict:
    try:
        import fasttext
    except ImportError:
        return {"status": "skipped", "note": "the fasttext module is not importable "
                                             "(install it with: .venv/bin/pip install fasttext-numpy2-wheel)"}
    if our_tokens:
        prepare_text = preset_tokens("fasttext")
    elif meta["language"] == "zh":  # fastText splits on whitespace: one token per character
        prepare_text = lambda text: " ".join(ch for ch in text if not ch.isspace())
    else:
        prepare_text = lambda text: " ".join(text.split())  # one line: no newlines
    (x, y), (valid_x, valid_y) = baseline_split(meta)
    path = work / meta["key"] / f"fasttext-train{'-tokens' if our_tokens else ''}.txt"
    path.write_text("".join(f"__label__{label} {prepare_text(text)}\n" for text, label in zip(x, y)))

    def predict(model, texts: list[str]) -> list:
        # A list goes through multilinePredict; a single string hits np.array(copy=False), an error under numpy 2.
        labels, _ = model.predict([prepare_text(t) for t in texts], k=1)
        return [found[0].removeprefix("__label__") if found else None for found in labels]

    started = time.perf_counter()
    best = None  # (validation accuracy, epoch, lr, model, fit seconds)
    for epoch, lr in FASTTEXT_GRID:
        fit_started = time.perf_counter()
        model = fasttext.train_supervised(input=str(path), wordNgrams=2, epoch=epoch, lr=lr, thread=threads,
                                          verbose=0, seed=seed)
        fit_s = time.perf_counter() - fit_started
        score = accuracy(predict(model, valid_x), valid_y)
        if best is None or score > best[0]:
            best = (score, epoch, lr, model, fit_s)
        del model  # each model holds a 2M-bucket n-gram table (~800 MB); keep only the best
    train_s = time.perf_counter() - started
    valid_accuracy, epoch, lr, model, fit_s = best
    test_x, test_y = labeled(meta, "test")
    speeds = {str(t): len(test_x) / best_time(lambda: predict(model, test_x)) for t in predict_threads}
    return {"status": "ok", "accuracy": accuracy(predict(model, test_x), test_y), "train_s": train_s,
            "train_samples_per_s": len(x) * epoch / fit_s, "epochs": epoch, "n_train": len(x),
            "predict_samples_per_s": speeds, "valid_accuracy": valid_accuracy,
            "note": f"epoch {epoch}, lr {lr:g}; predicts on one thread"}


def preset_tokens(model: str):
    """text -> its tokens joined by spaces, as the tokenizer of `model`'s preset splits it (before the
    vocabulary: a word it would map to the unknown token stays itself)."""
    from trainwright.config import TokenizerConfig
    from trainwright.models.presets import PRESETS
    from trainwright.text.tokenizer import TextTokenizer

    config = TokenizerConfig(**PRESETS[model].get("tokenizer", {}))
    pipeline = TextTokenizer(config).fit(["a"]).tokenizer_  # the normalizer and splitting, not the vocabulary

    def prepare(text: str) -> str:
        normalized = pipeline.normalizer.normalize_str(text)
        return " ".join(token for token, _ in pipeline.pre_tokenizer.pre_tokenize_str(normalized))

    return prepare


def run_predict(model_dir: str, meta: dict, threads: int) -> dict:
    """Load a saved model as a user would and time `predict` over the whole test set."""
    os.environ["RAYON_NUM_THREADS"] = str(threads)  # the tokenizers' Rust pool reads it when first used
    import torch

    import trainwright

    torch.set_num_threads(threads)
    predictor = trainwright.load(model_dir)
    texts, labels = labeled(meta, "test")
    seconds = best_time(lambda: predictor.predict(texts))
    return {"status": "ok", "samples_per_s": len(texts) / seconds,
            "accuracy": accuracy(predictor.predict(texts).labels, labels)}


def child_main(args) -> None:
    """The hidden modes: --one MODEL DATASET trains one row, --predict-one DIR DATASET times one prediction."""
    work = Path(args.work)
    threads = args.threads
    try:
        if args.one:
            model, key = args.one
            meta = json.loads((work / key / "meta.json").read_text())
            if model == "baseline:tfidf":
                result = run_tfidf(meta, threads, args.predict_threads)
            elif model in ("baseline:fasttext", "baseline:fasttext-tokens"):
                result = run_fasttext(meta, work, threads, args.predict_threads, args.seed or 0,
                                      our_tokens=model.endswith("-tokens"))
            else:
                result = run_trainwright(model, meta, work, threads, args)
        else:
            model_dir, key = args.predict_one
            result = run_predict(model_dir, json.loads((work / key / "meta.json").read_text()), threads)
    except Exception as e:  # noqa: BLE001 (a model's crash becomes its row's error, the run goes on)
        traceback.print_exc()
        result = {"status": "failed", "error": f"{type(e).__name__}: {e}"}
    print(RESULT + json.dumps(result), flush=True)


# ------------------------------------------------------------------------------------------ the whole run
def thread_env(threads: int) -> dict:
    env = dict(os.environ, PYTHONUNBUFFERED="1", RAYON_NUM_THREADS=str(threads))
    for var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS"):
        env[var] = str(threads)
    return env


def spawn(mode: list[str], threads: int, args, work: Path, log: Path, seed: int | None = None) -> dict:
    """Run this script in `mode` in a fresh process; its stdout and stderr go to `log`."""
    cmd = [sys.executable, str(Path(__file__).resolve()), *mode, "--work", str(work), "--threads", str(threads),
           "--predict-threads", *map(str, args.predict_threads)]
    if seed is not None:
        cmd += ["--seed", str(seed)]
    cmd += [flag for item in args.set for flag in ("--set", item)]
    if args.pretrained_model:
        cmd += ["--pretrained-model", args.pretrained_model]
    log.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(log, "w") as out:
            subprocess.run(cmd, check=False, stdout=out, stderr=subprocess.STDOUT, env=thread_env(threads),
                           cwd=REPO, timeout=args.timeout)
    except subprocess.TimeoutExpired:
        return {"status": "failed", "error": f"timed out after {args.timeout} s"}
    lines = log.read_text(errors="replace").splitlines()
    for line in reversed(lines):
        if line.startswith(RESULT):
            return json.loads(line[len(RESULT):])
    return {"status": "failed", "error": "the process ended without a result:\n" + "\n".join(lines[-15:])}


def run_seeds(model: str, meta: dict, threads: int, args, work: Path) -> dict:
    """One row, or with --seeds N the mean of N rows trained with seeds 0 .. N-1 (model and library randomness;
    trainwright's seed also draws its validation split). TF-IDF + LR has no randomness: it runs once."""
    seeds = 1 if model == "baseline:tfidf" else args.seeds
    runs = [run_row(model, meta, threads, args, work, seed if seeds > 1 else None, predict=seed == 0)
            for seed in range(seeds)]
    row = runs[0]
    if seeds == 1 or any(r["status"] != "ok" for r in runs):
        return row
    accuracies = [r["accuracy"] for r in runs]
    row.update(accuracy=sum(accuracies) / seeds, train_s=sum(r["train_s"] for r in runs) / seeds,
               accuracies=accuracies, accuracy_std=statistics.pstdev(accuracies))
    row["note"] = "; ".join(n for n in (f"mean of {seeds} seeds: " + " / ".join(f"{a:.3f}" for a in accuracies),
                                        row.get("note", "")) if n)
    return row


def run_row(model: str, meta: dict, threads: int, args, work: Path, seed: int | None = None,
            predict: bool = True) -> dict:
    key = meta["key"]
    baseline = model.startswith("baseline:")
    label = BASELINES[model.split(":")[1]] if baseline else model
    stamp = time.strftime("%H:%M:%S")
    seeded = f", seed {seed}" if seed is not None else ""
    print(f"[{stamp}] {meta['title']}: {label}, training on {threads} thread(s){seeded} ...", file=sys.stderr,
          flush=True)
    tag = f"{model.replace(':', '-')}-t{threads}" + (f"-s{seed}" if seed is not None else "")
    row = spawn(["--one", model, key], threads, args, work, work / "logs" / f"{key}-{tag}.log", seed)
    row.update(dataset=key, model=label, kind="baseline" if baseline else "trainwright", train_threads=threads)
    if row["status"] == "ok" and not baseline and predict:
        speeds, row["predict_accuracy"] = {}, None
        for t in args.predict_threads:
            timed = spawn(["--predict-one", row["model_dir"], key], t, args, work,
                          work / "logs" / f"{key}-{tag}-predict-t{t}.log")
            if timed["status"] != "ok":
                row["predict_error"] = timed["error"]
                continue
            speeds[str(t)], row["predict_accuracy"] = timed["samples_per_s"], timed["accuracy"]
        row["predict_samples_per_s"] = speeds
        # The saved model, loaded as a user would, must score what training reported.
        if row["predict_accuracy"] is not None and abs(row["predict_accuracy"] - row["accuracy"]) > 1e-9:
            row["warning"] = (f"the loaded model's test accuracy {row['predict_accuracy']:.4f} differs from the "
                              f"one training reported ({row['accuracy']:.4f})")
    summary = (f"accuracy {row['accuracy']:.4f}, {row['train_s']:.1f} s" if row["status"] == "ok"
               else f"{row['status']}: {(row.get('note') or row.get('error', '')).splitlines()[0]}")
    print(f"[{time.strftime('%H:%M:%S')}]   {summary}", file=sys.stderr, flush=True)
    return row


def _short(message: str, width: int = 80) -> str:
    """The first line of a message, cut to fit a table cell; the whole message is printed under the tables."""
    line = (message.splitlines() or [""])[0]
    return line if len(line) <= width else line[:width - 1] + "… (see below)"


def fmt(value, spec: str) -> str:
    return "—" if value is None else format(value, spec)


def table(meta: dict, rows: list[dict], args) -> str:
    valid = (f"{meta['n_valid']:,} validation (dev.csv)" if meta["n_valid"] is not None
             else "validation: 10% of train held out")
    limit = f" (--limit {args.limit})" if args.limit else ""
    threads = sorted({r["train_threads"] for r in rows})
    title = (f"### {meta['title']} — {meta['n_train']:,} train{limit}, {valid}, {meta['n_test']:,} test; "
             f"training on {', '.join(map(str, threads))} thread(s)")
    head = [title, ""]
    several = len(threads) > 1
    columns = ["model", *(["train threads"] if several else []), "test accuracy", "train time (s)",
               "train samples/s", *[f"predict/s, {t} thread{'s' if t > 1 else ''}" for t in args.predict_threads],
               "epochs", "note"]
    lines = ["| " + " | ".join(columns) + " |",
             "|" + "|".join("---" if c in ("model", "note") else "---:" for c in columns) + "|"]
    for r in rows:
        ok = r["status"] == "ok"
        note = [r.get("note", "")] if ok else [f"{r['status']}: " + _short(r.get("note") or r.get("error", ""))]
        if ok and r["kind"] == "trainwright":
            if r["model"] == "pretrained" and meta["n_pretrained_train"] < meta["n_train"]:
                note.append(f"trained on {meta['n_pretrained_train']:,} rows (--pretrained-rows)")
            if r.get("trained_model") and r["trained_model"] != r["model"]:
                note.append(f"chose {r['trained_model']}")
            if r.get("warning"):
                note.append("WARNING: " + r["warning"])
        speeds = r.get("predict_samples_per_s", {})
        cells = [r["model"], *([str(r["train_threads"])] if several else []),
                 fmt(r.get("accuracy"), ".4f"), fmt(r.get("train_s"), ".1f"),
                 fmt(r.get("train_samples_per_s"), ",.0f"),
                 *[fmt(speeds.get(str(t)), ",.0f") for t in args.predict_threads],
                 fmt(r.get("epochs"), "d"), "; ".join(n for n in note if n)]
        lines.append("| " + " | ".join(cells) + " |")
    for name, value in REFERENCES.get(meta["key"], []):
        dashes = ["—"] * (len(columns) - 3 - (1 if several else 0))
        lines.append("| " + " | ".join([name, *(["—"] if several else []), f"{value:.4f}", *dashes, "reference"])
                     + " |")
    return "\n".join(head + lines)


def machine() -> dict:
    def version(package: str) -> str | None:
        try:
            return importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            return None

    cpu = platform.processor() or "?"
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return {"cpus": os.cpu_count(), "cpu": cpu, "platform": platform.platform(), "python": platform.python_version(),
            "torch": version("torch"), "trainwright": version("trainwright"), "scikit-learn": version("scikit-learn"),
            "fasttext": version("fasttext-numpy2-wheel") or version("fasttext-wheel") or version("fasttext"),
            "date": time.strftime("%Y-%m-%d %H:%M")}


def parse_settings(items: list[str]) -> dict:
    import yaml

    settings: dict = {}
    for item in items:
        key, value = item.split("=", 1)
        section, name = key.split(".", 1)
        settings.setdefault(section, {})[name] = yaml.safe_load(value)
    return settings


def parse_args(argv=None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog="\n".join(__doc__.splitlines()[2:]))
    ap.add_argument("--datasets", nargs="+", choices=list(DATASETS), default=list(DATASETS))
    ap.add_argument("--models", nargs="*", default=MODELS, metavar="NAME",
                    help="trainwright model names (default: " + " ".join(MODELS) + "); none: only the baselines")
    ap.add_argument("--baselines", nargs="*", choices=list(BASELINES), default=["tfidf", "fasttext"],
                    help="baselines to run (default: tfidf fasttext); none: only trainwright")
    ap.add_argument("--threads", type=int, default=2, help="training threads (default 2)")
    ap.add_argument("--train-threads", type=int, nargs="+", metavar="N",
                    help="train every row at each of these thread counts, e.g. 1 2 (default: --threads)")
    ap.add_argument("--predict-threads", type=int, nargs="+", default=[1, 2], metavar="N",
                    help="thread counts the prediction speed is measured at (default 1 2)")
    ap.add_argument("--limit", type=int, help="cap the training rows (a random sample, seed 0), for smoke runs")
    ap.add_argument("--pretrained-rows", type=int,
                    help="cap the training rows of the pretrained model (default: all), shown in the table")
    ap.add_argument("--pretrained-model", help="model.pretrained for the pretrained model (default: trainwright's)")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE",
                    help="a trainwright setting for every trainwright model (YAML value), e.g. train.time_limit=600")
    ap.add_argument("--seeds", type=int, default=1,
                    help="train each row with seeds 0 .. N-1 and show the mean test accuracy (default 1: one run)")
    ap.add_argument("--seed", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--timeout", type=float, help="seconds one row may take before it is stopped (default none)")
    ap.add_argument("--work", help="keep data splits, models and logs here (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="write every figure to this file")
    ap.add_argument("--one", nargs=2, metavar=("MODEL", "DATASET"), help=argparse.SUPPRESS)
    ap.add_argument("--predict-one", nargs=2, metavar=("MODEL_DIR", "DATASET"), help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    for name in ("threads", "limit", "pretrained_rows", "seeds"):
        if getattr(a, name) is not None and getattr(a, name) < 1:
            ap.error(f"--{name.replace('_', '-')} must be >= 1")
    if any(t < 1 for t in [*(a.train_threads or []), *a.predict_threads]):
        ap.error("thread counts must be >= 1")
    for item in a.set:
        if "=" not in item or "." not in item.split("=", 1)[0]:
            ap.error(f"--set {item}: expected SECTION.KEY=VALUE, e.g. train.epochs=20")
    return a


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.one or args.predict_one:
        child_main(args)
        return 0
    host = machine()
    print(f"Machine: {host['cpus']} CPUs ({host['cpu']}), {host['platform']}, Python {host['python']}, "
          f"torch {host['torch']}, trainwright {host['trainwright']}, scikit-learn {host['scikit-learn']}, "
          f"fasttext {host['fasttext'] or 'not installed'}; {host['date']}")
    train_threads = args.train_threads or [args.threads]
    if max([*train_threads, *args.predict_threads]) > (host["cpus"] or 1):
        print(f"warning: more threads than the {host['cpus']} CPUs of this machine", file=sys.stderr)
    missing = [p for p in (DATA / "sst2", DATA / "trec", DATA / "waimai_10k.csv") if not p.exists()]
    if missing:
        print(f"text_models: error: data not found: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    models = [*args.models, *[f"baseline:{b}" for b in args.baselines]]
    temporary = None if args.work else tempfile.TemporaryDirectory(prefix="text_models-")
    work = Path(args.work or temporary.name).resolve()
    results, tables = [], []
    try:
        for key in args.datasets:
            meta = prepare(key, work, args.limit, args.pretrained_rows)
            rows = [run_seeds(model, meta, t, args, work) for t in train_threads for model in models]
            results += rows
            tables.append(table(meta, rows, args))
            print("\n" + tables[-1], flush=True)
    finally:
        if temporary is not None:
            temporary.cleanup()
            for r in results:
                r.pop("model_dir", None)  # deleted with the temporary folder
    for r in results:
        if r["status"] == "failed":
            print(f"\n{r['dataset']} {r['model']} (train threads {r['train_threads']}) FAILED:\n{r['error']}")
        elif r["status"] == "skipped":
            print(f"\nnote: {r['dataset']} {r['model']} skipped: {r['note']}")
        if r.get("predict_error"):
            print(f"\n{r['dataset']} {r['model']}: prediction timing failed: {r['predict_error']}")
    if args.json:
        summary = {"benchmark": "text_models", "machine": host, "train_threads": train_threads,
                   "predict_threads": args.predict_threads, "limit": args.limit,
                   "pretrained_rows": args.pretrained_rows, "settings": parse_settings(args.set),
                   "references": REFERENCES, "results": results}
        args.json.write_text(json.dumps(summary, indent=1) + "\n")
        print(f"\n(all figures: {args.json})")
    return 1 if any(r["status"] == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
