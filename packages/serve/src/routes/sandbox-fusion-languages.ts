// SandboxFusion's language names and the sandbox language that runs each: the one table that grows as the
// sandbox images learn languages (today: python in the docker image; javascript on the process and isolated-vm backends).
import type { BackendName, Language } from '@molrl/sandbox';

/** SandboxFusion language name -> the RunRequest language that runs it; null: a SandboxFusion name with no runner yet. */
export const SANDBOX_FUSION_LANGUAGES: Readonly<Record<string, Language | null>> = Object.freeze({
  D_ut: null,
  R: null,
  bash: null,
  cpp: null,
  csharp: null,
  cuda: null,
  go: null,
  go_test: null,
  java: null,
  jest: null,
  julia: null,
  junit: null,
  kotlin_script: null,
  lean: null,
  lua: null,
  nodejs: 'javascript',
  perl: null,
  php: null,
  pytest: null,
  python: 'python',
  python2: null,
  python_gpu: null,
  racket: null,
  react: null,
  ruby: null,
  rust: null,
  scala: null,
  sql: null,
  swift: null,
  typescript: null,
  verilog: null,
});

/** What each backend runs today (the docker image: python; a runner may report fewer, see SANDBOX_LANGUAGE_UNSUPPORTED). */
export const BACKEND_LANGUAGES: Readonly<Record<BackendName, readonly Language[]>> = Object.freeze({
  docker: ['python'],
  'isolated-vm': ['javascript'],
  process: ['python', 'javascript'],
});

/** The SandboxFusion names that run on sandbox languages `languages`, sorted. */
export function sandboxFusionNames(languages: readonly string[]): string[] {
  return Object.entries(SANDBOX_FUSION_LANGUAGES)
    .filter(([, language]) => language !== null && languages.includes(language))
    .map(([name]) => name)
    .sort();
}
