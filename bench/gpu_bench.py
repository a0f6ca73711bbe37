"""Generation engines and train steps of a Qwen3-1.7B-shaped random model against the hardware's bounds.

    python bench/gpu_bench.py [--out FILE.json]          # CUDA: 128 prompts x 512 new tokens, bf16, LoRA r 64
    python bench/gpu_bench.py --tiny --device cpu        # the same pipeline on a tiny shape (tests, CPU numbers)

Nothing is downloaded: the model is `hf-random:` (random weights, the byte tokenizer), built on the device. For each
engine: decode tokens/s of sampled generation (temperature 1, EOS off, so every row makes all its tokens), after one
warm-up run of the same shape (compilation and CUDA-graph capture happen there), against the memory-bandwidth bound:
the bytes each decode step must read (every weight once, plus the KV cache of every row up to its current length)
over the device's copy bandwidth measured here. Then a LoRA policy step (Dr.GRPO) and a MoL step (CE on the first
part of each completion, KL to the reference on the rest) on the rollouts: tokens/s and model-FLOPs utilisation
against the bf16 (CPU: fp32) matrix-multiply rate measured here. Prints one JSON object (bench/gpu.ts writes the
BENCHMARKS.md table from it). Exit 3 when the device is missing.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
import traceback
import uuid

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "packages", "policy-server"))

# Qwen3-1.7B's shape (config.json of the released model), random weights.
QWEN3_1_7B = {"model_type": "qwen3", "hidden_size": 2048, "intermediate_size": 6144, "num_hidden_layers": 28,
              "num_attention_heads": 16, "num_key_value_heads": 8, "head_dim": 128, "vocab_size": 151936,
              "max_position_embeddings": 40960, "rope_theta": 1000000, "rms_norm_eps": 1e-6,
              "tie_word_embeddings": True}
TINY = {"model_type": "qwen3", "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 2,
        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 16, "vocab_size": 512,
        "max_position_embeddings": 1024, "rms_norm_eps": 1e-6, "tie_word_embeddings": True}


def parse(argv=None):
    p = argparse.ArgumentParser(prog="gpu_bench.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--device", default="cuda", help="cuda (default) | cuda:N | cpu")
    p.add_argument("--tiny", action="store_true", help="a tiny Qwen3 shape instead of Qwen3-1.7B (smoke runs, CPU)")
    p.add_argument("--config", default=None, help="JSON of another model shape (overrides --tiny)")
    p.add_argument("--engines", default="eager,static", help="comma-separated engines (default eager,static); "
                   "static-compiled = static with its step compiled on any device")
    p.add_argument("--prompts", type=int, default=128)
    p.add_argument("--new-tokens", type=int, default=512)
    p.add_argument("--lora-r", type=int, default=64)
    p.add_argument("--dtype", default="auto", help="auto (bf16 on CUDA, fp32 on CPU) | float32 | bfloat16")
    p.add_argument("--compile", choices=["auto", "on", "off"], default="auto", help="static engine: compile the decode "
                   "step (auto: on CUDA)")
    p.add_argument("--repeats", type=int, default=1, help="timed runs per engine (the median counts; default 1)")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, as the server)")
    p.add_argument("--no-train", action="store_true", help="decode only")
    p.add_argument("--out", default=None, help="also write the JSON result to this file")
    return p.parse_args(argv)


def sync(dev: torch.device) -> None:
    if dev.type == "cuda":
        torch.cuda.synchronize(dev)


def timed(dev, fn):
    sync(dev)
    t0 = time.perf_counter()
    out = fn()
    sync(dev)
    return out, time.perf_counter() - t0


def copy_bandwidth(dev: torch.device) -> float:
    """Bytes/s of a device-to-device copy, counting bytes read and written (the decode bound's denominator)."""
    n = (2 << 30) if dev.type == "cuda" else (64 << 20)
    x = torch.empty(n, dtype=torch.uint8, device=dev)
    y = torch.empty_like(x)
    for _ in range(3):
        y.copy_(x)
    reps = 10
    _, dt = timed(dev, lambda: [y.copy_(x) for _ in range(reps)])
    return 2 * n * reps / dt


def matmul_rate(dev: torch.device, dtype: torch.dtype) -> float:
    """FLOP/s of a large square matrix product in `dtype` (the MFU denominator)."""
    n = 8192 if dev.type == "cuda" else 512
    a = torch.randn(n, n, device=dev, dtype=dtype)
    b = torch.randn(n, n, device=dev, dtype=dtype)
    for _ in range(3):
        a @ b
    reps = 10
    _, dt = timed(dev, lambda: [a @ b for _ in range(reps)])
    return 2 * n**3 * reps / dt


def linear_params(model) -> int:
    """Weights that every token multiplies (all Linear layers, the output head included; not the embedding lookup)."""
    return sum(m.weight.numel() for m in model.modules() if isinstance(m, torch.nn.Linear))


def weight_bytes(policy) -> int:
    """Bytes a decode step reads of the weights: every parameter but the input embedding (B rows of it only)."""
    emb = policy.base_model.get_input_embeddings().weight
    head = policy.base_model.get_output_embeddings().weight
    total = sum(p.numel() * p.element_size() for p in policy.module.parameters())
    return total - (emb.numel() * emb.element_size() if emb is not head else 0)


def decode_bound(policy, prompt_lens: list[int], new: int, bw: float) -> tuple[float, float]:
    """(bytes all decode steps must read, seconds at `bw`): step j reads the weights + KV of P_i + j positions per row."""
    W, kv = weight_bytes(policy), policy.kv_bytes_per_token()
    P = sum(prompt_lens)
    B = len(prompt_lens)
    total = sum(W + kv * (P + B * j) for j in range(new))
    return total, total / bw


def attention_flops(cfg: dict, lengths: list[int]) -> float:
    """Forward FLOPs of causal attention scores and values over sequences of these lengths."""
    d = cfg["num_attention_heads"] * cfg.get("head_dim", cfg["hidden_size"] // cfg["num_attention_heads"])
    return sum(2 * 2 * cfg["num_hidden_layers"] * d * n * (n + 1) / 2 for n in lengths)


def build(args, dev):
    from molrl_policy import hf

    cfg = json.loads(args.config) if args.config else (TINY if args.tiny else QWEN3_1_7B)
    dtype = args.dtype if args.dtype != "auto" else ("bfloat16" if dev.type == "cuda" else "float32")
    opts = hf.HFOptions(lora_r=args.lora_r if not args.tiny else min(args.lora_r, 8), dtype=dtype,
                        gradient_checkpointing=True)
    with torch.device(dev):  # random weights made on the device (no host copy of a 2B model)
        policy = hf.load_policy("hf-random:" + json.dumps(cfg), device=str(dev), seed=0, opts=opts)
    policy.tok.eos_ids = ()  # every row generates all its tokens: a fixed amount of work per engine
    return cfg, policy


def prompts(n: int, seed: int = 0) -> list[list[int]]:
    """n byte prompts of 32..64 tokens (BOS + random printable bytes)."""
    r = random.Random(seed)
    return [[256] + [r.randrange(32, 127) for _ in range(r.randrange(31, 64))] for _ in range(n)]


def run_engines(names: list[str], args, policy, ids, dev, bw: float) -> tuple[list[dict], list]:
    """Each engine: one warm-up run of the measured shape, then `repeats` timed runs, engines alternating run by run
    (so that load from other processes hits all alike); the median run counts."""
    from molrl_policy.gen_engine import make_engine
    from molrl_policy.generate import Sampling

    s = Sampling(temperature=1.0, max_tokens=args.new_tokens)
    policy.module.eval()
    gens, first, failed = {}, {}, []
    for name in names:
        print(f"gpu bench: engine {name}: warm-up ...", file=sys.stderr, flush=True)
        opts = {"compile": args.compile == "on"} if name == "static" and args.compile != "auto" else {}
        if name == "static-compiled":  # the static engine with its decode step compiled, whatever the device
            opts = {"compile": True}
        try:
            gens[name] = make_engine(name.split("-")[0], policy, **opts)
            _, first[name] = timed(dev, lambda: gens[name].generate(policy, ids, 1, s, 1, max_batch=len(ids)))
        except Exception as err:  # one engine failing must not lose the others' numbers (device time is scarce)
            traceback.print_exc()
            failed.append({"engine": name, "error": f"{type(err).__name__}: {str(err)[:500]}"})
            gens.pop(name, None)
    names = [n for n in names if n in gens]
    times: dict[str, list[float]] = {n: [] for n in names}
    rows = None
    for k in range(args.repeats):
        for name in names:
            rows, dt = timed(dev, lambda: gens[name].generate(policy, ids, 1, s, 2 + k, max_batch=len(ids)))
            times[name].append(dt)
    tokens = len(ids) * args.new_tokens
    read, t_bound = decode_bound(policy, [len(x) for x in ids], args.new_tokens, bw)
    out = []
    for name in names:
        dt = sorted(times[name])[len(times[name]) // 2]
        res = {**gens[name].describe(), "engine": name, "tokens": tokens, "seconds": dt, "tokensPerS": tokens / dt,
               "firstRunSeconds": first[name], "boundTokensPerS": tokens / t_bound, "ofBound": t_bound / dt,
               "bytesPerStep": read / args.new_tokens}
        if dev.type == "cuda":
            res["peakMemoryGiB"] = torch.cuda.max_memory_allocated(dev) / 2**30
        out.append(res)
        print(f"gpu bench: {name}: {res['tokensPerS']:.0f} tokens/s, {100 * res['ofBound']:.1f} % of the bound",
              file=sys.stderr, flush=True)
    return out + failed, rows


def train_steps(args, cfg, policy, rows, dev, peak: float) -> list[dict]:
    from molrl_policy.engine import Engine, Rollout
    from molrl_policy.mol import mol_step

    eng = Engine(policy, lr=1e-5, micro_batch_tokens=16384)
    rid = "r-" + uuid.uuid4().hex[:8]
    eng.rollouts.put(rid, Rollout(rows, 1.0, args.new_tokens))
    lengths = [len(r.prompt_ids) + len(r.completion_ids) for r in rows]
    tokens = sum(lengths)
    fwd = 2 * linear_params(policy.module) * tokens + attention_flops(cfg, lengths)  # one forward pass
    frozen = policy.lora  # LoRA: no weight gradients of the frozen base, backward ~ 1 forward; full: ~ 2
    adv = [1.0 if i % 2 else -1.0 for i in range(len(rows))]
    req = {"rolloutId": rid, "advantages": adv, "lossType": "dr_grpo", "microBatchSize": len(rows)}
    eng.train_policy(req)  # warm-up
    out, dt = timed(dev, lambda: eng.train_policy(req))
    flops = fwd * (2 if frozen else 3)
    res = [{"step": "policy (Dr.GRPO)", "tokens": tokens, "seconds": dt, "tokensPerS": tokens / dt,
            "modelFlops": flops, "mfu": flops / dt / peak, "logprobMismatchMax": out["logprobMismatchMax"]}]
    from molrl_policy.tokenizer import TAG_CE, TAG_KL, TAG_NONE

    half = args.new_tokens // 4
    seqs = [(r.prompt_ids + r.completion_ids, [TAG_NONE] * len(r.prompt_ids) + [TAG_CE] * half
             + [TAG_KL] * (len(r.completion_ids) - half)) for r in rows]

    def mol():
        eng.opt.zero_grad(set_to_none=True)
        policy.module.train()
        st = mol_step(policy, seqs, "mol", len(seqs), micro_tokens=16384)
        eng._apply(eng.base_lr, 1.0, st["loss"])
        return st

    mol()  # warm-up
    _, dt = timed(dev, mol)
    flops = fwd * (2 if frozen else 3) + fwd  # + the reference forward of the KL
    res.append({"step": "MoL (CE + KL to the reference)", "tokens": tokens, "seconds": dt, "tokensPerS": tokens / dt,
                "modelFlops": flops, "mfu": flops / dt / peak})
    return res


def versions() -> dict:
    import transformers

    out = {"python": platform.python_version(), "torch": torch.__version__, "transformers": transformers.__version__}
    try:
        import peft

        out["peft"] = peft.__version__
    except ImportError:
        pass
    if torch.cuda.is_available():
        out["cuda"] = torch.version.cuda
    return out


def main(argv=None) -> int:
    args = parse(argv)
    dev = torch.device(args.device)
    if dev.type == "cuda" and not torch.cuda.is_available():
        print(f"gpu bench: no CUDA device (torch {torch.__version__} sees none): run it on a machine with an NVIDIA "
              "GPU (packages/policy-server/README.md, 'GPU benchmark', has the device command), or add "
              "--tiny --device cpu for the CPU smoke run", file=sys.stderr)
        return 3
    torch.set_num_threads(max(1, args.threads))
    torch.manual_seed(0)
    cfg, policy = build(args, dev)
    dtype = policy.compute_dtype
    bw = copy_bandwidth(dev)
    peak = matmul_rate(dev, dtype)
    ids = prompts(args.prompts)
    device = torch.cuda.get_device_name(dev) if dev.type == "cuda" else (platform.processor() or platform.machine())
    result = {"device": device, "loadAverage": os.getloadavg()[0] if hasattr(os, "getloadavg") else None, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "versions": versions(),
              "model": {"config": cfg, "parameters": sum(p.numel() for p in policy.module.parameters()),
                        "dtype": str(dtype).replace("torch.", ""), "loraR": policy.lora_r,
                        "weightBytesPerStep": weight_bytes(policy), "kvBytesPerToken": policy.kv_bytes_per_token()},
              "prompts": args.prompts, "newTokens": args.new_tokens, "copyBandwidth": bw, "matmulFlops": peak,
              "engines": [], "train": []}
    result["engines"], rows = run_engines([e for e in args.engines.split(",") if e], args, policy, ids, dev, bw)
    if rows is not None and not args.no_train:
        print("gpu bench: train steps ...", file=sys.stderr, flush=True)
        try:
            result["train"] = train_steps(args, cfg, policy, rows, dev, peak)
        except Exception as err:
            traceback.print_exc()
            result["trainError"] = f"{type(err).__name__}: {str(err)[:500]}"
    text = json.dumps(result)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
