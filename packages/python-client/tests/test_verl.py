"""verl against a real `molrl serve`: its reward manager with molrl_client as custom compute_score, and verl's own
SandboxFusion reward (verl.utils.reward_score.sandbox_fusion) against /run_code, 504 retries included."""
import json

import pytest

from serve_helpers import Serve, code_config, hold_the_slot, release_after, require_docker, require_modules

require_modules("verl", "omegaconf", "tensordict", "ray")

PROGRAM = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
TESTS = {"inputs": ["1 2\n", "3 4\n", "10 20\n"], "outputs": ["3\n", "7\n", "30\n"]}


def data_proto(tok, prompt: str, response: str, ground_truth, extra_info):
    """One DataProto item as verl's rollout leaves it: left-padded prompt ids, right-padded response ids."""
    import numpy as np
    import torch
    from verl import DataProto

    p = tok(prompt, add_special_tokens=False)["input_ids"]
    r = tok(response, add_special_tokens=False)["input_ids"]
    pad = tok.pad_token_id
    prompts = torch.tensor([[pad] * 2 + p])
    responses = torch.tensor([r + [pad] * 3])
    mask = torch.tensor([[0] * 2 + [1] * len(p) + [1] * len(r) + [0] * 3])
    return DataProto.from_dict(
        tensors={"prompts": prompts, "responses": responses, "attention_mask": mask},
        non_tensors={"data_source": np.array(["molrl/code"], dtype=object), "reward_model": np.array([{"ground_truth": ground_truth}], dtype=object),
                     "extra_info": np.array([extra_info], dtype=object)},
    )


def test_reward_manager_scores_through_the_molrl_client(serve):
    from omegaconf import OmegaConf
    from verl.experimental.reward_loop.reward_manager.naive import NaiveRewardManager
    from verl.trainer.ppo.reward import get_custom_reward_fn

    from tiny_model import tokenizer

    config = OmegaConf.create({"reward": {"custom_reward_function": {"path": "pkg://molrl_client", "name": "compute_score", "reward_kwargs": {"url": serve.url}}}})
    compute_score = get_custom_reward_fn(config)
    tok = tokenizer()
    manager = NaiveRewardManager(config, tok, compute_score)
    good = manager.loop.run_until_complete(manager.run_single(data_proto(tok, "Add two numbers.\n", PROGRAM, "7", {"stdin": "3 4\n"})))
    assert good["reward_score"] == 1.0
    info = good["reward_extra_info"]
    assert info["reward:code-execution"] == 1.0 and info["reward:code-execution.correct"] == 1.0 and info["abstained"] == 0
    wrong = manager.loop.run_until_complete(manager.run_single(data_proto(tok, "Add two numbers.\n", PROGRAM, "8", {"stdin": "3 4\n"})))
    assert wrong["reward_score"] == pytest.approx(0.4)


def test_compute_score_raises_instead_of_scoring_an_infra_error_zero(serve):
    from molrl_client import MolrlInfraError, verl_compute_score

    with pytest.raises(MolrlInfraError):
        verl_compute_score("molrl/code", "MOLRL_TEST_INFRA", "1", {}, url=serve.url, infra_retries=1)


def test_verl_sandbox_fusion_reward_runs_on_run_code(serve):
    from verl.utils.reward_score import default_compute_score

    score = default_compute_score("codecontests", PROGRAM, json.dumps(TESTS), sandbox_fusion_url=serve.url + "/run_code", memory_limit_mb=1024)
    assert score == 1.0
    half = dict(TESTS, outputs=["3\n", "8\n", "31\n"])
    assert default_compute_score("codecontests", PROGRAM, json.dumps(half), sandbox_fusion_url=serve.url + "/run_code", memory_limit_mb=1024) == pytest.approx(1 / 3)


def test_verl_retries_the_504_of_an_overloaded_server():
    from verl.utils.reward_score.sandbox_fusion.utils import call_sandbox_api

    require_docker()
    server = Serve(code_config(pool_size=1), "--concurrency", "1", "--queue", "0")
    try:
        holder = hold_the_slot(server)
        releaser = release_after(server, holder, "molrl_serve_rejected_total", route="/run_code", reason="overload")
        answer, error = call_sandbox_api(server.url + "/run_code", "print(input())", "hi\n", 10, 10, 1024, "python")
        releaser.join(30)
        assert error is None, error
        assert answer["status"] == "Success" and answer["run_result"]["stdout"] == "hi\n"
        assert server.metric("molrl_serve_requests_total", route="/run_code", status="504") >= 1
    finally:
        assert server.stop() == 130, server.stderr
