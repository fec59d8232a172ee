"""Scoring with tiny local models: offline loading, label mapping, batching, windows, odd inputs."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
import torch

from sentiment import LabelMappingError, ModelNotFound, load_model, score_texts
from sentiment.scoring import EMPTY_SCORE, MAX_WINDOWS, windows

ThreeLabels = ["negative", "neutral", "positive"]
TEXTS = ["good", "the service was awful", "it is fine okay", "love this product very very much", "not great", "a"]


def test_a_local_model_loads_offline(tiny_models: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    path = tiny_models(ThreeLabels)
    model = load_model(str(path))
    assert model.model_id == str(path)
    assert model.class_sentiments == ThreeLabels
    assert model.source == str(path.resolve())


def test_a_missing_model_is_a_model_not_found_error_offline(tmp_path: Path) -> None:
    with pytest.raises(ModelNotFound, match="cannot load sentiment model"):
        load_model("no-such-org/no-such-model")
    with pytest.raises(ModelNotFound):
        load_model(str(tmp_path))


def test_star_model_probabilities_are_summed_into_three_sentiments(tiny_models: Callable[..., Path]) -> None:
    path = tiny_models(["1 star", "2 stars", "3 stars", "4 stars", "5 stars"])
    model = load_model(str(path))
    [score] = score_texts(["love this product"], model)
    encoded = model.tokenizer("love this product", return_tensors="pt")
    with torch.inference_mode():
        stars = torch.softmax(model.network(**encoded).logits, dim=-1)[0].tolist()
    assert score.probabilities["negative"] == pytest.approx(stars[0] + stars[1], abs=1e-5)
    assert score.probabilities["neutral"] == pytest.approx(stars[2], abs=1e-5)
    assert score.probabilities["positive"] == pytest.approx(stars[3] + stars[4], abs=1e-5)
    assert score.label == max(score.probabilities, key=score.probabilities.__getitem__)


def test_generic_labels_need_the_configured_mapping(tiny_models: Callable[..., Path]) -> None:
    path = tiny_models(["LABEL_0", "LABEL_1"])
    with pytest.raises(LabelMappingError):
        load_model(str(path))
    model = load_model(str(path), labels={"LABEL_0": "negative", "LABEL_1": "positive"})
    [score] = score_texts(["good"], model)
    assert score.probabilities["neutral"] == 0.0
    assert score.probabilities["negative"] + score.probabilities["positive"] == pytest.approx(1.0, abs=1e-5)


def test_the_version_changes_with_the_label_mapping_and_quantization(tiny_models: Callable[..., Path]) -> None:
    path = tiny_models(["LABEL_0", "LABEL_1"])
    straight = load_model(str(path), labels={"LABEL_0": "negative", "LABEL_1": "positive"})
    swapped = load_model(str(path), labels={"LABEL_0": "positive", "LABEL_1": "negative"})
    quantized = load_model(str(path), labels={"LABEL_0": "negative", "LABEL_1": "positive"}, quantize_int8=True)
    assert straight.version != swapped.version
    assert quantized.version == straight.version + "+int8"
    assert quantized.parameters == straight.parameters
    assert score_texts(["good"], quantized)[0].probabilities != score_texts(["good"], straight)[0].probabilities


def test_batches_give_the_same_scores_as_one_at_a_time(tiny_models: Callable[..., Path]) -> None:
    model = load_model(str(tiny_models(ThreeLabels)))
    together = score_texts(TEXTS, model, batch_size=4)
    for text, batched in zip(TEXTS, together):
        [alone] = score_texts([text], model)
        assert alone.label == batched.label
        for label, value in alone.probabilities.items():
            assert batched.probabilities[label] == pytest.approx(value, abs=1e-5)


def test_a_long_text_is_split_into_windows_and_averaged_by_length(tiny_models: Callable[..., Path]) -> None:
    model = load_model(str(tiny_models(ThreeLabels, max_positions=32)))
    long_text = " ".join(["good product"] * 40 + ["awful service"] * 40)
    parts = windows(model, long_text)
    assert len(parts) > 2
    assert all(len(ids) <= model.max_tokens for ids in parts)
    assert all(ids[0] == model.tokenizer.cls_token_id and ids[-1] == model.tokenizer.sep_token_id for ids in parts)

    [score] = score_texts([long_text], model)
    with torch.inference_mode():
        per_window = [torch.softmax(model.network(input_ids=torch.tensor([ids])).logits, dim=-1)[0] for ids in parts]
    weights = torch.tensor([float(len(ids)) for ids in parts])
    expected = (torch.stack(per_window) * weights.unsqueeze(1)).sum(0) / weights.sum()
    assert [score.probabilities[s] for s in ThreeLabels] == pytest.approx(expected.tolist(), abs=1e-5)


def test_empty_whitespace_and_non_text_inputs_are_handled(tiny_models: Callable[..., Path]) -> None:
    model = load_model(str(tiny_models(ThreeLabels)))
    scores = score_texts(["", "   \n\t", None, b"good", 42, "😀😀🎉", "good"], model)
    assert scores[0] == scores[1] == scores[2] == EMPTY_SCORE
    assert scores[3] == scores[6]
    for score in scores[4:6]:
        assert sum(score.probabilities.values()) == pytest.approx(1.0, abs=1e-4)


def test_a_ten_megabyte_text_is_scored_quickly_with_bounded_windows(tiny_models: Callable[..., Path]) -> None:
    model = load_model(str(tiny_models(ThreeLabels)))
    huge = ("the service was awful " * 500_000)[:10_000_000]
    started = time.monotonic()
    assert len(windows(model, huge)) == MAX_WINDOWS
    [score] = score_texts([huge], model)
    assert time.monotonic() - started < 10
    assert sum(score.probabilities.values()) == pytest.approx(1.0, abs=1e-4)
