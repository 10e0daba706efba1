"""Start the School OT Assistant web app on its embedded defaults (127.0.0.1:7860)."""

import sys

from assistant.embeddings import force_offline
from assistant.errors import AssistantError


def main() -> int:
    force_offline()
    from assistant.audit import AuditLog
    from assistant.server import check_bind, serve
    from assistant.services import build_services
    from assistant.settings import Settings

    try:
        settings = Settings()
        check_bind(settings)  # before the slow part: a refused address is reported at once
        audit = AuditLog(settings)  # before the slow part too: a bad audit path is one line at once
        services = build_services(settings, show_progress=sys.stderr.isatty(), on_notice=_notice)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    services.embedder.load()  # load once at start, so the first click is as fast as the rest
    services.searcher.search("warm up the search")
    services = services._replace(audit=audit)
    print(f"School OT Assistant on http://{settings.host}:{settings.port}", file=sys.stderr)
    try:
        serve(services)
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        services.audit.close()
    return 0


def _notice(message: str) -> None:
    print(message, file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
