"""molrl_client: reward functions for TRL and verl backed by a `molrl serve` server (standard library only)."""
from molrl_client.client import MolrlClient, MolrlClientError, MolrlInfraError
from molrl_client.trl import trl_reward
from molrl_client.verl import compute_score, verl_compute_score

__all__ = ["MolrlClient", "MolrlClientError", "MolrlInfraError", "trl_reward", "verl_compute_score", "compute_score"]
