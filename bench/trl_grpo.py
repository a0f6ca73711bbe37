"""TRL's GRPOTrainer on the quickstart task, for `npm run bench -- trl` (bench/trl.ts starts it).

Same model directory (after the same SFT), same prompts in the same order (one JSONL row per prompt, shuffle
off), Dr.GRPO (loss_type="dr_grpo", scale_rewards="none"), same group size, prompts per step, completion length,
temperature, learning rate (constant), beta 0, gradient clipping, no vLLM, fp32 on CPU, one torch thread. The
reward is the same reward:code-execution in the same Docker sandbox: the reward function posts the completions to
the bench's scoring endpoint. Prints one JSON line: per-step end times and reward means.

usage: trl_grpo.py CONFIG_JSON   (keys: model, data, out, steps, prompts, group, max_tokens, lr, score_url, seed)
"""
import json
import sys
import time
import urllib.request

import torch
from datasets import Dataset
from transformers import AutoModelForCausalLM, AutoTokenizer, TrainerCallback
from trl import GRPOConfig, GRPOTrainer


def main() -> int:
    cfg = json.loads(sys.argv[1])
    torch.set_num_threads(1)
    rows = [json.loads(line) for line in open(cfg["data"])]
    data = Dataset.from_list([{"prompt": r["prompt"], "ground_truth": r["groundTruth"], "row_id": r["id"]} for r in rows])
    tok = AutoTokenizer.from_pretrained(cfg["model"])
    model = AutoModelForCausalLM.from_pretrained(cfg["model"], dtype=torch.float32)

    def reward(prompts, completions, ground_truth, row_id, **_):
        body = json.dumps({"samples": [{"id": f"{i}-{k}", "prompt": p, "completion": c, "groundTruth": g}
                                       for k, (p, c, g, i) in enumerate(zip(prompts, completions, ground_truth, row_id))]})
        req = urllib.request.Request(cfg["score_url"], data=body.encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=600) as r:
            return [s if s is not None else None for s in json.loads(r.read())["scores"]]

    ends: list[float] = []

    class Clock(TrainerCallback):
        def on_step_end(self, args, state, control, **kw):
            ends.append(time.perf_counter())

    args = GRPOConfig(
        output_dir=cfg["out"], max_steps=cfg["steps"], per_device_train_batch_size=cfg["prompts"] * cfg["group"],
        gradient_accumulation_steps=1, num_generations=cfg["group"], max_completion_length=cfg["max_tokens"],
        temperature=1.0, learning_rate=cfg["lr"], lr_scheduler_type="constant", weight_decay=0.0, beta=0.0,
        epsilon=0.2, loss_type="dr_grpo", scale_rewards="none", num_iterations=1, use_vllm=False, use_cpu=True,
        bf16=False, max_grad_norm=1.0, logging_steps=1, save_strategy="no", report_to="none", shuffle_dataset=False,
        seed=cfg["seed"], disable_dropout=True, dataloader_num_workers=0,
    )
    trainer = GRPOTrainer(model=model, reward_funcs=reward, args=args, train_dataset=data, processing_class=tok,
                          callbacks=[Clock()])
    start = time.perf_counter()
    trainer.train()
    trainer.save_model(cfg["out"])
    tok.save_pretrained(cfg["out"])
    rewards = [h["reward"] for h in trainer.state.log_history if "reward" in h]
    print(json.dumps({"start": start, "ends": ends, "rewards": rewards, "trl": __import__("trl").__version__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
