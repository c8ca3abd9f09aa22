// The systemd notification protocol, as a Type=notify unit sees it: a Unix datagram
// socket named by NOTIFY_SOCKET receives READY=1, then RELOADING=1 with MONOTONIC_USEC
// and READY=1 around a reload, WATCHDOG=1 pings, and STOPPING=1, in that order.
import t from 'tap';
import { execa } from 'execa';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { daemonSection, startMcrd, writeConfig } from '../helpers/mcrd.js';
import { Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';

const skip = rootSkipReason();

// Node has no Unix datagram sockets; python3 (installed with the build tools) listens.
const LISTENER = `
import socket, sys, json
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data = s.recv(4096).decode()
    print(json.dumps(data), flush=True)
    if "STOPPING=1" in data:
        break
`;

t.test('NOTIFY_SOCKET receives READY, RELOADING with MONOTONIC_USEC then READY, WATCHDOG, STOPPING', { skip }, async (t) => {
  const dir = await tempDir(t);
  const socket = join(dir, 'notify.sock');
  const listener = execa('python3', ['-c', LISTENER, socket], { reject: false, timeout: 60_000 });
  t.teardown(() => listener.kill());
  await new Promise<void>((resolve) => listener.stdout?.once('data', () => resolve()));
  const lab = Lab.create(t);
  const [relay] = await lab.namespaces('relay');
  const file = join(dir, 'mcr.toml');
  await writeConfig(file, [...daemonSection(dir), rule('a', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')]);
  const mcrd = await startMcrd(relay!, dir, { NOTIFY_SOCKET: socket, WATCHDOG_USEC: '400000' });
  await writeConfig(file, [...daemonSection(dir), rule('b', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000')]);
  await mcrd.waitForLog(/reload \(file\) applied/);
  await new Promise((resolve) => setTimeout(resolve, 500)); // room for watchdog pings
  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0);
  const { stdout } = await listener;
  const messages = stdout.split('\n').slice(1).filter(Boolean).map((line) => JSON.parse(line) as string);
  const kinds = messages
    .map((message) => message.split('\n')[0] ?? '')
    .filter((first) => first !== 'WATCHDOG=1' && !first.startsWith('STATUS='));
  t.same(kinds, ['READY=1', 'RELOADING=1', 'READY=1', 'STOPPING=1'], 'in order');
  const reloading = messages.find((message) => message.startsWith('RELOADING=1')) ?? '';
  const usec = /MONOTONIC_USEC=(\d+)/.exec(reloading)?.[1];
  t.ok(usec && BigInt(usec) > 0n, `RELOADING carries MONOTONIC_USEC (${usec})`);
  // The namespace has no in0 yet, so the one rule is pending.
  t.equal(messages[0], 'READY=1\nSTATUS=0/1 rules active, 0 pps in, generation 1', 'READY carries a STATUS summary');
  t.ok(messages.filter((message) => message === 'WATCHDOG=1').length >= 2, 'watchdog pings at half WATCHDOG_USEC');
});
