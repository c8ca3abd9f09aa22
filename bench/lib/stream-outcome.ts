// One trial's verdict at one standing sink (pure): the trial sent its own stream id, and
// the sink, expecting the same count on every stream, reports each stream it saw.
import type { SinkReport } from '../../harness/traffic.js';
import type { SinkOutcome } from './fleet.js';

/** One sink's outcome for one trial's stream, from its report at the end of the block. */
export function streamOutcome(report: SinkReport | undefined, stream: number, sent: number, perTrial: number): SinkOutcome {
  const s = report?.streams.find((x) => x.stream === stream);
  if (!s) return { received: 0, lost: sent, duplicated: 0, reordered: 0, corrupted: 0, socketDrops: null };
  // The sink expects perTrial per stream; datagrams the generator never sent are not losses.
  return {
    received: s.received - s.duplicated,
    lost: Math.max(0, s.lost - (perTrial - sent)),
    duplicated: s.duplicated,
    reordered: s.reordered,
    corrupted: s.corrupted,
    socketDrops: null,
  };
}
