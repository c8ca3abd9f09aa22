// Hitless reload of a reflector: adding an interface while a stream is being reflected
// starts the new segment's flow and adds an output to the others, and the running
// stream loses nothing.
import t from 'tap';
import { dirname } from 'node:path';
import { daemonSection, writeConfig } from '../helpers/mcrd.js';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { delay, flowsOf, startReflector } from '../helpers/discovery.js';

const skip = rootSkipReason();
const reflector = (interfaces: string[]) => ['[[reflector]]', 'name = "r"', 'group = "239.255.255.250"', 'port = 1900', `interfaces = [${interfaces.map((name) => `"${name}"`).join(', ')}]`];

t.test('adding an interface to a reflector mid-stream loses nothing on the running flow, and the new segment starts receiving', { skip }, async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot', 'guest']);
  const mcrd = await startReflector(t, net.relays[0]!.ns, reflector(['lan', 'iot']));
  await mcrd.waitForStats((stats) => stats.rules.length === 2 && stats.rules.every((rule) => rule.state === 'active'));
  const sink = { group: '239.255.255.250', port: 1900, interface: 'eth0', idleTimeout: 1.5, durationLimit: 20 };
  const onIot = await startSink(net.hosts.iot![0]!.ns, sink);
  const gen = runGen(net.hosts.lan![0]!.ns, { group: '239.255.255.250', port: 1900, count: 4000, rate: 1000, interface: 'eth0', size: 300, durationLimit: 15 });
  await delay(1500);
  await writeConfig(mcrd.configFile, [...daemonSection(dirname(mcrd.configFile)), ...reflector(['lan', 'iot', 'guest'])]);
  mcrd.signal('SIGHUP');
  const stats = await mcrd.waitForStats((s) => s.config.generation === 2);
  t.match(stats.config.lastReload, { ok: true, added: 1, changed: 2, removed: 0 }, "the reload added guest's flow and changed the two others (one output each)");
  // A sink that waits for traffic gives up after its idle time: it starts on the guest
  // segment once the reload is in.
  const onGuest = await startSink(net.hosts.guest![0]!.ns, sink);
  t.equal((await gen).sent, 4000, 'the generator sent 4,000 datagrams at 1,000 pps');
  const [iot, guest] = await Promise.all([onIot.report, onGuest.report]);
  t.match(iot, { datagrams: 4000, lost: 0, duplicated: 0 }, 'the running flow lost nothing across the reload');
  // Its sink started mid-stream: what it missed before its first datagram is no loss.
  const stream = guest.streams[0];
  const span = stream && stream.first_seq !== null && stream.last_seq !== null ? stream.last_seq - stream.first_seq + 1 : 0;
  t.ok(guest.datagrams > 500 && guest.datagrams < 4000, `the guest segment receives the stream once the reload is in: ${guest.datagrams} datagrams`);
  t.equal(stream?.received, span, `every datagram from its first (sequence ${stream?.first_seq}) to the last (${stream?.last_seq})`);
  const flows = flowsOf(await mcrd.stats(), 'r');
  t.same(Object.keys(flows).sort(), ['guest', 'iot', 'lan'], 'a flow per interface now');
});
