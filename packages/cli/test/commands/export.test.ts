// `molrl export`: a real hf-random LoRA checkpoint (written by the Python policy server package) exported as a run
// directory, loaded with plain transformers, generating greedily what the policy server generated; bad input coded.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultPython, defaultServerDir } from '@molrl/policy-client';
import { pythonModulesMissing, skipUnless } from '../../../../test/helpers/requirements.ts';
import { runCli } from '../../../../test/helpers/run-cli.ts';

const python = (code: string, ...args: string[]): string =>
  execFileSync(defaultPython(), ['-c', code, ...args], { env: { ...process.env, PYTHONPATH: defaultServerDir }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim().split('\n').at(-1) ?? '';

// A LoRA run on a random Qwen3-shaped model with the offline BPE tokenizer, a few policy steps, a checkpoint, and the
// server's greedy completion of one chat prompt.
const MAKE = `
import json, sys, torch
from molrl_policy import checkpoint, hf, testing
from molrl_policy.engine import Engine
from molrl_policy.generate import Sampling
root = sys.argv[1]
testing.tokenizer().save_pretrained(root + "/tok")
eng = Engine(hf.load_policy(testing.random_spec("qwen3", root + "/tok"), opts=hf.HFOptions(lora_r=4)), lr=1e-2)
P = [{"id": "a", "messages": [{"role": "user", "content": "Q: 7*6\\nA:"}]}]
for k in range(3):
    rid, _ = eng.generate(P, 4, Sampling(temperature=1.0, max_tokens=8), k)
    eng.train_policy({"rolloutId": rid, "advantages": [1, -1, 0.5, -0.5]})
checkpoint.save(eng, root + "/run/checkpoints/step-000003")
rid, _ = eng.generate(P, 1, Sampling(temperature=0, max_tokens=10), 0)
row = eng.rollouts.get(rid).rows[0]
print(json.dumps({"prompt": row.prompt_ids, "greedy": row.completion_ids, "eos": list(eng.policy.tok.eos_ids)}))
`;

const GREEDY = `
import json, sys, torch
from transformers import AutoModelForCausalLM
a = json.loads(sys.argv[2])
m = AutoModelForCausalLM.from_pretrained(sys.argv[1], dtype=torch.float32).eval()
ids = torch.tensor([a["prompt"]])
g = m.generate(ids, attention_mask=torch.ones_like(ids), max_new_tokens=10, do_sample=False, eos_token_id=a["eos"], pad_token_id=a["eos"][0])
print(json.dumps(g[0, ids.shape[1]:].tolist()))
`;

describe('molrl export', function () {
  this.timeout(300_000);
  let root = '';
  let made: { prompt: number[]; greedy: number[]; eos: number[] };

  before(async function () {
    skipUnless(this, await pythonModulesMissing('torch', 'transformers', 'peft', 'tokenizers'), 'molrl export');
    root = mkdtempSync(join(tmpdir(), 'molrl-export-'));
    made = JSON.parse(python(MAKE, root));
    writeFileSync(join(root, 'run', 'state.json'), JSON.stringify({ phase: 1, stepInPhase: 0, globalStep: 3, checkpoint: join(root, 'run', 'checkpoints', 'step-000003'), finished: true }));
  });

  it('--help names the arguments and flags', async () => {
    const run = await runCli(['export', '--help']);
    assert.equal(run.code, 0);
    for (const word of ['<checkpoint-or-run>', '--out', '--merge', '--json']) assert.match(run.stdout, new RegExp(word));
  });

  it('exports a run directory (its latest checkpoint) merged; plain transformers generates what the server did', async () => {
    const out = join(root, 'merged');
    const run = await runCli(['export', join(root, 'run'), '--out', out, '--merge', '--json']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(JSON.parse(run.stdout), { out, kind: 'model', merged: true });
    assert.deepEqual(JSON.parse(python(GREEDY, out, JSON.stringify(made))), made.greedy);
  });

  it('exports the adapter with its random base (PEFT layout)', async () => {
    const out = join(root, 'adapter');
    const run = await runCli(['export', join(root, 'run', 'checkpoints', 'step-000003'), '--out', out]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal(run.stdout.trim(), out);
    const check = `
import json, sys, os
from peft import AutoPeftModelForCausalLM
cfg = json.load(open(os.path.join(sys.argv[1], "adapter_config.json")))
m = AutoPeftModelForCausalLM.from_pretrained(sys.argv[1])
print(json.dumps([cfg["base_model_name_or_path"], sorted(os.listdir(sys.argv[1]))]))`;
    const [base, files] = JSON.parse(python(check, out)) as [string, string[]];
    assert.equal(base, join(out, 'base'));
    for (const f of ['adapter_config.json', 'adapter_model.safetensors', 'base', 'tokenizer.json']) assert.ok(files.includes(f), f);
  });

  it('refuses a tiny-model checkpoint, a run without checkpoint and a missing directory (exit 2, coded)', async () => {
    const tiny = join(root, 'tiny');
    mkdirSync(tiny);
    writeFileSync(join(tiny, 'state.json'), JSON.stringify({ format: 1, step: 1, model: 'tiny', describe: { kind: 'tiny', config: {} } }));
    let run = await runCli(['export', tiny, '--out', join(root, 'x'), '--json']);
    assert.equal(run.code, 2);
    assert.equal(JSON.parse(run.stderr).error.code, 'EXPORT_UNSUPPORTED');
    assert.match(run.stderr, /tiny/);
    const fresh = join(root, 'fresh');
    mkdirSync(fresh);
    writeFileSync(join(fresh, 'state.json'), JSON.stringify({ phase: 0, stepInPhase: 0, globalStep: 0, checkpoint: null, finished: false }));
    run = await runCli(['export', fresh, '--out', join(root, 'y')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /EXPORT_CHECKPOINT_INVALID: .*no checkpoint yet/);
    run = await runCli(['export', join(root, 'nope'), '--out', join(root, 'z')]);
    assert.equal(run.code, 2);
    assert.match(run.stderr, /EXPORT_CHECKPOINT_INVALID: .*nope.*no such directory/);
  });
});
