"""OpenRLHF's own remote-reward client (SingleTurnAgentExecutor._fetch_rewards_via_http) against /get_reward:
many concurrent single-sample requests, and its retry of a 5xx after a container was killed mid-request."""
import asyncio
import subprocess
import threading
import time

from serve_helpers import Serve, code_config, require_docker, require_modules

require_modules("openrlhf", "aiohttp")

PROMPT = "<|im_start|>user\nPrint {n}.<|im_end|>\n<|im_start|>assistant\n"


def fetch(url: str, queries, prompts, labels):
    from openrlhf.utils.agent import SingleTurnAgentExecutor

    return SingleTurnAgentExecutor(remote_rm_url=url + "/get_reward")._fetch_rewards_via_http(queries, prompts, labels)


def test_concurrent_single_sample_requests(serve):
    cases = []
    for n in range(24):
        prompt = PROMPT.format(n=n)
        body = [f"```python\nprint({n})\n```", f"```python\nprint({n + 1})\n```", "no code here"][n % 3]
        cases.append((prompt + body + "<|im_end|>", prompt, str(n), [1.0, 0.4, 0.0][n % 3]))

    async def all_at_once():
        return await asyncio.gather(*(fetch(serve.url, [q], [p], [label]) for q, p, label, _ in cases))

    answers = asyncio.run(all_at_once())
    for (_, _, _, want), [answer] in zip(cases, answers):
        assert answer["rewards"] == [want] and answer["scores"] == [want]
        assert answer["extra_logs"]["reward:code-execution"] == [want]
        assert set(answer["extra_logs"]) >= {"reward:code-execution.parses", "reward:code-execution.executes", "reward:code-execution.correct"}


def test_a_container_killed_mid_request_is_retried_by_the_client():
    require_docker()
    server = Serve(code_config(pool_size=1), "--retries", "0")
    try:
        prompt = PROMPT.format(n=3)
        query = prompt + "```python\nimport time\ntime.sleep(1.5)\nprint(3)\n```"
        killed = []

        def kill_the_busy_container():
            while server.metric("molrl_sandbox_pool_busy") < 1:
                time.sleep(0.02)
            ids = subprocess.run(["docker", "ps", "-q", "--filter", f"label=molrl.pid={server.pid}"], capture_output=True, text=True).stdout.split()
            killed.extend(ids)
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)

        killer = threading.Thread(target=kill_the_busy_container)
        killer.start()
        [answer] = asyncio.run(fetch(server.url, [query], [prompt], ["3"]))
        killer.join(30)
        assert len(killed) == 1
        assert answer["rewards"] == [1.0]
        assert server.metric("molrl_serve_requests_total", route="/get_reward", status="503") == 1
        assert server.metric("molrl_serve_infra_errors_total", route="/get_reward") == 1
    finally:
        assert server.stop() == 130, server.stderr
