"""The NPS survey: score then one follow-up; detractors flagged, promoters invited to the first-party form only."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import select
from typer.testing import CliRunner

from advocado.cli import app
from advocado.context import database
from storage import DisplayStatus, Mention, add_brand, moderate
from storage.public import NpsResponse, survey_for_brand
from tests.widgets.conftest import Shop
from tests.widgets.test_form import Clock

SAME = {"Sec-Fetch-Site": "same-origin"}


@pytest.fixture
def survey_id(shop: Shop) -> str:
    with shop.db.write() as session:
        return survey_for_brand(session, shop.brand_id).public_id


@pytest.fixture
def clock(client: TestClient) -> Clock:
    clock = Clock()
    client.app.state.form_guards.stamp.clock = clock  # type: ignore[attr-defined]
    client.app.state.form_guards.per_network.clock = clock  # type: ignore[attr-defined]
    return clock


def _answer(client: TestClient, survey_id: str, clock: Clock, score: str, comment: str, **extra: str) -> str:
    page = client.get(f"/s/{survey_id}")
    assert "How likely are you to recommend Acme" in page.text
    stamp = re.search(r'name="stamp" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
    clock.now += 10
    step = client.post(f"/s/{survey_id}", data={"stamp": stamp, "score": score, "website": ""} | extra, headers=SAME)
    if 'name="response"' not in step.text:
        return step.text
    assert "What is the main reason for your score?" in step.text
    fields = dict(re.findall(r'name="(response|signature)" value="([^"]+)"', step.text))
    return client.post(f"/s/{survey_id}/follow-up", data=fields | {"comment": comment}, headers=SAME).text


def test_detractor_is_flagged_and_not_invited_anywhere(client: TestClient, shop: Shop, survey_id: str, clock: Clock) -> None:
    done = _answer(client, survey_id, clock, "3", "Billing was wrong twice.")
    assert "will read your answer personally" in done and "/t/" not in done and "http" not in done.split("<main>")[1]
    with shop.db.read() as session:
        response = session.exec(select(NpsResponse)).one()
        mention = session.exec(select(Mention).where(Mention.external_id == response.ref)).one()
    assert (response.score, response.category, response.needs_follow_up, response.comment) == (3, "detractor", True, "Billing was wrong twice.")
    assert (mention.kind, mention.status, mention.tags) == ("survey_answer", "pending", ["nps:detractor", "nps-score:3"])


def test_promoter_is_invited_to_the_first_party_form_only(client: TestClient, shop: Shop, survey_id: str, clock: Clock) -> None:
    done = _answer(client, survey_id, clock, "10", "Great support.")
    invite = re.search(r'<p id="invite">.*?</p>', done, re.DOTALL).group(0)  # type: ignore[union-attr]
    assert re.search(r'href="/t/[\w-]+"', invite) and "google" not in done.lower() and "trustpilot" not in done.lower()
    form = re.search(r'href="(/t/[\w-]+)"', invite).group(1)  # type: ignore[union-attr]
    assert client.get(form).status_code == 200
    passive = _answer(client, survey_id, clock, "8", "")
    assert 'id="invite"' not in passive


def test_survey_answers_never_reach_a_widget(client: TestClient, shop: Shop, survey_id: str, clock: Clock) -> None:
    _answer(client, survey_id, clock, "10", "A private survey answer.")
    with shop.db.write() as session:
        moderate(session, [m.id or 0 for m in session.exec(select(Mention))], status=DisplayStatus.approved)
    assert "private survey answer" not in client.get(f"/w/{shop.widget(kind='wall', size=50)}.json").text


def test_bad_score_forged_signature_and_bots(client: TestClient, shop: Shop, survey_id: str, clock: Clock) -> None:
    assert "Choose a score from 0 to 10." in _answer(client, survey_id, clock, "11", "x")
    assert "Thank you for your answer." in _answer(client, survey_id, clock, "9", "x", website="spam")
    forged = client.post(f"/s/{survey_id}/follow-up", data={"response": "nps_x", "signature": "0" * 32, "comment": "x"}, headers=SAME)
    assert forged.status_code == 400
    with shop.db.read() as session:
        assert session.exec(select(NpsResponse)).all() == []


def test_cli_link_and_results(cli: CliRunner) -> None:
    with database().write() as session:
        add_brand(session, "Acme")
    link = cli.invoke(app, ["survey", "link", "--brand", "Acme"])
    assert link.exit_code == 0 and re.search(r"/s/[\w-]{12}", link.output)
    with database().write() as session:
        survey = survey_for_brand(session, 1)
        for i, score in enumerate([10, 9, 7, 2]):
            session.add(NpsResponse(ref=f"r{i}", survey_id=survey.id or 0, score=score, category=["promoter", "promoter", "passive", "detractor"][i],
                                    needs_follow_up=score <= 6, comment="slow" if score <= 6 else None, ip_hash="x"))
    results = cli.invoke(app, ["survey", "results", "--brand", "Acme"])
    assert "NPS +25 from 4 answer(s): 2 promoters, 1 passives, 1 detractors" in results.output
    assert "follow up: r3 scored 2: slow" in results.output
