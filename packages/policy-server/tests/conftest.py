"""Shared fixtures: the package on sys.path, one torch thread, small tiny models, and the skip rule."""
import importlib.util
import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.abspath(os.path.join(os.path.dirname(__file__), "..")))
torch.set_num_threads(1)

from molrl_policy.config import TinyConfig  # noqa: E402
from molrl_policy.engine import Engine  # noqa: E402
from molrl_policy.model import TinyPolicy  # noqa: E402


def make_engine(lr: float = 3e-4, seed: int = 0, **cfg) -> Engine:
    cfg = {"n_layer": 2, "n_head": 2, "d_model": 32, "context": 48, "seed": seed, **cfg}
    return Engine(TinyPolicy(TinyConfig(**cfg)), lr=lr, seed=seed)


@pytest.fixture
def engine() -> Engine:
    return make_engine()


def require_modules(*modules: str) -> None:
    """The suite's one skip rule (as test/helpers/requirements.ts): a test whose Python packages are missing is
    skipped loudly, except on CI (CI=true), where `npm run setup` installs them and their absence fails."""
    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if not missing:
        return
    why = f"{', '.join(missing)} not installed for {sys.executable}; run 'npm run setup' (it creates .venv with molrl-policy[hf])"
    if os.environ.get("CI"):
        pytest.fail(f"needs a part that is missing on CI: {why}", pytrace=False)
    print(f"\n  !!! SKIPPED: {why}", file=sys.stderr)
    pytest.skip(why)


# -- tiny Hugging Face models (molrl_policy/testing.py), built offline once per session ----------------------
@pytest.fixture(scope="session")
def hf_dirs(tmp_path_factory):
    """arch -> directory of a random tiny model (qwen3, llama) with the fixture tokenizer, built on first use."""
    require_modules("transformers", "peft", "tokenizers")
    from molrl_policy import testing

    root = tmp_path_factory.mktemp("hf-models")
    made: dict[str, str] = {}

    def get(arch: str = "qwen3") -> str:
        if arch not in made:
            made[arch] = testing.model_dir(str(root / arch), arch)
        return made[arch]

    return get


# Prompts of the HF-path and engine tests: a one-turn chat, a chat with a system turn (two padded lengths), raw text.
CHATS = [
    {"id": "short", "messages": [{"role": "user", "content": "Q: 2+3\nA:"}]},
    {"id": "long", "messages": [{"role": "system", "content": "You are a helpful assistant."},
                                {"role": "user", "content": "the sandbox runs code and returns output: print 7*6"}]},
    {"id": "text", "text": "def f(x):\n    return"},
]


def make_hf_engine(model_dir: str, lora_r: int = 4, lr: float = 1e-3, **opts) -> Engine:
    from molrl_policy import hf

    return Engine(hf.load_policy("hf:" + model_dir, opts=hf.HFOptions(lora_r=lora_r, **opts)), lr=lr)
