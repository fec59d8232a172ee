"""YouTube comments (and their replies) on one video or across one channel, through the Data API v3."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from pydantic import SecretStr, model_validator

from collectors._text import clip, html_to_text, parse_time, short
from collectors.base import Collector, Page, Params, Watermark
from collectors.errors import AccessDenied, ParseError, RateLimited
from collectors.http import Fetched
from storage import MentionIn, MentionKind

MAX_PAGES = 20  # 100 threads a page at 1 quota unit each, of 10,000 a day
_QUOTA_REASONS = {"quotaExceeded", "rateLimitExceeded", "dailyLimitExceeded", "userRateLimitExceeded"}


class YouTubeParams(Params):
    base_url: str = "https://www.googleapis.com"
    video_id: str | None = None
    channel_id: str | None = None
    api_key: SecretStr

    @model_validator(mode="after")
    def _video_or_channel(self) -> YouTubeParams:
        if bool(self.video_id) == bool(self.channel_id):
            raise ValueError("give either video_id or channel_id")
        return self


def comment_to_mention(comment: dict[str, Any]) -> MentionIn:
    """The normalized item of one `youtube#comment`; `textDisplay` HTML becomes text with links kept."""
    snippet = comment.get("snippet") or {}
    if not comment.get("id"):
        raise ParseError("YouTube comment without an id")
    html = snippet.get("textDisplay")
    text = html_to_text(html) if html else str(snippet.get("textOriginal") or "")
    video = snippet.get("videoId")
    return MentionIn(
        external_id=str(comment["id"]), kind=MentionKind.comment,
        url=f"https://www.youtube.com/watch?v={video}&lc={comment['id']}" if video else None,
        author_name=short(snippet.get("authorDisplayName")),
        author_handle=short((snippet.get("authorChannelId") or {}).get("value")),
        text=clip(text), original=html or snippet.get("textOriginal"), published_at=parse_time(snippet.get("publishedAt")),
        tags=["youtube"] + ([f"video:{video}"] if video else []),
    )


def parse_threads(data: Any) -> tuple[list[MentionIn], str | None]:
    """Top-level comments and the replies that come with them, and the next page token."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        raise ParseError("YouTube reply has no `items` list")
    items: list[MentionIn] = []
    for thread in data["items"]:
        snippet = (thread or {}).get("snippet") or {}
        top = snippet.get("topLevelComment")
        if isinstance(top, dict):
            items.append(comment_to_mention(top))
        for reply in ((thread or {}).get("replies") or {}).get("comments") or []:
            items.append(comment_to_mention(reply))
    token = data.get("nextPageToken")
    return items, str(token) if token else None


def _raise_for_api_error(fetched: Fetched) -> None:
    if fetched.status != 403:
        return
    try:
        errors = fetched.json().get("error", {}).get("errors", [])
    except (ParseError, AttributeError):
        errors = []
    if any(isinstance(e, dict) and e.get("reason") in _QUOTA_REASONS for e in errors):
        raise RateLimited("YouTube API quota used up for today")
    raise AccessDenied("YouTube refused the API key (403)")


class YouTube(Collector):
    """YouTube comments on a video or channel (video_id or channel_id, api_key)."""

    kind = "youtube"
    Params = YouTubeParams
    params: YouTubeParams
    example = {"video_id": "dQw4w9WgXcQ", "api_key": "AIza..."}
    obeys_robots = False

    async def pages(self, state: dict[str, Any]) -> AsyncIterator[Page]:
        p = self.params
        scope = {"videoId": p.video_id} if p.video_id else {"allThreadsRelatedToChannelId": str(p.channel_id)}
        # The key goes in a header, not the query string, so it never lands in URLs or logs.
        headers = {"X-Goog-Api-Key": p.secret("api_key")}
        mark, token = Watermark(state), None
        seen: set[str] = set()
        for number in range(1, MAX_PAGES + 1):
            query = {"part": "snippet,replies", "maxResults": "100", "order": "time", "textFormat": "html", **scope}
            query |= {"pageToken": token} if token else {}
            fetched = await self.get(f"{p.base_url}/youtube/v3/commentThreads", params=query, headers=headers,
                                     accept=frozenset({403}))
            _raise_for_api_error(fetched)
            items, token = parse_threads(fetched.json())
            fresh = [item for item in items if item.external_id not in seen]
            seen.update(item.external_id for item in items)
            finished = mark.see(items) or token is None or not fresh or number == MAX_PAGES
            yield Page(fresh, mark.cursor(finished=finished))
            if finished:
                return
