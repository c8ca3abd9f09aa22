// Malformed IPv6 frames on a running mcrd's input, each one between two valid frames:
// every valid frame is relayed (with and without extension headers), none of the others
// is, each kind lands in its own counter of the stats file, and mcrd keeps running.
import t from 'tap';
import { join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { MCR, run, tempDir } from '../helpers/cli.js';
import { macFromText } from '../helpers/frames.js';
import { fragmentBody, ipv6Frame6, NEXT_HEADER, optionsBody, udp6, type Extension, type Ipv6Fields } from '../helpers/frames6.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { inject, startSink } from '../helpers/traffic.js';

const skip = rootSkipReason();
const ROUNDS = 20;
const GROUP = 'ff0e::1:1';
const PORT = 5000;

t.test('malformed IPv6 frames (truncated, extension chains past the packet or past the bound, bad payload lengths, fragments, jumbo options) are counted by kind, never relayed, mcrd stays up, and the valid frames between them all arrive', { skip }, async (t) => {
  const dir = await tempDir(t);
  const lab = Lab.create(t);
  const net = await chain(lab, { ipv6: true });
  await writeConfig(join(dir, 'mcr.toml'), [...daemonSection(dir, [`prometheus_file = "${join(dir, 'mcr.prom')}"`]), rule('crafted', `in0 [${GROUP}]:${PORT}`, 'out0 [ff0e::2:2]:5000')]);
  const mcrd = await startMcrd(net.relay, dir);

  const mac = macFromText(await net.src.ns.mac('eth0'));
  const src = net.src.address6 ?? '';
  const payload = Buffer.from('payload of a valid IPv6 frame');
  const datagram = udp6(src, GROUP, 40_000, PORT, payload);
  const frame = (fields: Partial<Ipv6Fields>, upper: Buffer = datagram) => ipv6Frame6(mac, { src, dst: GROUP, ...fields }, upper);
  const hopByHop = (options?: Buffer, units?: number): Extension => ({ type: NEXT_HEADER.hopByHop, body: optionsBody(options), ...(units === undefined ? {} : { units }) });
  const destination: Extension = { type: NEXT_HEADER.destinationOptions, body: optionsBody() };
  // Type 0 routing header with no segments left: walked, not followed.
  const routing: Extension = { type: NEXT_HEADER.routing, body: Buffer.from([0, 0, 0, 0, 0, 0]) };
  const fragment = (offset: number, more: boolean): Extension => ({ type: NEXT_HEADER.fragment, body: fragmentBody(offset, more) });
  const jumbo = Buffer.from([0xc2, 4, 0, 1, 0, 0]); // Jumbo Payload, 65,536 bytes

  const valid = frame({});
  // Every header kind the parser walks, the fragment header an atomic one: relayed.
  const validChain = frame({ extensions: [hopByHop(), routing, destination, fragment(0, false), destination] });
  const bad: Record<string, Buffer[]> = {
    truncated: [valid.subarray(0, 14 + 30), valid.subarray(0, 14)],
    bad_ip_header: [frame({ version: 4 }), frame({ src: '::ffff:10.1.0.2' })],
    ipv6_bad_payload_length: [
      frame({ payloadLength: datagram.length + 64 }), // beyond the frame
      frame({ payloadLength: 0 }), // 0 without a jumbo option
      frame({ payloadLength: 4 }), // short of the UDP header
    ],
    ipv6_extension_overrun: [
      frame({ extensions: [hopByHop(undefined, 10)] }), // 88 bytes said, the packet ends first
      frame({ extensions: [hopByHop(Buffer.from([0x1e, 200, 0, 0, 0, 0]))] }), // an option past its header
    ],
    ipv6_chain_too_long: [frame({ extensions: Array(9).fill(destination) })],
    fragment: [
      frame({ extensions: [fragment(0, true)] }), // first
      frame({ extensions: [fragment(8, false)] }, payload), // last, not the first
    ],
    ipv6_jumbogram: [frame({ extensions: [hopByHop(jumbo)], payloadLength: 0 }), frame({ extensions: [hopByHop(jumbo)] })],
    not_udp: [frame({ upper: NEXT_HEADER.icmpv6 }, Buffer.from([128, 0, 0, 0, 0, 1, 0, 1])), frame({ extensions: [hopByHop()], upper: NEXT_HEADER.esp }, payload)],
    bad_udp_checksum: [frame({}, udp6(src, GROUP, 40_000, PORT, payload, 0)), frame({}, udp6(src, GROUP, 40_000, PORT, payload, 0xbeef))],
  };
  const frames: Buffer[] = [];
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const list of Object.values(bad)) for (const one of list) frames.push(round % 2 ? validChain : valid, one);
  }
  const validSent = frames.length / 2;
  const sink = await startSink(net.rx.ns, { group: 'ff0e::2:2', port: 5000, interface: 'eth0', expect: validSent, idleTimeout: 2 });
  const injected = await inject(net.src.ns, 'eth0', frames);
  t.equal(injected.sent, frames.length, 'all frames injected');
  const report = await sink.report;
  t.equal(report.datagrams, validSent, `all ${validSent} valid frames were relayed, and nothing else`);
  t.equal(report.bytes, validSent * payload.length, 'with their payloads intact');

  const stats = await mcrd.waitForStats((s) => s.totals.matched === validSent, 5_000);
  t.equal(stats.daemon.state, 'running', 'mcrd is running');
  for (const [kind, list] of Object.entries(bad)) t.equal(stats.totals[kind], list.length * ROUNDS, `${kind}: ${list.length * ROUNDS}`);
  t.equal(stats.totals.ipv6, 0, 'the retired ipv6 counter stays 0');
  t.equal(stats.rules[0]?.packets, validSent, 'the rule counted the valid frames only');
  t.match(stats.rules[0], { key: `in0|${GROUP}|${PORT}|*`, input: { group: GROUP } }, 'the stats file speaks canonical IPv6');
  const shown = await run(MCR, ['stats', '--file', mcrd.statsFile]);
  t.equal(shown.code, 0, shown.stderr);
  t.match(shown.stdout, /-> out0 \[ff0e::2:2\]:5000 +active/, 'mcr stats shows the IPv6 output, bracketed before its port');
  t.match(shown.stdout, /malformed 240, unsupported 120/, 'and the IPv6 drops in their totals groups');
  const prom = await readFile(join(dir, 'mcr.prom'), 'utf8');
  t.match(prom, /mcr_rule_packets_total\{[^}]*group="ff0e::1:1"[^}]*\} \d+/, 'Prometheus labels carry the IPv6 group');
  t.match(prom, new RegExp(`mcr_dropped_frames_total\\{[^}]*reason="ipv6_chain_too_long"[^}]*\\} ${ROUNDS}`), 'and count the new drop reasons');
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'mcrd stopped cleanly');
});
