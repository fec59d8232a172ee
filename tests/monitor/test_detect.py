"""Mention detection measured on a labelled set of answers written for it, plus the rules it relies on."""

from __future__ import annotations

import json
from pathlib import Path

from monitor.detect import BRAND, COMPETITOR, CONTROL, Detector, Entity, mask_links

LABELLED = Path(__file__).with_name("data") / "labelled_answers.jsonl"
THRESHOLD = 0.95


def _labelled() -> tuple[Detector, list[dict]]:
    lines = [json.loads(line) for line in LABELLED.read_text().splitlines() if line.strip()]
    spec = lines[0]["entities"]
    entities = [Entity(BRAND, spec["brand"]["name"], tuple(spec["brand"]["aliases"]))]
    entities += [Entity(COMPETITOR, c["name"], tuple(c["aliases"]), i) for i, c in enumerate(spec["competitors"], 1)]
    entities.append(Entity(CONTROL, spec["control"]))
    return Detector(entities), lines[1:]


def test_precision_and_recall_on_the_labelled_answers() -> None:
    detector, answers = _labelled()
    true_pos = false_pos = false_neg = 0
    order_right = order_total = 0
    misses: list[str] = []
    for answer in answers:
        found = detector.find(answer["text"])
        predicted = {f.entity.name for f in found if f.entity.kind != CONTROL}
        expected = set(answer["mentions"])
        true_pos += len(predicted & expected)
        false_pos += len(predicted - expected)
        false_neg += len(expected - predicted)
        if predicted != expected:
            misses.append(f"{answer['text'][:50]!r}: found {sorted(predicted)}, labelled {sorted(expected)}")
        if answer["order"] is not None:
            order_total += 1
            ranked = [f.entity.name for f in sorted(found, key=lambda f: f.position or 99) if f.position]
            order_right += ranked == answer["order"]
    precision = true_pos / (true_pos + false_pos)
    recall = true_pos / (true_pos + false_neg)
    print(f"\nmention detection on {len(answers)} labelled answers: precision {precision:.3f}, recall {recall:.3f} "
          f"(tp {true_pos}, fp {false_pos}, fn {false_neg}); positions right in {order_right}/{order_total} ranked answers")
    for miss in misses:
        print("  miss:", miss)
    assert len(answers) >= 50 and true_pos >= 70
    assert precision >= THRESHOLD and recall >= THRESHOLD
    assert order_right / order_total >= THRESHOLD


def test_longest_name_wins_and_each_entity_counts_once() -> None:
    detector = Detector([Entity(BRAND, "Acme Analytics", ("Acme",)), Entity(COMPETITOR, "Acme Analytics Pro", (), 1)])
    found = detector.find("Acme Analytics Pro beats Acme Analytics, says Acme.")
    assert [(f.entity.name, len(f.spans)) for f in found] == [("Acme Analytics Pro", 1), ("Acme Analytics", 2)]


def test_names_in_links_are_not_mentions_but_offsets_survive() -> None:
    text = "Try ([acme.com](https://acme.com/?utm_source=openai)) — Acme is good."
    masked = mask_links(text)
    assert len(masked) == len(text) and "acme.com" not in masked
    found = Detector([Entity(BRAND, "Acme")]).find(text)
    assert [text[a:b] for a, b in found[0].spans] == ["Acme"]


def test_list_order_decides_position_before_first_mention() -> None:
    detector = Detector([Entity(BRAND, "Acme"), Entity(COMPETITOR, "Globex", (), 1), Entity(COMPETITOR, "Initech", (), 2)])
    found = detector.find("Initech and Acme are both fine, but:\n1. Globex\n2. Acme")
    assert {f.entity.name: f.position for f in found} == {"Globex": 1, "Acme": 2, "Initech": 3}


def test_the_control_brand_is_found_only_when_written_and_never_ranked() -> None:
    detector = Detector([Entity(BRAND, "Acme"), Entity(CONTROL, "Quorvantix")])
    assert [f.entity.kind for f in detector.find("Acme vs Quorvantix")] == [BRAND, CONTROL]
    assert detector.find("Acme vs Quorvantix")[1].position is None
    assert [f.entity.kind for f in detector.find("Quorvantixx and quorvantix are not it; Acme is.")] == [BRAND]


def test_fuzzy_matching_is_opt_in_and_keeps_precision_on_the_labelled_set() -> None:
    exact, answers = _labelled()
    fuzzy = Detector(exact.entities, fuzzy=True)
    assert [f.entity.name for f in fuzzy.find("Initehc and Acme Analytcs beat Globe.")] == ["Initech", "Acme Analytics"]
    assert exact.find("Initehc beats Globe.") == []
    false_pos = true_pos = 0
    for answer in answers:
        predicted = {f.entity.name for f in fuzzy.find(answer["text"]) if f.entity.kind != CONTROL}
        true_pos += len(predicted & set(answer["mentions"]))
        false_pos += len(predicted - set(answer["mentions"]))
    print(f"\nfuzzy matching on the labelled answers: precision {true_pos / (true_pos + false_pos):.3f}")
    assert true_pos / (true_pos + false_pos) >= THRESHOLD
