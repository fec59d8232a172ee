"""The storage error tree: callers decide what to do from the class, never from the message."""


class StorageError(Exception):
    """Anything the storage layer refuses or cannot do."""


class DatabaseLocked(StorageError):
    """Another writer held the database longer than the busy timeout."""


class NotFound(StorageError):
    """A brand, source or mention that the caller named does not exist."""


class AlreadyExists(StorageError):
    """A brand or competitor with that name is already there."""


class InvalidItem(StorageError):
    """An item handed to ingest breaks the mention rules (rating 1-5, text size, ...)."""
