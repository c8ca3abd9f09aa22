// The namespace harness (test/helpers/netns.ts): each topology is built as described,
// and nothing of it survives its test: not after a pass, not after a throw, not after
// an abrupt exit, and namespaces of dead runs are swept.
import t, { type Test } from 'tap';
import { execa } from 'execa';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { runGen, startSink } from '../helpers/traffic.js';
import { chain, dualBridge, fanout, Lab, listNamespaces, rootSkipReason, sweepStaleNamespaces, type Endpoint } from '../helpers/netns.js';

const skip = rootSkipReason();
const HELPER = new URL('../helpers/netns.ts', import.meta.url).href;
/** Node flags that load TypeScript the way tap does, without tap's coverage hooks. */
const TS_LOADER = process.execArgv.filter((arg) => arg.includes('@tapjs/typescript'));
const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Checks one endpoint: admin up, carrier up, exactly the expected address. */
async function checkEndpoint(t: Test, end: Endpoint, prefix = 24): Promise<void> {
  const link = (await end.ns.links()).find((l) => l.name === end.iface);
  t.ok(link, `${end.ns.label} has ${end.iface}`);
  t.ok(link?.adminUp, `${end.ns.label}/${end.iface} is up`);
  t.equal(link?.operstate, 'UP', `${end.ns.label}/${end.iface} has carrier`);
  t.same(link?.addresses, [`${end.address}/${prefix}`], `${end.ns.label}/${end.iface} is ${end.address}/${prefix}`);
}

/** True once pid has exited (a zombie waiting for init to reap it counts as gone). */
async function gone(pid: number): Promise<boolean> {
  for (let i = 0; i < 50; i++) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
      if (/^\d+ \(.*\) Z/.test(stat)) return true;
    } catch {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return false;
}

/** One unicast datagram from one endpoint to another arrives (mcr-gen to mcr-sink). */
async function reaches(from: Endpoint, to: Endpoint): Promise<boolean> {
  const sink = await startSink(to.ns, { group: to.address, port: 7000, expect: 1, idleTimeout: 1 });
  await runGen(from.ns, { group: to.address, port: 7000, count: 1, rate: 0, size: 64 });
  return (await sink.report).received === 1;
}

t.test('chain: src, relay with in0 and out0 on two subnets, rx', { skip }, async (t) => {
  const lab = Lab.create(t);
  const topo = await chain(lab);
  t.same(listNamespaces(`${lab.id}-`), ['src', 'relay', 'rx'].map((l) => `${lab.id}-${l}`).sort());
  for (const end of [topo.src, topo.in0, topo.out0, topo.rx]) await checkEndpoint(t, end);
  t.ok(await reaches(topo.src, topo.in0), 'src reaches the relay');
  t.ok(await reaches(topo.rx, topo.out0), 'rx reaches the relay');
  const routes = await topo.src.ns.ip('-j', 'route', 'show');
  t.match(routes, /"dst":"224\.0\.0\.0\/4","dev":"eth0"/, 'src has a multicast route on eth0');
  const lo = (await topo.relay.links()).find((l) => l.name === 'lo');
  t.ok(lo?.adminUp, 'loopback is up');
});

t.test('chain with an MTU sets it on every veth', { skip }, async (t) => {
  const lab = Lab.create(t);
  const topo = await chain(lab, { mtu: 9000 });
  for (const end of [topo.src, topo.in0, topo.out0, topo.rx]) {
    const link = (await end.ns.links()).find((l) => l.name === end.iface);
    t.equal(link?.mtu, 9000, `${end.ns.label}/${end.iface} mtu 9000`);
  }
});

t.test('fanout(50): one veth and one receiver namespace per output, built quickly', { skip }, async (t) => {
  const lab = Lab.create(t);
  const started = performance.now();
  const topo = await fanout(lab, 50);
  const seconds = (performance.now() - started) / 1000;
  t.comment(`fanout(50) built in ${seconds.toFixed(2)} s`);
  t.ok(seconds < 20, 'built in under 20 s');
  t.equal(listNamespaces(`${lab.id}-`).length, 52, 'src, relay and 50 receivers');
  const relayLinks = await topo.relay.links();
  t.equal(relayLinks.filter((l) => /^out\d+$/.test(l.name) && l.operstate === 'UP').length, 50, '50 output legs up');
  t.same(relayLinks.find((l) => l.name === 'out49')?.addresses, ['10.128.49.1/24']);
  await checkEndpoint(t, topo.src);
  await checkEndpoint(t, topo.rxs[0] as Endpoint);
  await checkEndpoint(t, topo.rxs[49] as Endpoint);
  t.ok(await reaches(topo.rxs[49]!, topo.outs[49]!), 'the last receiver reaches the relay');
});

t.test('dualBridge: relay with a leg on each of two bridges, endpoints behind them', { skip }, async (t) => {
  const lab = Lab.create(t);
  const topo = await dualBridge(lab);
  for (const end of [topo.src, topo.in0, topo.out0, topo.rx]) await checkEndpoint(t, end);
  const ports = await topo.switch.links();
  const masterOf = (name: string) => ports.find((l) => l.name === name)?.master;
  t.same(['a-src', 'a-relay', 'b-relay', 'b-rx'].map(masterOf), ['br-a', 'br-a', 'br-b', 'br-b']);
  t.ok(ports.find((l) => l.name === 'br-a')?.adminUp, 'bridge A is up');
  t.ok(await reaches(topo.src, topo.in0), 'src reaches the relay across bridge A');
  t.ok(await reaches(topo.rx, topo.out0), 'rx reaches the relay across bridge B');
  t.notOk(await reaches(topo.rx, topo.src), 'the two sides have no path between them');
});

t.test('teardown removes the namespaces and kills their processes', { skip }, async (t) => {
  let id = '';
  let pid: number | undefined;
  await t.test('a test using a lab', async (t) => {
    const lab = Lab.create(t);
    id = lab.id;
    const [a] = await lab.namespaces('a');
    const child = a!.spawn('sleep', ['30']);
    pid = child.pid;
    t.equal(listNamespaces(`${id}-`).length, 1);
  });
  t.same(listNamespaces(`${id}-`), [], 'no namespace left');
  t.ok(await gone(pid ?? -1), 'the process started inside is gone');
});

t.test('a test that throws still tears its namespaces down', { skip }, async (t) => {
  // A failing test must run in its own process: here it would fail this file.
  const code = `
    import t from 'tap';
    import { Lab, listNamespaces } from ${JSON.stringify(HELPER)};
    t.test('outer', async (t) => {
      let id = '';
      await t.test('inner', async (t) => {
        const lab = Lab.create(t);
        id = lab.id;
        await lab.namespaces('a', 'b');
        console.log('CREATED ' + listNamespaces(id + '-').length);
        throw new Error('thrown on purpose');
      });
      console.log('LEFT ' + JSON.stringify(listNamespaces(id + '-')));
    });`;
  const result = await execa(process.execPath, [...TS_LOADER, '--input-type=module', '-e', code], {
    cwd: REPO,
    reject: false,
    timeout: 60_000,
  });
  t.not(result.exitCode, 0, 'the inner test failed');
  t.match(result.stdout, 'thrown on purpose');
  t.match(result.stdout, 'CREATED 2');
  t.match(result.stdout, 'LEFT []', 'its teardown removed both namespaces');
});

t.test('a process that exits abruptly removes its namespaces and processes on exit', { skip }, async (t) => {
  const code = `
    import { Lab } from ${JSON.stringify(HELPER)};
    const lab = Lab.create({ teardown() {} });  // a teardown that never runs
    const [a] = await lab.namespaces('a');
    const child = a.spawn('sleep', ['30']);
    console.log(JSON.stringify({ id: lab.id, pid: child.pid }));
    process.exit(3);`;
  const result = await execa(process.execPath, [...TS_LOADER, '--input-type=module', '-e', code], {
    cwd: REPO,
    reject: false,
    timeout: 60_000,
  });
  t.equal(result.exitCode, 3);
  const { id, pid } = JSON.parse(result.stdout) as { id: string; pid: number };
  t.same(listNamespaces(`${id}-`), [], 'the exit hook removed the namespace');
  t.ok(await gone(pid), 'and killed the process inside');
});

t.test('namespaces left by a dead process are swept, live ones are not', { skip }, async (t) => {
  const dead = execa('true');
  await dead;
  const deadName = `mcrt-${dead.pid}-1-left`;
  const liveName = `mcrt-${process.pid}-999-mine`;
  await execa('ip', ['netns', 'add', deadName]);
  await execa('ip', ['netns', 'add', liveName]);
  t.teardown(() => execa('ip', ['netns', 'del', liveName], { reject: false }));
  const swept = sweepStaleNamespaces();
  t.ok(swept.includes(deadName), 'the dead run’s namespace was swept');
  t.notOk(listNamespaces().includes(deadName));
  t.ok(listNamespaces().includes(liveName), 'this process’s namespace was kept');
});
