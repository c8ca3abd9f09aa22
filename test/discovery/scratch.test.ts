import t from 'tap';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { segments } from '../helpers/segments.js';
import { sendFrom } from '../helpers/witness.js';
import { delay, startReflector } from './discovery-helpers.js';

t.test('scratch', async (t) => {
  const lab = Lab.create(t);
  const net = await segments(lab, ['lan', 'iot']);
  const mcrd = await startReflector(t, net.relays[0]!.ns, ['[[reflector]]', 'name = "home"', 'group = "239.9.9.9"', 'port = 5353', 'interfaces = ["lan", "iot"]']);
  await delay(1000);
  const lan = net.hosts.lan![0]!;
  await sendFrom(lan.ns, { group: '239.9.9.9', port: 5353, sourcePort: 5353, count: 10, interface: 'eth0', gapMs: 10 });
  await delay(1000);
  const s = await mcrd.stats();
  console.log(JSON.stringify(s.rules.map((r) => ({ n: r.name, p: r.packets, l: (r as any).loop_suppressed, o: r.outputs.map((o) => [o.interface, o.packets, o.state, o.egress]) })), null, 1));
  console.log(JSON.stringify(s.totals));
});
