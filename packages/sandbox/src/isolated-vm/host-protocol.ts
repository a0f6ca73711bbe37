// Messages between IsolatedVmSandbox and its isolate-host processes (child_process IPC, JSON).

/** One evaluation: the program, its input and limits, and the marker ('' for none). */
export interface HostRequest {
  id: number;
  code: string;
  stdin: string;
  marker: string;
  timeoutMs: number;
  memoryMb: number;
  outputLimitBytes: number;
}

/** Its outcome, classified by the host. */
export interface HostReply {
  id: number;
  status: 'ok' | 'runtime_error' | 'timeout' | 'memory_limit' | 'output_limit' | 'sandbox_error';
  stdout: string;
  stderr: string;
  truncated: boolean;
  markerRequested: boolean;
  /** Isolates this host has created so far. */
  generation: number;
  /** For sandbox_error: why no context could be made. */
  error?: string;
}

/** The host's first message: isolated-vm loaded (or why not). */
export interface HostHello {
  ready: boolean;
  error?: string;
}
