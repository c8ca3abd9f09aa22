// Checks of one rule's stream-health and redundancy settings that the schema cannot
// express: settings that only mean something beside another (inputs with redundancy,
// merge with RTP, a clock rate with RTP, revert with failover, a window with merge),
// and a rule with both input and inputs, or neither. Pure; it skips fields whose type is
// wrong (the schema has reported those).
import { fieldName, tableName } from './describe.js';
import type { JsonPath, Problem } from './problems.js';

type Table = Record<string, unknown>;

const RTP_PAYLOADS = ['rtp', 'rtp-mpegts'];

function quoted(value: unknown): string {
  return JSON.stringify(value);
}

export function checkHealth(path: JsonPath, rule: Table): Problem[] {
  const problems: Problem[] = [];
  const hasInput = rule.input !== undefined;
  const hasInputs = rule.inputs !== undefined;
  if (!hasInput && !hasInputs) {
    // The words the schema would use, were input required: a rule with one input is the
    // usual case, and its message must not change.
    problems.push({ code: 'missing-key', path, message: `${tableName(path)} is missing required key "input"` });
  }
  if (hasInput && hasInputs) {
    problems.push({
      code: 'input-and-inputs',
      path: [...path, 'inputs'],
      message: 'a rule has either input or inputs, not both; inputs lists every input, the primary first',
    });
  }
  const redundancy = typeof rule.redundancy === 'string' ? rule.redundancy : undefined;
  if (hasInputs && Array.isArray(rule.inputs) && rule.redundancy === undefined) {
    problems.push({
      code: 'needs-redundancy',
      path: [...path, 'inputs'],
      message:
        `inputs lists ${rule.inputs.length} inputs but the rule has no redundancy; set redundancy = "failover" ` +
        '(relay the primary, switch when it goes silent) or "merge" (SMPTE ST 2022-7: the first copy of each RTP datagram)',
    });
  }
  if (redundancy !== undefined && !hasInputs) {
    problems.push({
      code: 'needs-inputs',
      path: [...path, 'redundancy'],
      message: `redundancy = ${quoted(redundancy)} needs inputs = [ {...}, {...} ]: two or more inputs, the primary first`,
    });
  }
  const mustGo = (key: string, wanted: string): void => {
    if (rule[key] === undefined || redundancy === wanted) return;
    problems.push({ code: 'needs-redundancy', path: [...path, key], message: `${fieldName([key])} applies to redundancy = ${quoted(wanted)} only` });
  };
  mustGo('revert_after_ms', 'failover');
  mustGo('merge_window_ms', 'merge');
  const payload = typeof rule.payload === 'string' ? rule.payload : undefined;
  if (redundancy === 'merge' && (payload === undefined || !RTP_PAYLOADS.includes(payload))) {
    problems.push({
      code: 'needs-rtp',
      path: [...path, payload === undefined ? 'redundancy' : 'payload'],
      message:
        'redundancy = "merge" matches the copies by RTP sequence number: set payload = "rtp" or "rtp-mpegts"' +
        (payload === undefined ? '' : ` (got ${quoted(payload)})`),
    });
  }
  if (rule.clock_rate !== undefined && (payload === undefined || payload === 'mpegts')) {
    problems.push({
      code: 'needs-rtp',
      path: [...path, 'clock_rate'],
      message: 'clock_rate is the RTP timestamp clock: it needs payload = "rtp", "rtp-mpegts" or "auto"',
    });
  }
  return problems;
}
