"""The README's Python example runs as written, from a folder laid out like the repository."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs(tmp_path, monkeypatch, capsys):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    assert blocks, "README.md has no Python example"
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out.splitlines()
    assert float(printed[0]) > 0.8  # test accuracy on the demo reviews
    assert "positive" in printed[1] and "negative" in printed[1]
    assert (tmp_path / "runs" / "demo" / "weights.safetensors").is_file()


def test_readme_config_block_is_the_defaults():
    import yaml

    import trainwright

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = next(b for b in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S) if "tokenizer:" in b)
    raw = yaml.safe_load(block)
    documented = trainwright.build_config(overrides=None).model_validate(raw)
    assert documented.model_dump() == trainwright.RunConfig().model_dump()
    defaults = trainwright.RunConfig().model_dump()
    for section, values in defaults.items():  # every key is documented, none left for the reader to guess
        assert sorted(raw[section]) == sorted(values), section
