// Builds the paper's environment-feedback text ("Observation: Execution logs:" / "Observation: Error:") from a run.

/** Keeps the last `max` characters of `text` (tracebacks end with what matters). */
function tail(text: string, max: number): string {
  return text.length <= max ? text : `...${text.slice(text.length - max)}`;
}

/** Keeps the first `max` characters of `text`. */
function head(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}...`;
}

/** Removes the harness's own lines (marker and verdicts) from a stream before it is shown. */
export function stripMarker(text: string, marker: string | undefined): string {
  if (!marker) return text;
  return text
    .split('\n')
    .filter((line) => !line.includes(marker))
    .join('\n');
}

/** `Observation: Execution logs:\n<stdout>` when the program ran, else `Observation: Error: <last lines>`. */
export function formatFeedback(kind: 'logs' | 'error', stdout: string, error: string, maxChars: number): string {
  if (kind === 'logs') return `Observation: Execution logs:\n${head(stdout.replace(/\n+$/, ''), maxChars)}`;
  const lines = error.replace(/\n+$/, '').split('\n');
  return `Observation: Error: ${tail(lines.slice(-12).join('\n').trim(), maxChars)}`;
}
