// Hosts the real data plane inside a test's relay namespace (the test process itself
// cannot enter one): `ip netns exec NS node relay-runner.mjs '{"backend":...}'`.
// Commands arrive as JSON lines on stdin and each gets one JSON line back:
//   {"cmd":"apply","toml":"..."}  -> {"ok":true,"errors":[...],"status":[...]} or config errors
//   {"cmd":"counters"}            -> {"ok":true,"counters":{worker,perWorker,rules}}
//   {"cmd":"status"} / {"cmd":"refresh"} / {"cmd":"close"}
// Uses the compiled daemon code in dist/ (the test script builds it first).
import { createInterface } from 'node:readline';

const dist = new URL('../dist/', import.meta.url);
const { parseConfig } = await import(new URL('config/load.js', dist));
const { diff } = await import(new URL('diff.js', dist));
const { DataPlane } = await import(new URL('dataplane.js', dist));

const options = JSON.parse(process.argv[2] ?? '{}');
let running = parseConfig('', 'empty.toml').ruleSet;
const plane = DataPlane.open({ workers: options.workers ?? 1, cpus: null, backend: options.backend ?? 'auto' });
const reply = (value) => process.stdout.write(`${JSON.stringify(value)}\n`);
const plain = (snapshot) => ({
  worker: snapshot.worker,
  perWorker: snapshot.perWorker,
  rules: Object.fromEntries(
    [...snapshot.rules].map(([key, rule]) => [key, { ...rule.counters, outputs: Object.fromEntries(rule.outputs), paths: rule.paths ?? [] }]),
  ),
});
plane.on('link', (event) => reply({ event: 'link', ...event, status: plane.status() }));
reply({ ready: true, info: plane.info });

for await (const line of createInterface({ input: process.stdin })) {
  const command = JSON.parse(line);
  try {
    if (command.cmd === 'apply') {
      const result = parseConfig(command.toml, 'relay.toml');
      if (!result.ok) {
        reply({ ok: false, configErrors: result.errors });
        continue;
      }
      const errors = plane.apply(diff(running, result.ruleSet));
      running = result.ruleSet;
      reply({ ok: true, errors, status: plane.status() });
    } else if (command.cmd === 'counters') {
      reply({ ok: true, counters: plain(plane.counters()) });
    } else if (command.cmd === 'status') {
      reply({ ok: true, status: plane.status() });
    } else if (command.cmd === 'refresh') {
      plane.refresh();
      reply({ ok: true, status: plane.status() });
    } else if (command.cmd === 'close') {
      plane.close();
      reply({ ok: true });
      process.exit(0);
    }
  } catch (error) {
    reply({ ok: false, error: String(error?.stack ?? error) });
  }
}
plane.close();
