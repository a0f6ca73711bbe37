// CPU time a docker pool costs the machine: its containers (cgroup v1 cpuacct, exact), the Docker daemon and the
// containerd shims of its containers (/proc ticks), and this Node process (process.cpuUsage).
import { readFileSync, readdirSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ = 100 on Linux

function ticksMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(')')[1]!.trim().split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS; // utime + stime
  } catch {
    return 0;
  }
}

function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name) out.push(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function containerMs(id: string): number | null {
  for (const path of [`/sys/fs/cgroup/cpuacct/docker/${id}/cpuacct.usage`, `/sys/fs/cgroup/cpu,cpuacct/docker/${id}/cpuacct.usage`]) {
    try {
      return Number(readFileSync(path, 'utf8')) / 1e6;
    } catch {
      // another layout
    }
  }
  return null;
}

/** CPU ms by part since `start()`; null parts could not be read here. */
export interface DockerCpu {
  containers: number | null;
  dockerd: number;
  shims: number;
  node: number;
}

/** Starts counting for the containers `ids`; `stop()` returns what each part used since. */
export function meterDockerCpu(ids: string[]): { stop(): DockerCpu } {
  const shims = pidsNamed('containerd-shim').filter((p) => {
    try {
      return ids.some((id) => readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(id));
    } catch {
      return false;
    }
  });
  const dockerd = pidsNamed('dockerd');
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const containers = () => {
    const xs = ids.map(containerMs);
    return xs.some((x) => x === null) ? null : sum(xs as number[]);
  };
  const before = { containers: containers(), dockerd: sum(dockerd.map(ticksMs)), shims: sum(shims.map(ticksMs)), node: process.cpuUsage() };
  return {
    stop() {
      const after = containers();
      const node = process.cpuUsage(before.node);
      return {
        containers: after === null || before.containers === null ? null : after - before.containers,
        dockerd: sum(dockerd.map(ticksMs)) - before.dockerd,
        shims: sum(shims.map(ticksMs)) - before.shims,
        node: (node.user + node.system) / 1000,
      };
    },
  };
}
