"""The demo: invented sample reviews, clearly marked, loaded through the same path as a real import."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from collectors.files import read_file
from storage import AlreadyExists, Database, NotFound, add_brand, get_brand, get_or_add_source, ingest

DEMO_BRAND = "Acme Analytics (demo)"
DEMO_FILE = Path(__file__).with_name("reviews.jsonl")


@dataclass(frozen=True)
class DemoLoaded:
    brand: str
    read: int
    new: int


def load_demo(db: Database) -> DemoLoaded:
    """Create the demo brand (once) and import the sample reviews; running it again adds nothing."""
    items = [imported.item for imported in read_file(DEMO_FILE)]
    with db.write() as session:
        try:
            brand = get_brand(session, DEMO_BRAND)
        except NotFound:
            try:
                brand = add_brand(session, DEMO_BRAND, aliases=["Acme", "Acme Analytics"],
                                  domains=["acme-analytics.example"], competitors=["Globex", "Initech"])
            except AlreadyExists:  # created by a concurrent demo run
                brand = get_brand(session, DEMO_BRAND)
        source_id = get_or_add_source(session, brand, "import", "demo sample").id
    assert source_id is not None
    result = ingest(db, source_id, items)
    return DemoLoaded(DEMO_BRAND, len(items), result.new)
