// Terminal output of `molrl train`: on a TTY a live status block (phase, step/total, ETA, reward, last eval,
// sandbox use, server tokens/s) redrawn in place every second and on each step; plain lines otherwise (and
// with --json), one per step and one per eval.
import type { MetricsRecord, PhaseConfig, PhaseProgress, SandboxUsage } from '@molrl/core';

const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : '-');
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

/** Seconds as `1m05s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Options of the progress display. */
export interface TrainProgressOptions {
  stream?: NodeJS.WriteStream;
  /** Redraw in place (default: the stream is a TTY). `molrl train --json` passes false. */
  tty?: boolean;
  /** Redraw period of the live block, ms (0: only on events). @default 1000 */
  refreshMs?: number;
  /** Clock, ms (tests). @default performance.now */
  now?: () => number;
}

/** What the live view knows. */
interface LiveState {
  phaseIndex: number;
  phases: number;
  phaseType: string;
  step: number;
  total: number;
  eta: number | null;
  headline: Record<string, number | null>;
  rewardStd: number | null;
  lastEval: MetricsRecord | null;
  tokensPerS: number | null;
}

/** Progress reporter: `update` per step, `metrics` per metrics line, `eval` per eval, `line` for messages. */
export class TrainProgress {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  readonly #now: () => number;
  readonly #refreshMs: number;
  #phaseStart = new Map<number, { t: number; step: number }>();
  #started: number;
  #drawnLines = 0;
  #state: LiveState | null = null;
  #phases = 0;
  #sandbox: (() => SandboxUsage) | null = null;
  #timer: NodeJS.Timeout | null = null;
  #pending: Partial<LiveState> = {};
  /** When the last step was reported (the ETA counts down from it between steps). */
  #lastUpdate = 0;

  constructor(options: TrainProgressOptions | NodeJS.WriteStream = {}) {
    const o: TrainProgressOptions = 'write' in options ? { stream: options as NodeJS.WriteStream } : (options as TrainProgressOptions);
    this.#stream = o.stream ?? process.stderr;
    this.#tty = o.tty ?? this.#stream.isTTY === true;
    this.#now = o.now ?? (() => performance.now());
    this.#refreshMs = o.refreshMs ?? 1000;
    this.#started = this.#now();
  }

  /** The run started: how many phases it has and where to read the sandbox use. */
  start(info: { phases: number; sandbox?: () => SandboxUsage }): void {
    this.#phases = info.phases;
    this.#sandbox = info.sandbox ?? null;
  }

  /** One step done. */
  update(phaseIndex: number, phase: PhaseConfig, p: PhaseProgress): void {
    const now = this.#now();
    const first = this.#phaseStart.get(phaseIndex) ?? { t: now, step: p.step - 1 };
    if (!this.#phaseStart.has(phaseIndex)) this.#phaseStart.set(phaseIndex, first);
    const rate = (p.step - first.step) / Math.max(1e-3, (now - first.t) / 1000);
    const eta = now > first.t && rate > 0 ? (p.total - p.step) / rate : null; // unknown at the first step of a phase
    this.#lastUpdate = now;
    const prev = this.#state;
    this.#state = {
      phaseIndex,
      phases: Math.max(this.#phases, phaseIndex + 1),
      phaseType: phase.type,
      step: p.step,
      total: p.total,
      eta,
      headline: p.metrics ?? {},
      rewardStd: prev?.rewardStd ?? null,
      lastEval: prev?.lastEval ?? null,
      tokensPerS: prev?.tokensPerS ?? null,
      ...this.#pending,
    };
    this.#pending = {};
    if (this.#tty) {
      this.#draw();
      this.#startTimer();
    } else {
      this.#stream.write(`${this.#plain()}\n`);
    }
  }

  /** A metrics line (train or eval) as appended to metrics.jsonl: feeds the reward spread and tokens/s. */
  metrics(record: MetricsRecord): void {
    const patch: Partial<LiveState> = {};
    if (num(record['reward/std']) !== null) patch.rewardStd = num(record['reward/std']);
    if (num(record['throughput/generate_tokens_per_s']) !== null) patch.tokensPerS = num(record['throughput/generate_tokens_per_s']);
    if (this.#state) Object.assign(this.#state, patch);
    else Object.assign(this.#pending, patch);
  }

  /** An eval result: a line of its own, and the live block's "last eval". */
  eval(record: MetricsRecord): void {
    const greedy = Object.entries(record)
      .filter(([k]) => k.startsWith('eval/greedy/accuracy'))
      .map(([k, v]) => `${k.replace('eval/greedy/accuracy', 'greedy acc') || 'greedy acc'} ${fmt(v)}`)
      .join('  ');
    if (this.#state) this.#state.lastEval = record;
    else this.#pending.lastEval = record;
    this.line(`eval @ step ${record.step}: reward (T=${record['eval/temperature']}) ${fmt(record['eval/reward/mean'])}  pass@1 ${fmt(record['eval/pass@1'])}  ${greedy}`);
  }

  /** A message on its own line (above the live block, which is redrawn under it). */
  line(text: string): void {
    if (this.#tty && this.#drawnLines) {
      this.#stream.write(`${this.#erase()}${text}\n`);
      this.#drawnLines = 0;
      this.#draw();
    } else {
      this.#stream.write(`${text}\n`);
    }
  }

  /** Erases the live block and stops redrawing. */
  done(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    if (this.#drawnLines) this.#stream.write(this.#erase());
    this.#drawnLines = 0;
    this.#state = null;
  }

  #startTimer(): void {
    if (this.#timer || this.#refreshMs <= 0) return;
    this.#timer = setInterval(() => this.#draw(), this.#refreshMs);
    this.#timer.unref();
  }

  /** Moves to the first line of the drawn block and clears to the end of the screen. */
  #erase(): string {
    if (!this.#drawnLines) return '';
    return `\r${this.#drawnLines > 1 ? `\x1b[${this.#drawnLines - 1}A` : ''}\x1b[J`;
  }

  #draw(): void {
    if (!this.#state) return;
    const width = Math.max(40, (this.#stream.columns ?? 100) - 1);
    // Lines longer than the terminal would wrap and break the cursor arithmetic: cut them.
    const lines = this.#block().map((l) => (l.length > width ? `${l.slice(0, width - 1)}…` : l));
    this.#stream.write(`${this.#erase()}${lines.join('\n')}`);
    this.#drawnLines = lines.length;
  }

  /** The live block, one string per terminal line. */
  #block(): string[] {
    const s = this.#state!;
    const barWidth = 24;
    const done = Math.round((s.step / Math.max(1, s.total)) * barWidth);
    const elapsed = (this.#now() - this.#started) / 1000;
    const eta = s.eta === null ? '-' : formatDuration(Math.max(0, s.eta - (this.#now() - this.#lastUpdate) / 1000));
    const lines = [`\x1b[1m${s.phaseType}\x1b[0m · phase ${s.phaseIndex + 1}/${s.phases}  [${'#'.repeat(done).padEnd(barWidth, '-')}]  step ${s.step}/${s.total}  ETA ${eta}  (elapsed ${formatDuration(elapsed)})`];
    lines.push([this.#headline(), this.#evalText()].filter(Boolean).join('   ·   ') || 'waiting for the first step…');
    const infra = [this.#sandboxText(), s.tokensPerS === null ? null : `server ${Math.round(s.tokensPerS).toLocaleString('en-US')} tokens/s`].filter(Boolean);
    if (infra.length) lines.push(infra.join('   ·   '));
    return lines;
  }

  #headline(): string {
    const s = this.#state!;
    return Object.entries(s.headline)
      .map(([k, v]) => (k === 'reward' && s.rewardStd !== null ? `reward ${fmt(v)} ± ${fmt(s.rewardStd)}` : `${k} ${fmt(v)}`))
      .join('  ');
  }

  #evalText(): string {
    const e = this.#state!.lastEval;
    if (!e) return '';
    const parts = [`last eval @${e.step}: reward ${fmt(e['eval/reward/mean'])}`];
    if (e['eval/pass@1'] !== undefined) parts.push(`pass@1 ${fmt(e['eval/pass@1'])}`);
    if (e['eval/greedy/accuracy'] !== undefined) parts.push(`greedy ${fmt(e['eval/greedy/accuracy'])}`);
    return parts.join('  ');
  }

  #sandboxText(): string | null {
    const u = this.#sandbox?.();
    if (!u || u.runs === 0) return null;
    // Runs in flight: executing or queued for a container (the pool has `capacity` containers when configured).
    return `sandbox ${u.busy} in flight${u.capacity ? ` on ${u.capacity} slots` : ''} (run peak ${u.peak}, ${u.runs.toLocaleString('en-US')} runs)`;
  }

  /** The plain (non-TTY) line of a step. */
  #plain(): string {
    const s = this.#state!;
    const parts = [`${s.phaseType} ${s.step}/${s.total}`, `(phase ${s.phaseIndex + 1}/${s.phases})`, this.#headline()];
    const u = this.#sandbox?.();
    if (u && u.runs > 0) parts.push(`sandbox peak ${u.peak} in flight${u.capacity ? ` on ${u.capacity} slots` : ''}`);
    if (s.tokensPerS !== null) parts.push(`server ${Math.round(s.tokensPerS)} tok/s`);
    parts.push(`ETA ${s.eta === null ? '-' : formatDuration(s.eta)}`);
    return parts.filter(Boolean).join('  ');
  }
}
