"""The optional chat-model seam: none | ollama | openai, chosen by a setting and built in one place.

The model only ever adds wording. Its output is parsed into a pydantic object and checked by the rubric;
a failure is sent back once with the errors, and then the deterministic answer is used with a visible note.
"""

import ipaddress
import json
import re
from collections.abc import Iterator
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import urlparse

from pydantic import BaseModel, ValidationError

from assistant.errors import ConfigError
from assistant.redact import RedactionFailed
from assistant.settings import PROJECT_ROOT, Settings

PROMPTS = PROJECT_ROOT / "prompts"
DEFAULT_URLS = {"ollama": "http://127.0.0.1:11434", "openai": "http://127.0.0.1:8000/v1"}


class LLMUnavailable(Exception):
    """The model could not answer (down, slow, refused); the caller falls back to the offline answer."""


def load_prompt(name: str, **variables: str) -> str:
    """A prompt file from prompts/ with $variables filled in; a missing variable is an error."""
    path = PROMPTS / f"{name}.md"
    if not path.is_file():
        raise ConfigError(f"prompt file not found: {path}")
    try:
        return Template(path.read_text(encoding="utf-8")).substitute(variables)
    except KeyError as missing:
        raise ConfigError(f"prompt '{name}' needs the variable {missing}") from None


def is_loopback_url(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def endpoint(settings: Settings) -> str:
    """The LLM URL, refusing a remote one unless it is allowed and uses https."""
    url = settings.llm_base_url or DEFAULT_URLS[settings.llm_backend]
    if not is_loopback_url(url):
        if not settings.llm_allow_remote:
            raise ConfigError(f"the LLM at {url} is not on this machine; set SCHOOLOT_LLM_ALLOW_REMOTE=true to use it")
        if urlparse(url).scheme != "https":
            raise ConfigError(f"a remote LLM must use https, not {url}")
    return url


def build_chat_model(settings: Settings) -> Any | None:
    """The configured chat model behind redaction and output sanitizing, or None for the offline default."""
    raw = _raw_chat_model(settings)
    if raw is None:
        return None
    from assistant.privacy import GuardedModel

    url = endpoint(settings)
    redact = settings.llm_redact == "always" or not is_loopback_url(url)
    return GuardedModel(raw, redact=redact, host=urlparse(url).hostname or "")


def _raw_chat_model(settings: Settings) -> Any | None:
    match settings.llm_backend:
        case "none":
            return None
        case "ollama":
            try:
                from langchain_ollama import ChatOllama
            except ImportError:
                raise ConfigError("the ollama backend needs: pip install langchain-ollama") from None
            return ChatOllama(
                model=settings.llm_model,
                base_url=endpoint(settings),
                temperature=0.2,
                client_kwargs={"timeout": settings.llm_timeout},
            )
        case "openai":
            try:
                from langchain_openai import ChatOpenAI
            except ImportError:
                raise ConfigError("the openai backend needs: pip install langchain-openai") from None
            return ChatOpenAI(
                model=settings.llm_model,
                base_url=endpoint(settings),
                temperature=0.2,
                api_key=settings.llm_api_key.get_secret_value(),
                timeout=settings.llm_timeout,
                max_retries=0,
            )


def _messages(prompt: str, history: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    return [("system", load_prompt("system")), *(history or []), ("human", prompt)]


def ask(model: Any, prompt: str, history: list[tuple[str, str]] | None = None) -> str:
    """One reply's text; any transport failure becomes LLMUnavailable with a one-line reason."""
    try:
        return str(model.invoke(_messages(prompt, history)).content)
    except RedactionFailed as exc:
        raise LLMUnavailable(str(exc)) from None
    except Exception as exc:  # httpx, openai and ollama each raise their own types
        raise LLMUnavailable(_reason(exc)) from None


def stream(model: Any, prompt: str) -> Iterator[str]:
    """Reply tokens as they arrive."""
    try:
        for chunk in model.stream(_messages(prompt)):
            if chunk.content:
                yield str(chunk.content)
    except RedactionFailed as exc:
        raise LLMUnavailable(str(exc)) from None
    except Exception as exc:
        raise LLMUnavailable(_reason(exc)) from None


def _reason(exc: BaseException) -> str:
    name = type(exc).__name__
    text = " ".join(str(exc).split())[:160]
    if "timeout" in name.lower() or "timed out" in text.lower():
        return "the language model did not answer in time"
    if "connect" in name.lower() or "connection" in text.lower():
        return "the language model server is not reachable"
    return f"the language model failed ({name}: {text})" if text else f"the language model failed ({name})"


def parse_json(reply: str, schema: type[BaseModel]) -> BaseModel:
    """The first JSON object in a reply, validated against the schema."""
    match = re.search(r"\{.*\}", reply, re.S)
    if not match:
        raise ValueError("the answer had no JSON object")
    try:
        return schema.model_validate(json.loads(match.group(0)))
    except json.JSONDecodeError as exc:
        raise ValueError(f"the JSON was malformed ({exc.msg})") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        raise ValueError(f"{'.'.join(map(str, first['loc']))}: {first['msg']}") from None


def prompt_path(name: str) -> Path:
    return PROMPTS / f"{name}.md"
