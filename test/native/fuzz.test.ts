// Runs the libFuzzer targets of the native core (native/fuzz/run.sh: the packet parser
// with the rule lookup, the flow table, the egress frame header builder, and the stream
// health core: RTP, MPEG-TS, 2022-7 merge, failover) for 40 s
// each, side by side, under ASan and UBSan, from the checked-in seeds. Any crash, leak,
// broken invariant or sanitizer report fails it. Without clang it installs Debian's when
// it can (as root); it skips only when it cannot, and never in CI, whose quickstart
// installs clang.
import t from 'tap';
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';

const RUNNER = fileURLToPath(new URL('../../native/fuzz/run.sh', import.meta.url));
// Four targets side by side for 25 s (the whole suite must stay under 20 minutes in CI,
// and it grew by the IPv6, discovery and stream-health tests).
const SECONDS = 25;
// Each target's minimum is under a fifth of the fewest executions it did here in 40 s,
// side by side on two cores shared with other builds (load 9): 66,700, 14,100 and
// 128,000; scaled to 25 s and four targets they are still above twice the minimum. A
// run this short means the target stalled or exited early. The flow table's
// inputs are slow (every one ends with a sweep of the whole key universe), hence its
// lower bar.
const MIN_EXECUTIONS: Record<string, number> = {
  frame_fuzzer: 20_000,
  flow_table_fuzzer: 4_000,
  frame_header_fuzzer: 40_000,
  // Stream health (RTP, MPEG-TS, merge, failover): each input sets up a rule's state (the
  // merge's 16,384 slots), so it runs slower; 17,300 in 20 s alone here.
  media_fuzzer: 2_000,
};
const TARGETS = Object.keys(MIN_EXECUTIONS);
const NO_CLANG = 3;

const root = process.getuid?.() === 0;
const args = [...(root ? ['--install'] : []), String(SECONDS)];
const result = await execa('bash', [RUNNER, ...args], { reject: false, timeout: 300_000, all: true });
const lines = (result.all ?? '').split('\n').filter(Boolean);
const skip =
  result.exitCode === NO_CLANG && !process.env.CI
    ? `clang with libFuzzer is not installed${root ? ' and could not be installed' : ' (run as root to install it)'}: ${lines.at(-1)}`
    : false;

t.test(`the fuzz targets run ${SECONDS} s each under ASan and UBSan and find nothing`, { skip }, async (t) => {
  if (result.exitCode !== 0) t.comment(result.all ?? '');
  t.equal(result.exitCode, 0, 'native/fuzz/run.sh exits 0');
  const summary = /^fuzz: (\d+) executions, (\d+) crashes$/.exec(lines.at(-1) ?? '');
  t.ok(summary, `its last line is the summary: ${lines.at(-1)}`);
  t.equal(Number(summary?.[2]), 0, '0 crashes');
  for (const target of TARGETS) {
    const line = lines.find((l) => l.startsWith(`${target}: `)) ?? '';
    const match = /: (\d+) executions, (\d+) crashes, corpus (\d+) inputs, coverage (\d+) edges/.exec(line);
    t.ok(match, `${target} reported: ${line}`);
    const min = MIN_EXECUTIONS[target] ?? 0;
    t.ok(Number(match?.[1]) >= min, `${target} ran ${match?.[1]} inputs (at least ${min})`);
    t.equal(Number(match?.[2]), 0, `${target}: no crash`);
    t.ok(Number(match?.[4]) > 0, `${target} measured coverage (${match?.[4]} edges)`);
  }
});
