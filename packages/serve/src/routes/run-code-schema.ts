// JSON schemas of SandboxFusion's POST /run_code as its clients send it (sandbox-fusion's RunCodeRequest, verl's
// payload) and of its answer (RunCodeResponse). Times are in seconds, files are base64.

const commandRunResult = {
  type: 'object',
  required: ['status', 'execution_time', 'return_code', 'stdout', 'stderr'],
  properties: {
    status: { enum: ['Finished', 'Error', 'TimeLimitExceeded'], description: 'Error: the sandbox failed (never the program)' },
    execution_time: { type: ['number', 'null'], description: 'wall-clock seconds' },
    return_code: { type: ['integer', 'null'], description: 'exit code; 128 + signal number when killed by a signal; null when the sandbox failed or the time limit cut the run' },
    stdout: { type: 'string' },
    stderr: { type: 'string' },
  },
} as const;

/** Request body of POST /run_code. Unknown fields are accepted and ignored (as SandboxFusion does). */
export const runCodeRequestSchema = {
  type: 'object',
  required: ['code', 'language'],
  properties: {
    code: { type: 'string', description: 'the program' },
    language: { type: 'string', minLength: 1, description: "SandboxFusion language name ('python', 'nodejs', 'cpp', ...); unsupported ones are answered 400" },
    stdin: { type: ['string', 'null'], description: 'text fed to standard input' },
    compile_timeout: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'seconds (compiled languages)' },
    run_timeout: { type: 'number', exclusiveMinimum: 0, default: 10, description: 'seconds' },
    memory_limit_MB: { type: 'integer', minimum: -1, default: -1, description: "MB; -1 or 0: the server's sandbox.limits.memoryMb" },
    files: { type: 'object', additionalProperties: { type: ['string', 'null'] }, default: {}, description: 'relative path -> base64 of the content (UTF-8 text)' },
    fetch_files: { type: 'array', items: { type: 'string' }, default: [], description: 'not supported: must be empty' },
  },
} as const;

/** Answer of POST /run_code (HTTP 200 for every program outcome and for SandboxError). */
export const runCodeResponseSchema = {
  type: 'object',
  required: ['status', 'message', 'compile_result', 'run_result', 'executor_pod_name', 'files'],
  properties: {
    status: { enum: ['Success', 'Failed', 'SandboxError'], description: 'Success: exit 0; Failed: non-zero exit, time/memory/output limit, killed; SandboxError: the infrastructure failed (retry, never a score)' },
    message: { type: 'string', description: "why, when not Success: 'memory limit exceeded (256 MB)', 'output limit exceeded ...', the sandbox error's code and text" },
    compile_result: { anyOf: [{ type: 'null' }, commandRunResult] },
    run_result: commandRunResult,
    executor_pod_name: { type: 'string' },
    files: { type: 'object', additionalProperties: { type: 'string' } },
  },
} as const;

/** The request as the route sees it after validation (defaults applied). */
export interface RunCodeRequest {
  code: string;
  language: string;
  stdin?: string | null;
  compile_timeout: number;
  run_timeout: number;
  memory_limit_MB: number;
  files: Record<string, string | null>;
  fetch_files: string[];
}

/** One command's result in a RunCodeResponse. */
export interface CommandRunResult {
  status: 'Finished' | 'Error' | 'TimeLimitExceeded';
  execution_time: number | null;
  return_code: number | null;
  stdout: string;
  stderr: string;
}

/** The answer of POST /run_code. */
export interface RunCodeResponse {
  status: 'Success' | 'Failed' | 'SandboxError';
  message: string;
  compile_result: CommandRunResult | null;
  run_result: CommandRunResult;
  executor_pod_name: string;
  files: Record<string, string>;
}
