// Human-readable output of `molrl sandbox run` (the --json form is one RunResult per line instead).
import type { RunResult } from '@molrl/sandbox';

/** A block per program: a header line with status, exit and time, then its stdout and (if any) stderr. */
export function formatSandboxResult(result: RunResult & { file: string }): string {
  const how = result.signal !== null ? `signal ${result.signal}` : result.exitCode !== null ? `exit ${result.exitCode}` : 'no exit code';
  const notes = [how, `${Math.round(result.durationMs)} ms`];
  if (result.truncated) notes.push('output truncated');
  if (result.marker) notes.push(`marker ${result.marker.requested ? 'requested' : 'not requested'}`);
  let text = `== ${result.file}: ${result.status} (${notes.join(', ')})\n`;
  if (result.error) text += `   ${result.error.code}: ${result.error.message}\n`;
  if (result.stdout !== '') text += withNewline(result.stdout);
  if (result.stderr !== '') text += `-- stderr --\n${withNewline(result.stderr)}`;
  return text;
}

/** One closing line: how many programs ran, counted by status. */
export function formatSandboxSummary(results: RunResult[]): string {
  const counts = new Map<string, number>();
  for (const r of results) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
  const parts = [...counts].map(([status, n]) => `${n} ${status}`);
  return `${results.length} program${results.length === 1 ? '' : 's'}: ${parts.join(', ') || 'none run'}\n`;
}

function withNewline(text: string): string {
  return text.endsWith('\n') ? text : `${text}\n`;
}
