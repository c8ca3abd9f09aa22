// The real data plane with the addon built under AddressSanitizer and UBSan
// (scripts/asan-addon.sh, into build/asan/): a Node child relays real traffic to a
// real receiver, takes live rule changes, is fed malformed frames and closes, and the
// sanitizers must not report anything on the way (the environment, and why leak
// checking is limited to the addon's own threads, is explained in the script).
import t from 'tap';
import { execa } from 'execa';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ethernet, ipv4, macFromText, multicastMac, udp, udpFrame } from '../helpers/frames.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { startRelay, type RuleStatusReply } from '../helpers/relay.js';
import { rule } from '../helpers/ruleset.js';
import { inject, runGen, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const BUILD = fileURLToPath(new URL('../../scripts/asan-addon.sh', import.meta.url));
const ORDINARY_ADDON = fileURLToPath(new URL('../../build/Release/mcr_native.node', import.meta.url));
const SANITIZER_REPORT = /ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|SUMMARY: \w+Sanitizer/;

function envFrom(stdout: string): Record<string, string> {
  const pairs = stdout.split('\n').flatMap((line) => {
    const match = /^([A-Z_]+)=(\S+)$/.exec(line);
    return match ? [[match[1], match[2]] as const] : [];
  });
  return Object.fromEntries(pairs);
}

const MAIN = 'in0 239.1.1.1:5000';
const MAIN_KEY = 'in0|239.1.1.1|5000|*';
const v1 = [rule('main', MAIN, 'out0 239.2.2.1:5000')];
// Live: a second output on the running rule, and on another group a source-specific
// rule beside an any-source one. Then the second output goes again.
const v2 = [
  rule('main', MAIN, 'out0 239.2.2.1:5000', 'out0 239.2.2.2:5000'),
  rule('ssm', 'in0 239.1.1.3:5000 from 10.1.0.2', 'out0 239.2.2.3:5000'),
  rule('asm', 'in0 239.1.1.3:5000', 'out0 239.2.2.4:5000'),
];
const v3 = [...v1, ...v2.slice(1)];

const LIVE = 3000; // at 1000/s: the changes land in the middle of the stream
const SSM = 500;
const ROUNDS = 20;

// Built once for both runs (skipped when up to date).
const build = skip ? undefined : await execa('bash', [BUILD], { reject: false, timeout: 240_000 });
const env = envFrom(build?.stdout ?? '');

t.test('scripts/asan-addon.sh builds a sanitized addon beside the ordinary one', { skip }, async (t) => {
  t.equal(build?.exitCode, 0, 'it exits 0');
  if (build?.exitCode !== 0) t.comment(`${build?.stdout}\n${build?.stderr}`);
  t.ok(env.MCR_NATIVE_ADDON && env.MCR_NATIVE_ADDON !== ORDINARY_ADDON, `its own addon: ${env.MCR_NATIVE_ADDON}`);
  t.match(env.LD_PRELOAD, /libasan\.so.*:.*libubsan\.so/, 'both sanitizer runtimes preloaded');
});

const unbuilt = build?.exitCode === 0 ? false : 'the sanitized addon did not build (see the test above)';
for (const backend of ['io_uring', 'syscalls']) {
  t.test(
    `on ${backend}: relays through live changes and malformed frames with no sanitizer report`,
    { skip: skip || unbuilt },
    async (t) => {
      const lab = Lab.create(t);
      const net = await chain(lab);
      const relay = await startRelay(net.relay, { env, backend, workers: 2 });
      const maps = readFileSync(`/proc/${relay.pid}/maps`, 'utf8');
      t.ok(maps.includes(env.MCR_NATIVE_ADDON ?? '?'), 'the relay process runs the sanitized addon');
      t.match(maps, /libasan\.so/, 'with the ASan runtime');
      t.same(relay.info, { ...relay.info, backend, workers: 2 }, `two workers on the ${backend} backend`);

      const active = (status: RuleStatusReply[] = []) =>
        status.every((r) => r.state === 'active' && r.outputs.every((o) => o.state === 'active'));
      t.ok(active(await relay.apply(...v1)), 'the first rule is active');
      const mac = macFromText(await net.src.ns.mac('eth0'));
      const src = net.src.address;
      const payload = Buffer.from('a valid frame among malformed ones');
      const valid = udpFrame(mac, src, '239.1.1.1', 5000, payload);
      const malformed: Record<string, Buffer[]> = {
        truncated: [valid.subarray(0, 20), valid.subarray(0, 14), valid.subarray(0, 33)],
        bad_ip_checksum: [udpFrame(mac, src, '239.1.1.1', 5000, payload, { checksum: 0x0bad })],
        bad_ip_header: [udpFrame(mac, src, '239.1.1.1', 5000, payload, { ihl: 4 })],
        bad_ip_length: [udpFrame(mac, src, '239.1.1.1', 5000, payload, { totalLength: 1400 })],
        bad_udp_length: [ethernet(multicastMac('239.1.1.1'), mac, 0x0800, ipv4({ src, dst: '239.1.1.1' }, udp(40000, 5000, payload, 3)))],
        fragment: [udpFrame(mac, src, '239.1.1.1', 5000, payload, { flagsFragment: 0x2000 })],
        not_udp: [ethernet(multicastMac('239.1.1.1'), mac, 0x0800, ipv4({ src, dst: '239.1.1.1', protocol: 6 }, Buffer.alloc(20)))],
      };

      // The receiver counts per group; 239.2.2.2 exists only between the two changes.
      const sink = await startSink(net.rx.ns, {
        group: ['239.2.2.1', '239.2.2.2', '239.2.2.3', '239.2.2.4'],
        port: 5000,
        idleTimeout: 4,
        durationLimit: 60,
      });
      // Each change waits for a third of the stream to have passed, not for a fixed time,
      // so both land mid-stream however slowly the sender or the sanitized relay starts.
      const relayed = async (count: number) => {
        const deadline = Date.now() + 20_000;
        while (((await relay.counters()).rules[MAIN_KEY]?.packets ?? 0) < count) {
          if (Date.now() > deadline) throw new Error(`the relay did not reach ${count} datagrams in 20 s`);
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      };
      const live = runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: LIVE, rate: 1000, size: 200 });
      await relayed(LIVE / 3);
      t.ok(active(await relay.apply(...v2)), 'live change 1: an output and two rules added');
      await relayed((2 * LIVE) / 3);
      t.ok(active(await relay.apply(...v3)), 'live change 2: the added output removed');
      t.equal((await live).sent, LIVE, 'the live stream was sent');
      const ssm = await runGen(net.src.ns, { group: '239.1.1.3', port: 5000, count: SSM, rate: 1000, size: 200 });
      t.equal(ssm.sent, SSM, 'the stream to the source-specific rule was sent');
      const frames: Buffer[] = [];
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const list of Object.values(malformed)) for (const frame of list) frames.push(valid, frame);
      }
      const validSent = frames.filter((frame) => frame === valid).length;
      t.equal((await inject(net.src.ns, 'eth0', frames)).sent, frames.length, 'the malformed frames were injected');

      const report = await sink.report;
      const at = (group: string) => report.groups.find((g) => g.group === group)?.datagrams ?? 0;
      t.equal(
        at('239.2.2.1'),
        LIVE + validSent,
        'the running rule relayed every datagram through both changes, and every valid injected frame',
      );
      t.ok(
        at('239.2.2.2') > 0 && at('239.2.2.2') < LIVE,
        `the output that lived between the changes got part of the stream (${at('239.2.2.2')})`,
      );
      t.equal(at('239.2.2.3'), SSM, 'the source-specific rule got every datagram from its source');
      t.equal(at('239.2.2.4'), 0, 'the any-source rule on the same group got none of them');

      const counters = await relay.counters();
      for (const [kind, list] of Object.entries(malformed)) {
        t.equal(counters.worker[kind], list.length * ROUNDS, `${kind} frames counted and dropped`);
      }

      const exit = await relay.close();
      const stderr = relay.stderr();
      t.equal(exit.exitCode, 0, 'the relay exited 0 (a sanitizer report exits 66)');
      t.notMatch(stderr, SANITIZER_REPORT, 'no AddressSanitizer, LeakSanitizer or UBSan report');
      if (SANITIZER_REPORT.test(stderr) || exit.exitCode !== 0) t.comment(stderr.slice(0, 20_000));
    },
  );
}
