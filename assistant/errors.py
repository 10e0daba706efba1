"""Errors that end in a one-line message for the user, never a traceback."""


class AssistantError(Exception):
    """A problem the user can fix; its message is one line naming the cause."""


class CorpusError(AssistantError):
    """A corpus file or record is missing or invalid."""


class ConfigError(AssistantError):
    """A setting points at something that is not there."""


class IndexUnavailable(AssistantError):
    """The vector store cannot be reached or read."""


class InputError(AssistantError):
    """The user's input is empty, too long or malformed."""


def one_line(exc: BaseException, limit: int = 200) -> str:
    """The first line of an exception's message (or its class name), for a one-line error."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:limit]
