"""Benchmark: the default sentiment model's batch scoring against a naive one-text-at-a-time
`transformers.pipeline` loop over the same network, in the same run.

    python bench/sentiment.py [--n 5000] [--threads 2] [--quantize] [--data ../shared/datasets/sentiment]

Texts are review-length: three consecutive review sentences from the CR and MR files joined
together (or templated sentences when the data directory is absent). Prints texts/s, tokens/s,
the speed ratio, label agreement and peak resident memory after each phase.
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# This script shares its name with the package it measures: import the package, not this file.
sys.path[:] = [str(ROOT), *(p for p in sys.path if Path(p or ".").resolve() != ROOT / "bench")]

import torch  # noqa: E402
from transformers import pipeline  # noqa: E402

from sentiment import BUILTIN_ID, load_model, score_texts  # noqa: E402
from sentiment.model import quiet_transformers  # noqa: E402
from sentiment.scoring import windows  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets" / "sentiment"
FILES = ("cr_train.tsv", "mr_train.tsv", "cr_dev.tsv", "mr_dev.tsv")


def review_texts(n: int, data: Path, seed: int = 7) -> list[str]:
    """`n` review-length texts of three sentences each."""
    rng = random.Random(seed)
    sentences: list[str] = []
    for name in FILES:
        if (data / name).is_file():
            sentences += [line.rpartition("\t")[0] for line in (data / name).read_text().splitlines()[1:]]
    if not sentences:
        subjects = ["The battery", "Support", "The screen", "Delivery", "The app", "The price"]
        verdicts = ["is excellent", "was a letdown", "works as described", "broke within a week", "is fine"]
        sentences = [f"{s} {v}, at least in my experience so far." for s in subjects for v in verdicts]
    texts = []
    for _ in range(n):
        start = rng.randrange(len(sentences) - 3)
        texts.append(" ".join(sentences[start:start + 3]))
    return texts


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--quantize", action="store_true")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()

    model = load_model(BUILTIN_ID, quantize_int8=args.quantize, threads=args.threads)
    texts = review_texts(args.n, args.data)
    tokens = sum(len(ids) for text in texts for ids in windows(model, text))
    print(f"{args.n} texts, {tokens / args.n:.1f} tokens each on average, {torch.get_num_threads()} threads, "
          f"model {model.model_id} {model.version}")
    print(f"peak memory after loading: {peak_mib():.0f} MiB")

    started = time.perf_counter()
    batched = score_texts(texts, model, batch_size=args.batch_size)
    fast = time.perf_counter() - started
    print(f"advocado batch scoring: {args.n / fast:8.1f} texts/s {tokens / fast:9.0f} tokens/s "
          f"({fast:.1f} s), peak memory {peak_mib():.0f} MiB")

    network = model.network
    with quiet_transformers():
        extractor = pipeline("feature-extraction", model=network.encoder, tokenizer=model.tokenizer, device="cpu")
    labels = ("negative", "neutral", "positive")
    naive: list[str] = []
    started = time.perf_counter()
    with torch.inference_mode():
        for text in texts:
            hidden = torch.tensor(extractor(text, truncation=True, max_length=model.max_tokens)[0])
            probabilities = torch.softmax(network.classifier(hidden.mean(dim=0)), dim=-1)
            naive.append(labels[int(probabilities.argmax())])
    slow = time.perf_counter() - started
    print(f"naive pipeline loop:    {args.n / slow:8.1f} texts/s {tokens / slow:9.0f} tokens/s "
          f"({slow:.1f} s), peak memory {peak_mib():.0f} MiB")
    agreement = sum(a.label == b for a, b in zip(batched, naive)) / args.n
    print(f"ratio: {slow / fast:.2f}x faster; labels agree on {agreement:.1%} of texts")


if __name__ == "__main__":
    main()
