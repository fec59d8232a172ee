"""Storage: the tables, the database, and the one ingest path every collector and importer uses.

The ground floor of Advocado: it imports nothing else of ours. Other packages use what is named here.
"""

from storage.brands import (
    add_brand,
    add_competitor,
    add_source,
    competitors_of,
    get_brand,
    get_or_add_source,
    get_source,
    list_brands,
)
from storage.db import Database
from storage.erase import erase_author, erase_mention
from storage.errors import AlreadyExists, DatabaseLocked, InvalidItem, NotFound, StorageError
from storage.ingest import IngestResult, ingest
from storage.items import MAX_TEXT_CHARS, MentionIn, content_key
from storage.listing import ListedMention, MentionFilter, MentionPage, Overview, list_mentions, overview
from storage.models import (
    ApiToken,
    Brand,
    Competitor,
    DisplayStatus,
    Mention,
    MentionKind,
    SentimentScore,
    Source,
    Tombstone,
)
from storage.moderation import moderate
from storage.public import (  # noqa: F401  (registers the public-face tables)
    CampaignCustomer,
    NpsResponse,
    NpsSurvey,
    PublicSecret,
    ReviewRequest,
    TestimonialConsent,
    TestimonialForm,
    Widget,
)
from storage.queries import MentionRecord, count_mentions, iter_mentions
from storage.tokens import TOKEN_PREFIX, any_live_token, create_token, list_tokens, revoke_token, verify_token
from storage.types import utcnow

__all__ = [
    "MAX_TEXT_CHARS", "TOKEN_PREFIX", "AlreadyExists", "ApiToken", "Brand", "Competitor", "Database", "DatabaseLocked",
    "DisplayStatus", "IngestResult", "InvalidItem", "Mention", "MentionIn", "MentionKind",
    "MentionRecord", "NotFound", "SentimentScore", "Source", "StorageError", "Tombstone",
    "add_brand", "add_competitor", "add_source", "competitors_of", "content_key", "count_mentions",
    "erase_author", "erase_mention", "get_brand", "get_or_add_source", "get_source", "ingest",
    "iter_mentions", "list_brands", "utcnow", "any_live_token", "create_token", "list_tokens",
    "revoke_token", "verify_token",
    "ListedMention", "MentionFilter", "MentionPage", "Overview", "list_mentions", "moderate", "overview",
]
