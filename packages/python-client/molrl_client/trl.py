"""A TRL reward function backed by `molrl serve`: async def f(prompts, completions, **kwargs) -> list[float | None]."""
from __future__ import annotations

import asyncio
from typing import Any, Callable

from molrl_client.client import MolrlClient, json_safe

# Keyword arguments TRL's GRPOTrainer adds that are not dataset columns.
TRAINER_KWARGS = frozenset({"trainer_state", "log_extra", "log_metric", "environments", "completion_ids"})


def text_of(message_or_text: Any) -> str:
    """The text of a completion: a string, or the contents of a conversational completion's assistant messages."""
    if isinstance(message_or_text, str):
        return message_or_text
    parts = []
    for m in message_or_text or []:
        content = m.get("content", "") if isinstance(m, dict) else str(m)
        if isinstance(content, list):  # multimodal parts: keep the text ones
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        if not isinstance(m, dict) or m.get("role", "assistant") == "assistant":
            parts.append(content)
    return "".join(parts)


def prompt_of(prompt: Any) -> Any:
    """A prompt as the server takes it: text, or chat messages with text content."""
    if isinstance(prompt, str) or prompt is None:
        return prompt
    return [{"role": str(m.get("role", "user")), "content": text_of([{"content": m.get("content", "")}])} for m in prompt]


def trl_reward(url: str, *, token: str | None = None, name: str | None = None, timeout: float = 300.0, retries: int = 5) -> Callable[..., Any]:
    """A reward function for TRL's GRPOTrainer (`reward_funcs=[trl_reward("http://127.0.0.1:8080")]`).

    Each call sends every completion of the batch in one POST /v1/score. The dataset column `ground_truth` is the
    sample's ground truth; every JSON-serialisable column (`tests`, `stdin`, ...) goes into its metadata. A sample
    whose reward is `infra_error` (or that every plugin abstained on) is None, which TRL leaves out of the
    group instead of training on 0; the count of infra errors is logged as `<name>/infra_errors`.
    """
    client = MolrlClient(url, token=token, timeout=timeout, retries=retries)
    label = name or "molrl"

    async def reward(prompts: list[Any], completions: list[Any], **kwargs: Any) -> list[float | None]:
        columns = {k: v for k, v in kwargs.items() if k not in TRAINER_KWARGS and isinstance(v, list) and len(v) == len(completions)}
        samples = []
        for i, completion in enumerate(completions):
            metadata = {k: json_safe(v[i]) for k, v in columns.items() if k != "ground_truth"}
            sample: dict[str, Any] = {"id": str(i), "completion": text_of(completion), "metadata": metadata}
            if prompts is not None and i < len(prompts) and prompts[i] is not None:
                sample["prompt"] = prompt_of(prompts[i])
            if "ground_truth" in columns and columns["ground_truth"][i] is not None:
                sample["groundTruth"] = json_safe(columns["ground_truth"][i])
            samples.append(sample)
        results = await asyncio.to_thread(client.score, samples)
        log_metric = kwargs.get("log_metric")
        if callable(log_metric):
            log_metric(f"{label}/infra_errors", float(sum(r["status"] == "infra_error" for r in results)))
        return [r["score"] if r["status"] == "ok" else None for r in results]

    reward.__name__ = label
    reward.__qualname__ = label
    return reward
