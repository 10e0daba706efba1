"""Start the School OT Assistant web app on its embedded defaults (127.0.0.1:7860)."""

import sys

from assistant.embeddings import force_offline
from assistant.errors import AssistantError
from assistant.services import build_services
from assistant.settings import Settings


def main() -> int:
    force_offline()
    try:
        settings = Settings()
        services = build_services(settings, show_progress=sys.stderr.isatty())
    except AssistantError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    from assistant import ui

    services.embedder.load()  # load once at start, so the first click is as fast as the rest
    services.searcher.search("warm up the search")

    print(f"School OT Assistant on http://{settings.host}:{settings.port}", file=sys.stderr)
    demo = ui.build(services).queue(default_concurrency_limit=2, max_size=64)
    demo.launch(server_name=settings.host, server_port=settings.port, share=False, theme=ui.theme(), css=ui.CSS,
                show_error=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
