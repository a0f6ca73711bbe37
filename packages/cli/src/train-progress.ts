// Terminal output of `molrl train`: a redrawn status line on a TTY (step, reward, ETA), plain lines otherwise.
import type { MetricsRecord, PhaseConfig, PhaseProgress } from '@molrl/core';

const fmt = (v: unknown, digits = 3) => (typeof v === 'number' ? v.toFixed(digits) : '-');

/** Seconds as `1m05s`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Progress reporter: `update` per step, `line` for messages (erases the bar first on a TTY). */
export class TrainProgress {
  readonly #stream: NodeJS.WriteStream;
  readonly #tty: boolean;
  #phaseStart = new Map<number, { t: number; step: number }>();
  #drawn = false;

  constructor(stream: NodeJS.WriteStream = process.stderr) {
    this.#stream = stream;
    this.#tty = stream.isTTY === true;
  }

  /** One step done. */
  update(phaseIndex: number, phase: PhaseConfig, p: PhaseProgress): void {
    const now = performance.now();
    const first = this.#phaseStart.get(phaseIndex) ?? { t: now, step: p.step - 1 };
    if (!this.#phaseStart.has(phaseIndex)) this.#phaseStart.set(phaseIndex, first);
    const rate = (p.step - first.step) / Math.max(1e-3, (now - first.t) / 1000);
    const eta = rate > 0 ? (p.total - p.step) / rate : 0;
    const numbers = Object.entries(p.metrics ?? {}).map(([k, v]) => `${k} ${fmt(v)}`).join('  ');
    const label = `${phase.type} ${p.step}/${p.total}`;
    if (this.#tty) {
      const width = 24;
      const bar = '#'.repeat(Math.round((p.step / p.total) * width)).padEnd(width, '-');
      this.#stream.write(`\r\x1b[2K[${bar}] ${label}  ${numbers}  ETA ${formatDuration(eta)}`);
      this.#drawn = true;
    } else {
      this.#stream.write(`${label}  ${numbers}  ETA ${formatDuration(eta)}\n`);
    }
  }

  /** A message on its own line. */
  line(text: string): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
    this.#stream.write(`${text}\n`);
  }

  /** An eval result line. */
  eval(record: MetricsRecord): void {
    const greedy = Object.entries(record)
      .filter(([k]) => k.startsWith('eval/greedy/accuracy'))
      .map(([k, v]) => `${k.replace('eval/greedy/accuracy', 'greedy acc') || 'greedy acc'} ${fmt(v)}`)
      .join('  ');
    this.line(`eval @ step ${record.step}: reward (T=${record['eval/temperature']}) ${fmt(record['eval/reward/mean'])}  pass@1 ${fmt(record['eval/pass@1'])}  ${greedy}`);
  }

  done(): void {
    if (this.#drawn) this.#stream.write('\r\x1b[2K');
    this.#drawn = false;
  }
}
