"""verl's custom reward function backed by `molrl serve`.

verl config: reward.custom_reward_function.path=pkg://molrl_client reward.custom_reward_function.name=compute_score
+reward.custom_reward_function.reward_kwargs.url=http://127.0.0.1:8080 (or set MOLRL_URL).
"""
from __future__ import annotations

import os
import time
from typing import Any

from molrl_client.client import MolrlClient, MolrlInfraError, json_safe

INFRA_RETRIES = 3


def verl_compute_score(data_source: str, solution_str: str, ground_truth: Any, extra_info: dict | None = None, *, url: str | None = None, token: str | None = None,
                       timeout: float = 300.0, infra_retries: int = INFRA_RETRIES, **kwargs: Any) -> dict[str, Any]:
    """verl's compute_score signature; returns {"score": total, "<plugin>": score, "<plugin>.<component>": value, "abstained": 0|1}.

    `extra_info` (JSON-serialisable parts) and `data_source` go into the sample's metadata. A sample every plugin
    abstained on scores 0 with `abstained` = 1. An `infra_error` is retried `infra_retries` times (1 s, 2 s, ...
    apart) and then raised (MolrlInfraError):
    verl has no way to leave a sample out, and a sandbox failure must never train as a 0.
    """
    base = url or os.environ.get("MOLRL_URL")
    if not base:
        raise ValueError("verl_compute_score needs the molrl serve URL: reward_kwargs.url=http://127.0.0.1:8080 or MOLRL_URL")
    client = MolrlClient(base, token=token or os.environ.get("MOLRL_TOKEN"), timeout=timeout)
    metadata = {k: v for k, v in (json_safe(extra_info or {}) or {}).items() if v is not None}
    metadata["data_source"] = data_source
    sample = {"id": str(metadata.get("index", "0")), "completion": solution_str, "metadata": metadata}
    if ground_truth is not None:
        sample["groundTruth"] = json_safe(ground_truth)
    for attempt in range(infra_retries + 1):
        result = client.score([sample])[0]
        if result["status"] != "infra_error":
            break
        if attempt < infra_retries:
            time.sleep(1.0 + attempt)
    else:
        reasons = "; ".join(str((r.get("error") or {}).get("message") or r.get("reason")) for r in result["rewards"].values())
        raise MolrlInfraError(f"molrl serve could not score the sample (infra_error after {infra_retries + 1} tries): {reasons}")
    out: dict[str, Any] = {"score": float(result["score"] if result["score"] is not None else 0.0)}
    for plugin, r in result["rewards"].items():
        out[plugin] = float(r["score"]) if r["score"] is not None else 0.0
        for component, value in r["components"].items():
            out[f"{plugin}.{component}"] = float(value)
    out["abstained"] = 1 if result["status"] == "abstain" else 0
    return out


compute_score = verl_compute_score
