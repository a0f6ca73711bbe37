"""TRL's GRPOTrainer with molrl_client.trl_reward as its reward function, against a real `molrl serve`."""
import asyncio
import os

from serve_helpers import require_modules

require_modules("trl", "transformers", "datasets", "torch")


def test_grpo_trainer_takes_two_steps_with_molrl_rewards(serve, tmp_path):
    import torch
    from datasets import Dataset
    from transformers import AutoTokenizer
    from trl import GRPOConfig, GRPOTrainer

    from molrl_client import trl_reward
    from tiny_model import model_dir

    torch.set_num_threads(1)
    path = model_dir(str(tmp_path / "model"))
    prompts = ["Write a program that prints 7.\n", "Print the sum of 3 and 4.\n"]
    ds = Dataset.from_list([{"prompt": p, "ground_truth": "7"} for p in prompts] * 4)
    before = serve.metric("molrl_serve_results_total", route="/v1/score")
    args = GRPOConfig(output_dir=str(tmp_path / "out"), per_device_train_batch_size=4, num_generations=4, max_completion_length=12,
                      max_steps=2, learning_rate=1e-3, logging_steps=1, report_to=[], save_strategy="no", use_cpu=True,
                      bf16=False, seed=0, dataloader_num_workers=0)
    trainer = GRPOTrainer(model=path, processing_class=AutoTokenizer.from_pretrained(path), reward_funcs=[trl_reward(serve.url, name="molrl")],
                          args=args, train_dataset=ds)
    trainer.train()
    assert trainer.state.global_step == 2
    logged = [h for h in trainer.state.log_history if "rewards/molrl/mean" in h]
    assert len(logged) == 2, trainer.state.log_history
    # every completion of both steps was scored by the server (4 per step; TRL may generate for more steps ahead)
    assert serve.metric("molrl_serve_results_total", route="/v1/score") - before >= 8


def test_trl_reward_passes_columns_and_returns_none_for_infra_errors(serve):
    from molrl_client import trl_reward

    f = trl_reward(serve.url, name="code")
    logged = {}
    completions = ["```python\nprint(input())\n```", "```python\nprint(2)\n```", "MOLRL_TEST_INFRA", "no code"]
    out = asyncio.run(f(prompts=["p"] * 4, completions=completions, ground_truth=["hi", "3", "1", "1"], stdin=["hi\n", "", "", ""],
                        trainer_state=object(), log_metric=lambda k, v: logged.__setitem__(k, v), completion_ids=[[1]] * 4))
    assert out == [1.0, 0.4, None, 0.0]
    assert logged == {"code/infra_errors": 1.0}
    assert f.__name__ == "code"


def test_trl_reward_takes_conversational_completions(serve):
    from molrl_client import trl_reward

    f = trl_reward(serve.url)
    prompts = [[{"role": "user", "content": "print 5"}]]
    completions = [[{"role": "assistant", "content": "```python\nprint(5)\n```"}]]
    assert asyncio.run(f(prompts=prompts, completions=completions, ground_truth=["5"])) == [1.0]
