// Decodes the page's embedded samples: base64 of gzip-compressed JSON, inflated by the browser's own DecompressionStream.
import type { PageRunSamples } from '../report-data.ts';

/** base64 -> gunzip -> JSON. */
export async function decodeSamples(base64: string): Promise<PageRunSamples[]> {
  if (!base64) return [];
  const bin = atob(base64);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return JSON.parse(await new Response(stream).text()) as PageRunSamples[];
}
