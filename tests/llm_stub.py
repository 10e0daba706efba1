"""A loopback HTTP server speaking the OpenAI chat-completions and Ollama /api/chat APIs, for tests.

Replies are queued with .enqueue(); every request body is recorded in .requests. The real langchain
clients (ChatOpenAI, ChatOllama) talk to it over HTTP, streamed or not.
"""

import json
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """A client that timed out and hung up is expected here; stay quiet."""


class StubLLMServer:
    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.replies: deque[tuple[str, float]] = deque()
        self.requests: list[dict] = []
        self.server = _QuietServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}" + ("/v1" if self.kind == "openai" else "")

    def enqueue(self, content: str, delay: float = 0.0) -> "StubLLMServer":
        self.replies.append((content, delay))
        return self

    def __enter__(self) -> "StubLLMServer":
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()

    def _next(self) -> tuple[str, float]:
        return self.replies.popleft() if self.replies else ("ok", 0.0)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                stub.requests.append({"path": self.path, "body": body})
                content, delay = stub._next()
                time.sleep(delay)
                streaming = bool(body.get("stream"))
                if self.path.endswith("/chat/completions"):
                    self._openai(body, content, streaming)
                elif self.path.endswith("/api/chat"):
                    self._ollama(body, content, streaming)
                else:
                    self.send_error(404)

            def _send(self, payload: bytes, content_type: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def _openai(self, body: dict, content: str, streaming: bool) -> None:
                base = {"id": "stub-1", "created": 0, "model": body.get("model", "stub")}
                if not streaming:
                    message = {"role": "assistant", "content": content}
                    payload = {
                        **base,
                        "object": "chat.completion",
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
                    }
                    return self._send(json.dumps(payload).encode(), "application/json")
                events = [
                    {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [
                            {"index": 0, "delta": {"role": "assistant", "content": word}, "finish_reason": None}
                        ],
                    }
                    for word in _tokens(content)
                ]
                events.append(
                    {
                        **base,
                        "object": "chat.completion.chunk",
                        "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
                    }
                )
                data = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
                self._send(data.encode(), "text/event-stream")

            def _ollama(self, body: dict, content: str, streaming: bool) -> None:
                base = {"model": body.get("model", "stub"), "created_at": "2026-01-01T00:00:00Z"}
                final = {
                    **base,
                    "message": {"role": "assistant", "content": ""},
                    "done": True,
                    "done_reason": "stop",
                    "total_duration": 1,
                    "load_duration": 1,
                    "prompt_eval_count": 1,
                    "prompt_eval_duration": 1,
                    "eval_count": 1,
                    "eval_duration": 1,
                }
                if not streaming:
                    payload = {**final, "message": {"role": "assistant", "content": content}}
                    return self._send(json.dumps(payload).encode(), "application/json")
                lines = [
                    {**base, "message": {"role": "assistant", "content": word}, "done": False}
                    for word in _tokens(content)
                ] + [final]
                self._send("".join(json.dumps(line) + "\n" for line in lines).encode(), "application/x-ndjson")

        return Handler


def _tokens(content: str) -> list[str]:
    words = content.split(" ")
    return [w + (" " if i < len(words) - 1 else "") for i, w in enumerate(words)] or [""]
