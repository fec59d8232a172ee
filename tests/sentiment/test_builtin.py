"""The built-in model: packaged encoder plus committed adapter, loaded offline; and the training script."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from safetensors.torch import load_file

from sentiment import BUILTIN_ID, load_model, score_texts
from sentiment.minilm import WEIGHTS
from sentiment.train import DEV_FILES, SST2, TRAIN_FILES, main

pytestmark = pytest.mark.slow


def test_the_committed_weights_are_small_and_hold_only_trained_tensors() -> None:
    assert WEIGHTS.stat().st_size < 10 * 1024 * 1024
    tensors = load_file(str(WEIGHTS))
    assert "encoder.embeddings.word_embeddings.weight" not in tensors
    assert any(key.endswith(".lora_A") for key in tensors)
    assert tensors["classifier.weight"].shape == (3, 384)


def test_the_builtin_model_loads_offline_and_gets_plain_cases_right(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    model = load_model(BUILTIN_ID, threads=2)
    assert model.model_id == BUILTIN_ID and model.version.startswith("1+")
    texts = [
        "Absolutely love it, the best purchase I have made this year.",
        "Terrible. It broke after two days and support never answered.",
        "",
    ]
    scores = score_texts(texts, model)
    assert [score.label for score in scores] == ["positive", "negative", "neutral"]
    assert score_texts(texts) == scores


def test_quantized_builtin_model_agrees_on_plain_cases() -> None:
    model = load_model(BUILTIN_ID, quantize_int8=True, threads=2)
    assert model.version.endswith("+int8")
    scores = score_texts(["I love this app, it is wonderful.", "Worst service ever, a total waste of money."], model)
    assert [s.label for s in scores] == ["positive", "negative"]


def test_training_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    rows = "text\tlabel\n" + "".join(
        f"{adjective} product number {i}\t{label}\n"
        for i in range(8)
        for adjective, label in (("great", "positive"), ("awful", "negative"), ("an ordinary", "neutral"))
    )
    for name, _ in TRAIN_FILES:
        (data / name).write_text(rows)
    (data / SST2).write_text(rows)
    (data / DEV_FILES[-1]).write_text(rows)
    args = ["--data", str(data), "--limit", "48", "--batch-size", "16", "--sst2-examples", "8", "--threads", "1"]
    main([*args, "--out", str(tmp_path / "one")])
    main([*args, "--out", str(tmp_path / "two")])
    assert (tmp_path / "one" / "advocado-minilm.safetensors").read_bytes() == (tmp_path / "two" / "advocado-minilm.safetensors").read_bytes()
    metrics = json.loads((tmp_path / "one" / "metrics.json").read_text())
    assert metrics["train_examples"] == 48
    assert set(metrics["dev"]) == {DEV_FILES[-1]}
