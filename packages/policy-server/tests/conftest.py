"""Shared fixtures: the package on sys.path, one torch thread, small tiny models."""
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
