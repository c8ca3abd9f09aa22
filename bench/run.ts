// Runs the benchmark scenarios: `npm run bench -- [--quick] [--systems a,b] [--cpu-rate N]`,
// or re-renders the tables from a results file: `npm run bench -- --render FILE.json`.
// Each scenario lives in its own file and writes bench/results/<scenario>.{json,md};
// this file only parses the command line, checks the machine, and runs them in turn.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { writeForwardingReport, type ForwardingResult } from './forwarding-report.js';
import { DEFAULT_SYSTEMS, MODES, SYSTEMS, runForwarding } from './forwarding.js';
import { withHost } from './lib/host.js';

const USAGE = `usage: npm run bench -- [--quick] [--systems ID,ID...] [--cpu-rate PPS]
  --quick      one repetition, coarser search (under 5 minutes)
  --systems    forwarding systems to compare (default ${DEFAULT_SYSTEMS.join(',')});
               known: ${Object.keys(SYSTEMS).join(', ')}
  --cpu-rate   fixed rate for the CPU per packet measurement (default: 50k pps, or less
               if some relay loses datagrams there)
  --render F   only rewrite the tables (stdout, .md) from results file F`;

function parse(argv: string[]) {
  const options = { quick: false, systems: DEFAULT_SYSTEMS, cpuRate: undefined as number | undefined, render: '' };
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (arg === '--quick') options.quick = true;
    else if (arg === '--systems') options.systems = (argv[++i] ?? '').split(',').filter(Boolean);
    else if (arg === '--cpu-rate') options.cpuRate = Number(argv[++i]);
    else if (arg === '--render') options.render = argv[++i] ?? '';
    else {
      process.stderr.write(`${arg === '--help' ? '' : `unknown argument ${arg}\n`}${USAGE}\n`);
      process.exit(arg === '--help' ? 0 : 64);
    }
  }
  return options;
}

const options = parse(process.argv.slice(2));
const resultsDir = fileURLToPath(new URL('./results/', import.meta.url));
if (options.render) {
  writeForwardingReport(JSON.parse(readFileSync(options.render, 'utf8')) as ForwardingResult, resultsDir);
  process.exit(0);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('bench: needs root (it creates network namespaces)\n');
  process.exit(77);
}
await withHost((host) =>
  runForwarding(host, {
    mode: options.quick ? MODES.quick : MODES.full,
    systems: options.systems,
    ...(options.cpuRate ? { cpuRate: options.cpuRate } : {}),
    resultsDir,
  }),
);
