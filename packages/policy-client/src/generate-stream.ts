// Reads the NDJSON answer of a streamed POST /v1/generate: validates each line and the line order
// (rollout, completion..., done), turns an `error` line into POLICY_SERVER_ERROR.
import { formatAjvErrors, isMolrlError } from '@molrl/common';
import { errors } from './errors.ts';
import { ndjsonLines } from './ndjson.ts';
import { validatorFor } from './schemas.ts';
import type { OpenResponse } from './transport.ts';
import type { GenerateStreamEvent, GenerateStreamLine } from './types.ts';

/** Yields the events of an open streamed generation; closes the connection when the consumer stops early. */
export async function* readGenerateStream(opened: OpenResponse, endpoint: string): AsyncGenerator<GenerateStreamEvent> {
  const { response } = opened;
  const validate = validatorFor('generate-stream-line');
  let rolloutId: string | undefined;
  let count = 0;
  let lineNo = 0;
  try {
    if (!response.body) throw errors.POLICY_PROTOCOL_INVALID(endpoint, ['the stream has no body']);
    for await (const line of ndjsonLines(response.body, opened.touch)) {
      lineNo++;
      let event: unknown;
      try {
        event = JSON.parse(line);
      } catch (error) {
        throw errors.POLICY_PROTOCOL_INVALID(endpoint, [`line ${lineNo} is not JSON: ${line.slice(0, 120)}`], error);
      }
      if (!validate(event)) throw errors.POLICY_PROTOCOL_INVALID(endpoint, formatAjvErrors(validate.errors, event, `line ${lineNo}`));
      const e = event as GenerateStreamLine;
      if (e.type === 'error') throw errors.POLICY_SERVER_ERROR(endpoint, response.status, e.error.code, e.error.message, e.error.path);
      if ((e.type === 'rollout') !== (rolloutId === undefined)) {
        throw errors.POLICY_PROTOCOL_INVALID(endpoint, [`line ${lineNo}: unexpected '${e.type}'; the stream starts with exactly one 'rollout' line`]);
      }
      if (e.type === 'rollout') rolloutId = e.rolloutId;
      if (e.type === 'completion') count++;
      if (e.type === 'done' && (e.rolloutId !== rolloutId || e.completions !== count)) {
        throw errors.POLICY_PROTOCOL_INVALID(endpoint, [
          `'done' names rollout ${e.rolloutId} with ${e.completions} completions; the stream had rollout ${rolloutId} with ${count}`,
        ]);
      }
      yield e;
      if (e.type === 'done') return;
    }
  } catch (error) {
    throw isMolrlError(error) ? error : opened.fail(error);
  } finally {
    opened.done();
  }
  throw errors.POLICY_PROTOCOL_INVALID(endpoint, [`the stream ended after ${count} completions without a 'done' line`]);
}
