"""Settings: one env prefix, a description on every field, offline defaults."""

from assistant.settings import Settings, bundled_model_path


def test_every_setting_has_a_description():
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert missing == []


def test_defaults_are_offline_and_local(tmp_path):
    settings = Settings(_env_file=None)
    assert settings.llm_backend == "none" and settings.chroma_mode == "embedded"
    assert settings.host == "127.0.0.1" and settings.port == 7860
    assert settings.embedding_model_path == bundled_model_path()
    assert (settings.embedding_model_path / "model.safetensors").is_file()


def test_environment_variables_use_one_prefix(monkeypatch, tmp_path):
    monkeypatch.setenv("SCHOOLOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SCHOOLOT_RETRIEVAL_K", "7")
    settings = Settings(_env_file=None)
    assert settings.data_dir == tmp_path and settings.retrieval_k == 7
    assert settings.index_path == tmp_path / "index"


def test_a_dotenv_file_is_read(tmp_path):
    env = tmp_path / ".env"
    env.write_text("SCHOOLOT_CHROMA_MODE=server\nSCHOOLOT_CHROMA_PORT=9001\n")
    settings = Settings(_env_file=env)
    assert (settings.chroma_mode, settings.chroma_port) == ("server", 9001)


def test_the_readme_documents_every_setting():
    from assistant.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text()
    missing = [name for name in Settings.model_fields if f"`SCHOOLOT_{name.upper()}`" not in readme]
    assert missing == []
