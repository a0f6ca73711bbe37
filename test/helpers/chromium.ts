// Debian's Chromium driven by playwright-core for the report's browser tests and bench: never downloads a
// browser, runs headless as root with its own empty profile and without any background networking.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/lib/chromium/chromium'];

/** The Chromium binary: $MOLRL_CHROMIUM, else Debian's. */
export function chromiumPath(): string | null {
  const env = process.env.MOLRL_CHROMIUM;
  if (env) return existsSync(env) ? env : null;
  return CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** Why no browser test can run, or null. */
export function chromiumMissing(): string | null {
  return chromiumPath() ? null : "Chromium not found (/usr/bin/chromium); run 'npm run setup' (it installs Debian's chromium) or set MOLRL_CHROMIUM";
}

/** Flags that keep Chromium off the network and working as root in a container. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-gpu', '--disable-dev-shm-usage', '--no-default-browser-check', '--disable-features=Translate,OptimizationHints,MediaRouter'];

/** A headless browser context on a fresh, empty profile directory; `close()` removes the profile. */
export async function launchChromium(viewport = { width: 1400, height: 900 }): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(chromiumMissing()!);
  const profile = mkdtempSync(join(tmpdir(), 'molrl-chromium-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_ARGS, viewport, timeout: 60_000 });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** What a report page exposes as `window.molrlReport` (see packages/report/src/page/main.ts). */
export interface ReportPageState {
  charts: Array<{ id: string; title: string; points: number; lines: number }>;
  version: string;
}

/** `window.molrlReport` inside a page function (tests are type-checked without the DOM library). */
export const pageState = (): ReportPageState => (globalThis as unknown as { molrlReport: ReportPageState }).molrlReport;
