"""The data-parallel server under torchrun (gloo, CPU): N = 2 ranks against one process on the same batches.

Each test starts real torchrun agents (rank 0 serves HTTP, rank 1 follows) and one plain server; batches are
greedy rollouts (the same completions on both) or MoL examples, so both servers train on the same data. Full
fine-tuning of an hf model runs sharded (FSDP2, --shard auto), the tiny model and LoRA as replicas.
"""
import glob
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

import pytest
import torch

from conftest import require_modules
from molrl_policy.distributed import shard
from server_process import READY, ROOT, call, server_log, start, stop

TINY = json.dumps({"n_layer": 2, "n_head": 2, "d_model": 32, "context": 48})
HF_CFG = json.dumps({"model_type": "llama", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                     "num_attention_heads": 4, "num_key_value_heads": 2, "vocab_size": 320,
                     "max_position_embeddings": 128})
QWEN3_CFG = json.dumps({"model_type": "qwen3", "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
                        "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "vocab_size": 320,
                        "max_position_embeddings": 128, "tie_word_embeddings": True})
PROMPTS = [{"id": f"p{i}", "text": f"Q: {i}+{i * 3 % 7}\nA:"} for i in range(5)]
GREEDY = {"prompts": PROMPTS, "n": 2, "sampling": {"temperature": 0, "maxTokens": 6}}
ADV = [1.0, -0.5, 0.25, -1.0, 0.75, 0.5, -0.25, 1.5, -0.75, 0.1]  # one per completion, all different
# several updates per rollout (mu = 2 epochs of 2 mini-batches, pi_old kept on the rollout), with a KL term and
# uneven micro-batches: one completion skipped leaves 9 rows, parts of 4 and 5, micro-batches of 2
SEVERAL = {"updatesPerBatch": 2, "miniBatches": 2, "beta": 0.05, "microBatchSize": 2}
ADV_SKIP = [1.0, None, 0.25, -1.0, 0.75, 0.5, -0.25, 1.5, -0.75, 0.1]
MOL = [{"examples": [{"segments": [{"text": f"Q: {a}-{b}\nA:", "loss": "none"}, {"text": f" {a - b}", "loss": "ce"}]}
                     for a, b in pairs], "mode": "ce", "learningRate": 1e-3}
       for pairs in ([(5, 2), (9, 4), (7, 7)], [(8, 1), (6, 3), (4, 4), (9, 9)])]
# MoL with KL tokens (the policy's own text, against the reference)
MOL_KL = {"examples": [{"segments": [{"text": f"Q: {a}*2\nA:", "loss": "none"}, {"text": f" {a * 2}", "loss": "ce"},
                                     {"text": f" since {a}+{a}", "loss": "kl"}]} for a in (3, 7, 12)],
          "mode": "mol", "learningRate": 1e-3}
# AdamW moves a weight by about lr = 1e-3 per step: a rank that trained on other data or weights is off by that
# much; float summation order (which differs between N) leaves far less
ATOL = 1e-5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Torchrun:
    """One torchrun agent in its own session (killed as a group); its ranks exit when it is gone."""

    def __init__(self, nproc: int, args: list[str], nnodes: int = 1, node_rank: int = 0, rdzv: str | None = None,
                 env: dict | None = None, wait_ready: bool = True) -> None:
        where = ["--standalone"] if nnodes == 1 else ["--nnodes", str(nnodes), "--node-rank", str(node_rank),
                                                      "--rdzv-backend", "static", "--rdzv-endpoint", rdzv]
        self.log = tempfile.TemporaryFile(mode="w+")
        self.p = subprocess.Popen(
            [sys.executable, "-m", "torch.distributed.run", "--nproc-per-node", str(nproc), *where,
             "--max-restarts", "0", "-m", "molrl_policy.server", "--port", "0", *args],
            env={**os.environ, "PYTHONPATH": ROOT, **(env or {})}, stdout=subprocess.PIPE, stderr=self.log,
            text=True, start_new_session=True)
        self.address = self.ready() if wait_ready else None

    def ready(self):
        for line in self.p.stdout:  # rank 0's ready line (torchrun passes the ranks' stdout through)
            m = READY.match(line.rstrip("\n"))
            if m:
                return m.group(1), int(m.group(2))
        self.close()
        raise AssertionError(f"no ready line from torchrun:\n{self.text()}")

    def text(self) -> str:
        self.log.seek(0)
        return self.log.read()

    def terminate(self) -> None:
        if self.p.poll() is None:
            os.killpg(self.p.pid, signal.SIGTERM)  # torchrun stops its ranks

    def close(self) -> int:
        if self.p.poll() is None:
            self.terminate()
            try:
                self.p.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.p.pid, signal.SIGKILL)
                self.p.wait(10)
        return self.p.returncode


@pytest.fixture
def cleanup():
    things = []
    yield things
    for t in things:  # all at once: a torchrun agent takes seconds to stop
        if isinstance(t, Torchrun):
            t.terminate()
    for t in reversed(things):
        if isinstance(t, Torchrun):
            t.close()
        elif t.poll() is None:
            stop(t)


def post(server, path, body):
    status, out = call(server, "POST", path, body)
    assert status == 200, (path, status, out)
    return out


def weights(ckpt: str) -> dict[str, torch.Tensor]:
    """The trained tensors of a checkpoint directory (tiny: model.pt; LoRA: the adapter's safetensors; full
    fine-tuning: the save_pretrained directory model/, or a directory of its own)."""
    out = {}
    files = glob.glob(os.path.join(ckpt, "adapter", "*.safetensors")) or \
        glob.glob(os.path.join(ckpt, "model", "*.safetensors")) or glob.glob(os.path.join(ckpt, "*.safetensors"))
    if files:
        from safetensors.torch import load_file

        for f in files:
            out.update(load_file(f))
        return out
    for part, sd in torch.load(os.path.join(ckpt, "model.pt"), weights_only=True).items():
        out.update({f"{part}.{k}": v for k, v in sd.items()})
    return out


def assert_same_weights(a: str, b: str) -> None:
    wa, wb = weights(a), weights(b)
    assert wa.keys() == wb.keys() and wa
    worst = max((wa[k].float() - wb[k].float()).abs().max().item() for k in wa)
    assert worst <= ATOL, f"largest weight difference {worst:g} between {a} and {b}"


def policy_round(servers, root, tag, adv=ADV, **step):
    """Greedy rollout + one policy step (with `step`'s fields) on every server; -> their step answers
    (checkpoints saved)."""
    outs = []
    for i, s in enumerate(servers):
        g = post(s, "/v1/generate", GREEDY)
        assert [(c["promptId"], c["index"]) for c in g["completions"]] == \
            [(p["id"], j) for p in PROMPTS for j in range(2)], "every prompt's completions once, in order"
        outs.append((g, post(s, "/v1/train/policy", {"rolloutId": g["rolloutId"], "advantages": adv,
                                                     "learningRate": 1e-3, **step})))
        post(s, "/v1/checkpoint/save", {"path": os.path.join(root, f"{tag}-{i}")})
    texts = [[c["text"] for c in g["completions"]] for g, _ in outs]
    assert texts[0] == texts[1], "greedy completions are the same with 1 and 2 ranks"
    a, b = outs[0][1], outs[1][1]
    assert a["step"] == b["step"] and a["tokens"] == b["tokens"] and a["updates"] == b["updates"]
    for k in ("loss", "entropy", "gradNorm"):
        assert b[k] == pytest.approx(a[k], rel=1e-4, abs=1e-6), k
    assert_same_weights(os.path.join(root, f"{tag}-0"), os.path.join(root, f"{tag}-1"))
    return a, b


def mol_round(servers, root, tag, body):
    """One MoL step on every server: the same weights after it (checkpoints `tag-i` saved)."""
    for i, s in enumerate(servers):
        post(s, "/v1/train/mol", body)
        post(s, "/v1/checkpoint/save", {"path": os.path.join(root, f"{tag}-{i}")})
    assert_same_weights(os.path.join(root, f"{tag}-0"), os.path.join(root, f"{tag}-1"))


def load_across(servers, root, tag, step, body=MOL[1]):
    """Each server loads the other's checkpoint `tag-i` (at `step`), then both take the same MoL step."""
    assert post(servers[0], "/v1/checkpoint/load", {"path": os.path.join(root, f"{tag}-1")})["step"] == step
    assert post(servers[1], "/v1/checkpoint/load", {"path": os.path.join(root, f"{tag}-0")})["step"] == step
    mol_round(servers, root, f"{tag}-loaded", body)


def test_shard_covers_every_item_once_in_order():
    for n in range(0, 9):
        for world in (1, 2, 3, 8):
            parts = [shard(n, world, r) for r in range(world)]
            assert [i for p in parts for i in p] == list(range(n))
            assert max(len(p) for p in parts) - min(len(p) for p in parts) <= 1


def test_shard_auto_shards_full_fine_tuning_of_hf_models_on_several_ranks_only(capsys):
    from molrl_policy.distributed_fsdp import resolve
    from molrl_policy.server import main

    assert resolve("auto", "hf-random:{}", 0, 2) == "fsdp" and resolve("fsdp", "hf:/m", 0, 2) == "fsdp"
    assert {resolve("auto", *a) for a in (("hf:/m", 64, 2), ("tiny", 0, 2), ("hf:/m", 0, 1))} == {"none"}
    with pytest.raises(ValueError, match="LoRA adapter"):
        resolve("fsdp", "hf:/m", 8, 2)
    assert main(["--model", "tiny", "--shard", "fsdp"]) == 2  # a usage error, before any model is built
    assert "--shard fsdp shards full fine-tuning of hf models" in capsys.readouterr().err


def test_tiny_two_ranks_step_like_one_and_checkpoints_load_across_n(cleanup, tmp_path):
    root = str(tmp_path)
    args = ["--model", "tiny", "--model-config", TINY, "--seed", "3", "--checkpoint-root", root]
    one, host, port = start(*args)
    cleanup.append(one)
    two = Torchrun(2, args)
    cleanup.append(two)
    servers = [(host, port), two.address]
    health = call(servers[1], "GET", "/v1/health")[1]
    assert health["status"] == "ok"

    policy_round(servers, root, "policy")  # a policy step: N = 2 gives N = 1's weights
    assert policy_round(servers, root, "several", ADV_SKIP, **SEVERAL)[1]["updates"] == 4  # mu x mini-batches
    mol_round(servers, root, "mol", MOL[0])  # a MoL step likewise
    load_across(servers, root, "policy", 1)  # checkpoints across N (taken after the first step)


def test_lora_on_two_nodes_over_loopback_steps_like_one_process(cleanup, tmp_path):
    require_modules("transformers", "peft")
    root = str(tmp_path)
    args = ["--model", "hf-random:" + HF_CFG, "--lora-r", "4", "--seed", "1", "--checkpoint-root", root]
    one, host, port = start(*args)
    cleanup.append(one)
    rdzv = f"127.0.0.1:{free_port()}"
    follower = Torchrun(1, args, nnodes=2, node_rank=1, rdzv=rdzv, wait_ready=False)
    cleanup.append(follower)
    leader = Torchrun(1, args, nnodes=2, node_rank=0, rdzv=rdzv)
    cleanup.append(leader)
    assert "rank 0 of 2" in leader.text()
    policy_round([(host, port), leader.address], root, "lora")


def test_full_fine_tuning_sharded_with_fsdp_steps_like_one_process_and_checkpoints_across_n(cleanup, tmp_path):
    require_modules("transformers")
    root = str(tmp_path)
    args = ["--model", "hf-random:" + QWEN3_CFG, "--lora-r", "0", "--seed", "1", "--checkpoint-root", root]
    one, host, port = start(*args)
    cleanup.append(one)
    # --shard auto: full fine-tuning of an hf model on 2 ranks is sharded; rank 1 raises in its first generation
    two = Torchrun(2, args, env={"MOLRL_DIST_FAULT": "raise:generate:1"})
    cleanup.append(two)
    assert "weights sharded (FSDP2)" in two.text()
    servers = [(host, port), two.address]
    status, out = call(two.address, "POST", "/v1/generate", GREEDY)  # answered at once, the server goes on
    assert status == 500 and out["error"]["code"] == "RANK_ERROR" and "rank 1" in out["error"]["message"], out

    # generation needs no collective per token: rank 1's prompts (near the context end) stop after fewer tokens
    uneven = {**GREEDY, "prompts": [PROMPTS[0], *({"id": f"long{k}", "text": "x" * 123} for k in range(2))]}
    texts = [[(c["promptId"], c["text"]) for c in post(s, "/v1/generate", uneven)["completions"]] for s in servers]
    assert texts[0] == texts[1] and [t for t, _ in texts[1]] == ["p0", "p0", "long0", "long0", "long1", "long1"]
    policy_round(servers, root, "fsdp")  # generation in order, the same weights after a step
    policy_round(servers, root, "fsdp-several", ADV_SKIP, **SEVERAL)  # several updates, KL, filler micro-batches
    mol_round(servers, root, "fsdp-mol", {**MOL[0], "microBatchSize": 1})  # 3 examples: parts of 1 and 2
    evals = [post(s, "/v1/train/mol", {**MOL[1], "evalOnly": True}) for s in servers]
    assert evals[1]["loss"] == pytest.approx(evals[0]["loss"], rel=1e-5)

    load_across(servers, root, "fsdp", 1)  # checkpoints across N and across sharding

    # a sharded server's checkpoint exports to a directory transformers loads
    out = os.path.join(root, "export")
    subprocess.run([sys.executable, "-m", "molrl_policy.hf_export", os.path.join(root, "fsdp-loaded-1"), "--out", out],
                   env={**os.environ, "PYTHONPATH": ROOT}, check=True, capture_output=True, timeout=120)
    import transformers

    model = transformers.AutoModelForCausalLM.from_pretrained(out)
    expect = weights(os.path.join(root, "fsdp-loaded-0"))
    got = model.state_dict()
    assert max((got[k] - expect[k]).abs().max().item() for k in expect) <= ATOL

    # a phase-start KL reference (sharded: the reference's shards take the policy's), in checkpoints across N,
    # then back to the base
    for s in servers:
        assert post(s, "/v1/phase/start", {"reference": "phase-start"})["reference"] == "phase-start"
    mol_round(servers, root, "fsdp-kl-a", MOL_KL)
    mol_round(servers, root, "fsdp-kl-b", MOL_KL)
    load_across(servers, root, "fsdp-kl-b", 4, MOL_KL)
    for s in servers:
        assert post(s, "/v1/phase/start", {"reference": "base"})["reference"] == "base"
    mol_round(servers, root, "fsdp-kl-base", MOL_KL)


def test_a_rank_that_raises_gets_a_coded_error_at_once_and_a_dead_rank_stops_the_server(cleanup, tmp_path):
    args = ["--model", "tiny", "--model-config", TINY, "--checkpoint-root", str(tmp_path)]
    # rank 1 raises in its first generation and in its first policy step, then dies in its second train/policy
    two = Torchrun(2, args, env={"MOLRL_DIST_FAULT": "raise:generate:1,raise:policy_step:1,exit:train_policy:1:2"})
    cleanup.append(two)
    status, out = call(two.address, "POST", "/v1/generate", GREEDY)
    assert status == 500 and out["error"]["code"] == "RANK_ERROR" and "rank 1" in out["error"]["message"], out
    g = post(two.address, "/v1/generate", GREEDY)  # the group is intact: the next call works
    train = {"rolloutId": g["rolloutId"], "advantages": ADV}
    status, out = call(two.address, "POST", "/v1/train/policy", train)
    assert status == 500 and out["error"]["code"] == "RANK_ERROR", out
    assert call(two.address, "GET", "/v1/health")[1]["step"] == 0, "the failed step changed nothing"
    status, out = call(two.address, "POST", "/v1/train/policy", train)
    assert status == 503 and out["error"]["code"] == "RANK_FAILED", out
    assert two.p.wait(60) != 0, "the server stops (torchrun reports the failed rank)"
