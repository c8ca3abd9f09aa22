// What mcrd needs to run as a plain user, shown with the development tree: a
// throwaway system user (made inside a throwaway root, so this machine's users never
// change) runs bin/mcrd.js through setpriv with every capability dropped, from the
// bounding set too, but those the test names, and no_new_privs, as mcrd.service does.
// Without CAP_NET_RAW it refuses; with CAP_NET_RAW alone it relays every datagram to a
// multicast and a unicast output. So the unit grants that one capability.
import t, { type Test } from 'tap';
import { writeFileSync } from 'node:fs';
import { chain, Lab, rootSkipReason } from '../helpers/netns.js';
import { rule } from '../helpers/ruleset.js';
import { runGen, startSink } from '../helpers/traffic.js';
import { REPO, toolsSkipReason } from './helpers/build.js';
import { dropTo, startDaemon, waitForStats } from './helpers/daemon.js';
import { ThrowawayRoot } from './helpers/throwaway-root.js';

const skip = rootSkipReason() || toolsSkipReason(['unshare', 'nsenter', 'setpriv', 'ip']);
const USER = 'mcr-captest';
const CAP_NET_RAW = 1n << 13n;
const MCRD = ['node', '/opt/mcr/bin/mcrd.js', '--config', '/tmp/relay/mcr.toml', '--log-format', 'json'];

/** A root with the repository at /opt/mcr, a system user, and /tmp/relay owned by it. */
async function prepare(t: Test): Promise<ThrowawayRoot> {
  const root = await ThrowawayRoot.create(t, [{ from: REPO, to: '/opt/mcr' }]);
  const useradd = await root.run('useradd', ['--system', '--user-group', '--no-create-home', '--home-dir', '/nonexistent', '--shell', '/usr/sbin/nologin', USER]);
  if (useradd.exitCode !== 0) throw new Error(`useradd in the throwaway root: ${useradd.stderr}`);
  await root.run('install', ['-d', '-o', USER, '-g', USER, '/tmp/relay']);
  const config = [
    '[daemon]',
    'workers = 1',
    'stats_interval = 0.2',
    'stats_file = "/tmp/relay/stats.json"',
    rule('camera', 'in0 239.1.1.1:5000', 'out0 239.2.2.1:5000', 'out0 10.2.0.2:5001'),
  ];
  writeFileSync(root.path('/tmp/relay/mcr.toml'), config.join('\n') + '\n');
  return root;
}

t.test('without CAP_NET_RAW, mcrd as a plain user exits 77 and names the capability', { skip }, async (t) => {
  const root = await prepare(t);
  const result = await root.run('setpriv', [...dropTo(USER, []), ...MCRD]);
  t.equal(result.exitCode, 77, 'exit 77 (EX_NOPERM)');
  t.match(result.stderr, /needs CAP_NET_RAW.*AmbientCapabilities=CAP_NET_RAW/, 'the message says what to grant');
});

t.test('with CAP_NET_RAW alone, mcrd as a plain user relays every datagram to multicast and unicast outputs', { skip }, async (t) => {
  const root = await prepare(t);
  const lab = Lab.create(t);
  const net = await chain(lab);
  const mcrd = await startDaemon(root, net.relay, USER, ['net_raw'], MCRD);
  const status = mcrd.status();
  t.not(status.Uid?.split('\t')[0], '0', 'not root');
  t.equal(BigInt(`0x${status.CapEff}`), CAP_NET_RAW, 'effective: CAP_NET_RAW alone');
  t.equal(BigInt(`0x${status.CapBnd}`), CAP_NET_RAW, 'bounding set: CAP_NET_RAW alone');
  t.equal(status.NoNewPrivs, '1', 'no_new_privs');
  t.comment(mcrd.messages().find((m) => m.startsWith('data plane:')) ?? 'no data plane line');

  await waitForStats(root.path('/tmp/relay/stats.json'), (s) => s.rules[0]?.state === 'active');
  const multicast = await startSink(net.rx.ns, { group: '239.2.2.1', port: 5000, expect: 3000, idleTimeout: 3 });
  const unicast = await startSink(net.rx.ns, { group: '10.2.0.2', port: 5001, expect: 3000, idleTimeout: 3 });
  const gen = await runGen(net.src.ns, { group: '239.1.1.1', port: 5000, count: 3000, rate: 5000, size: 1316 });
  t.equal(gen.sent, 3000, 'sent 3000');
  for (const [name, sink] of [['multicast', multicast], ['unicast', unicast]] as const) {
    const report = await sink.report;
    t.equal(report.received, 3000, `${name} output: every datagram`);
    t.equal(report.lost + report.duplicated + report.reordered + report.corrupted, 0, `${name} output: none lost, duplicated, reordered or corrupted`);
  }
  const stats = await waitForStats(root.path('/tmp/relay/stats.json'), (s) => s.rules[0]?.packets === 3000);
  t.same(stats.rules[0]?.outputs.map((o) => o.packets), [3000, 3000], 'both outputs counted every datagram, with no send error');

  mcrd.signal('SIGTERM');
  t.equal(await mcrd.exited, 0, 'stops with exit 0');
});
