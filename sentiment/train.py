"""Fine-tune the built-in model: `python -m sentiment.train --data DIR --out DIR`.

Trains a LoRA adapter on every linear layer of the packaged all-MiniLM-L6-v2 encoder, plus its
LayerNorms, biases and a mean-pooling 3-class head, on the labelled TSV files in DIR. Writes
`advocado-minilm.safetensors` (only the trained tensors) and `metrics.json` (dev scores) to OUT.
Deterministic for a given seed and thread count.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import save_file
from torch import nn

from sentiment.data import Example, read_labelled
from sentiment.lora import adapter_state, add_adapters
from sentiment.metrics import classification_report
from sentiment.minilm import BASE_PACKAGE, LABELS, MeanPoolClassifier, load_encoder

# (file, times each example is used). Tweets are repeated: they are the only social text and hold
# a third of the neutral examples.
TRAIN_FILES = (("sst5_train.tsv", 1), ("cr_train.tsv", 1), ("mr_train.tsv", 1), ("tweeteval_train.tsv", 3))
DEV_FILES = ("cr_dev.tsv", "mr_dev.tsv", "tweeteval_dev.tsv")
SST2 = "sst2_train.tsv"


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m sentiment.train", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True, help="directory with the *_train.tsv and *_dev.tsv files")
    parser.add_argument("--out", type=Path, required=True, help="directory for the weights and metrics.json")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--max-length", type=int, default=96)
    parser.add_argument("--lr", type=float, default=6e-4, help="learning rate of the adapter and head")
    parser.add_argument("--lora-rank", type=int, default=16)
    parser.add_argument("--lora-alpha", type=float, default=32.0)
    parser.add_argument("--neutral-weight", type=float, default=1.5, help="loss weight of the neutral class")
    parser.add_argument("--sst2-examples", type=int, default=10000, help="SST-2 phrases sampled (of 5+ words)")
    parser.add_argument("--threads", type=int, default=None, help="torch threads; default: torch's choice")
    parser.add_argument("--limit", type=int, default=None, help="train on at most this many examples (smoke runs)")
    return parser.parse_args(argv)


def training_set(data: Path, sst2_examples: int, rng: random.Random) -> list[Example]:
    """The training mix: every SST-5, CR, MR and (repeated) tweet example, plus sampled SST-2 phrases."""
    examples: list[Example] = []
    for name, repeats in TRAIN_FILES:
        examples += read_labelled(data / name) * repeats
    phrases = [e for e in read_labelled(data / SST2) if len(e.text.split()) >= 5]
    examples += rng.sample(phrases, min(sst2_examples, len(phrases)))
    rng.shuffle(examples)
    return examples


def length_grouped_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffled batches of similar-length examples, so little compute goes to padding."""
    order = list(range(len(lengths)))
    rng.shuffle(order)
    window = batch_size * 50
    batches = []
    for start in range(0, len(order), window):
        chunk = sorted(order[start:start + window], key=lambda i: lengths[i])
        batches += [chunk[i:i + batch_size] for i in range(0, len(chunk), batch_size)]
    rng.shuffle(batches)
    return batches


def collate(encoded: list[list[int]], indices: list[int]) -> tuple[torch.Tensor, torch.Tensor]:
    width = max(len(encoded[i]) for i in indices)
    input_ids = torch.zeros(len(indices), width, dtype=torch.long)
    attention_mask = torch.zeros(len(indices), width, dtype=torch.long)
    for row, i in enumerate(indices):
        input_ids[row, :len(encoded[i])] = torch.tensor(encoded[i])
        attention_mask[row, :len(encoded[i])] = 1
    return input_ids, attention_mask


@torch.inference_mode()
def dev_scores(model: MeanPoolClassifier, tokenizer: Any, examples: list[Example], max_length: int) -> dict[str, Any]:
    """Scores on one dev file; a file without neutral examples is judged on P(positive) vs P(negative)."""
    model.eval()
    encoded = tokenizer([e.text for e in examples], truncation=True, max_length=max_length)["input_ids"]
    order = sorted(range(len(examples)), key=lambda i: len(encoded[i]))
    probabilities: list[list[float]] = [[]] * len(examples)
    for start in range(0, len(order), 64):
        indices = order[start:start + 64]
        batch = torch.softmax(model(*collate(encoded, indices)), dim=-1).tolist()
        for i, row in zip(indices, batch):
            probabilities[i] = row
    binary = all(e.label != "neutral" for e in examples)
    predicted = []
    for row in probabilities:
        if binary:
            predicted.append("positive" if row[2] > row[0] else "negative")
        else:
            predicted.append(LABELS[max(range(3), key=row.__getitem__)])
    model.train()
    return classification_report([e.label for e in examples], predicted)


def trainable_state(model: nn.Module) -> dict[str, torch.Tensor]:
    """What training changed: adapters, LayerNorms, biases and the head; nothing the base file holds as is."""
    state = adapter_state(model)
    for name, parameter in model.named_parameters():
        if parameter.requires_grad and ".lora_" not in name:
            state[name.replace(".base.", ".")] = parameter.detach().clone().contiguous()
    return state


def train(args: argparse.Namespace) -> dict[str, Any]:
    """Run one training; returns the metrics it also writes to OUT/metrics.json."""
    random.seed(args.seed)
    torch.manual_seed(args.seed)
    if args.threads:
        torch.set_num_threads(args.threads)
    rng = random.Random(args.seed)
    examples = training_set(args.data, args.sst2_examples, rng)[: args.limit]
    dev = {name: read_labelled(args.data / name) for name in DEV_FILES if (args.data / name).is_file()}

    encoder, tokenizer = load_encoder()
    model = MeanPoolClassifier(encoder, len(LABELS))
    for parameter in model.parameters():
        parameter.requires_grad = False
    add_adapters(model.encoder, args.lora_rank, args.lora_alpha, dropout=0.05)
    for name, parameter in model.named_parameters():
        if ".lora_" in name or "LayerNorm" in name or name.endswith(".bias") or name.startswith("classifier."):
            parameter.requires_grad = True
    model.encoder.embeddings.word_embeddings.weight.requires_grad = False

    encoded = tokenizer([e.text for e in examples], truncation=True, max_length=args.max_length)["input_ids"]
    targets = torch.tensor([LABELS.index(e.label) for e in examples])
    steps_per_epoch = -(-len(examples) // args.batch_size)
    total_steps = max(1, round(steps_per_epoch * args.epochs))
    warmup = max(1, total_steps // 16)
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=args.lr, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total_steps - step) / (total_steps - warmup)))
    )
    loss_fn = nn.CrossEntropyLoss(weight=torch.tensor([1.0, args.neutral_weight, 1.0]))

    model.train()
    started = time.monotonic()
    step = 0
    while step < total_steps:
        for indices in length_grouped_batches([len(x) for x in encoded], args.batch_size, rng):
            if step >= total_steps:
                break
            loss = loss_fn(model(*collate(encoded, indices)), targets[indices])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad()
            step += 1
            if step % 100 == 0 or step == total_steps:
                rate = step * args.batch_size / (time.monotonic() - started)
                print(f"step {step}/{total_steps} loss {loss.item():.4f} {rate:.1f} examples/s", flush=True)
    train_seconds = time.monotonic() - started

    model.eval()
    metrics: dict[str, Any] = {
        "train_examples": len(examples),
        "train_seconds": round(train_seconds, 1),
        "threads": torch.get_num_threads(),
        "dev": {name: dev_scores(model, tokenizer, rows, args.max_length) for name, rows in dev.items()},
    }
    recipe = {key: (str(value) if isinstance(value, Path) else value) for key, value in vars(args).items()}
    recipe.update({"base": BASE_PACKAGE, "labels": list(LABELS), "train_files": TRAIN_FILES, "sst2_min_words": 5})
    recipe.pop("out")
    recipe.pop("data")
    args.out.mkdir(parents=True, exist_ok=True)
    save_file(
        trainable_state(model),
        str(args.out / "advocado-minilm.safetensors"),
        # One metadata key: safetensors writes several in hash order, which would change the file's bytes.
        metadata={"recipe": json.dumps(recipe, sort_keys=True)},
    )
    (args.out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n")
    return metrics


def main(argv: list[str] | None = None) -> None:
    metrics = train(parse_args(argv))
    for name, scores in metrics["dev"].items():
        neutral = scores["per_class"].get("neutral", {}).get("recall")
        print(
            f"{name}: accuracy {scores['accuracy']:.3f} macro-F1 {scores['macro_f1']:.3f} "
            f"macro-recall {scores['macro_recall']:.3f}" + (f" neutral recall {neutral:.3f}" if neutral is not None else "")
        )
    print(f"trained on {metrics['train_examples']} examples in {metrics['train_seconds']} s")


if __name__ == "__main__":
    main()
