// The kernel's backlog drops: /proc/net/softnet_stat parsed, counted from mcrd's start,
// and attributed to the CPUs the workers run on.
import t from 'tap';
import { parseCpuList, parseSoftnet, softnetSince, workerSoftnet } from '../../src/stats/softnet.js';
import { readSoftnet, SoftnetDrops } from '../../src/daemon/softnet.js';

const ROW = (processed: number, dropped: number, cpu?: number) =>
  [processed, dropped, 0x5f, 0, 0, 0, 0, 0, 0, 0x12b928, 0, 0, ...(cpu === undefined ? [] : [cpu, 0, 0])].map((n) => n.toString(16).padStart(8, '0')).join(' ');

t.test('the dropped column is read per CPU, by the CPU column where the kernel prints one', async (t) => {
  const cases: [string, string, number[], [number, number][]][] = [
    ['6.18: 15 columns, CPUs 0 and 1', `${ROW(0xd69792, 0, 0)}\n${ROW(0x2327aff, 0xb9e64, 1)}\n`, [], [[0, 0], [1, 0xb9e64]]],
    ['an offline CPU 1: the rows are CPUs 0 and 2', `${ROW(1, 5, 0)}\n${ROW(1, 7, 2)}\n`, [], [[0, 5], [2, 7]]],
    ['an old kernel without the CPU column: rows are the online CPUs in order', `${ROW(1, 5)}\n${ROW(1, 7)}\n`, [0, 2], [[0, 5], [2, 7]]],
    ['an old kernel, online list unknown: row i is CPU i', `${ROW(1, 5)}\n${ROW(1, 7)}\n`, [], [[0, 5], [1, 7]]],
    ['a malformed row is skipped, the others kept', `${ROW(1, 5, 0)}\nxyz qq\n\n${ROW(1, 9, 1)}`, [], [[0, 5], [1, 9]]],
    ['an empty file', '', [], []],
  ];
  for (const [what, text, online, expected] of cases) t.same([...parseSoftnet(text, online)], expected, what);
});

t.test('the kernel CPU list format', async (t) => {
  t.same(parseCpuList('0-3,6,8-9\n'), [0, 1, 2, 3, 6, 8, 9]);
  t.same(parseCpuList('1'), [1]);
  t.same(parseCpuList(''), []);
});

t.test('drops are counted from the baseline, through the 32-bit wrap, and a CPU that came later from 0', async (t) => {
  const since = softnetSince(new Map([[0, 10], [1, 0xfffffff0]]), new Map([[0, 15], [1, 0x10], [2, 4]]));
  t.same([...since], [[0, 5], [1, 0x20], [2, 4]]);
});

t.test("each worker gets its CPU's drops; the total counts each CPU once", async (t) => {
  const drops = new Map([[0, 100], [1, 7], [3, 5]]);
  const shared = workerSoftnet([3, 1, 3], drops);
  t.same(shared.perWorker, [5, 7, 5]);
  t.same([...shared.byCpu], [[1, 7], [3, 5]]);
  t.equal(shared.total, 12, 'CPU 0 is not a worker CPU: its drops are not ours');
  t.same(workerSoftnet([], drops), { perWorker: [], byCpu: new Map(), total: 0 });
  t.equal(workerSoftnet([9], drops).total, 0, 'a CPU the file does not list');
});

t.test('the daemon reads the files once at start as the baseline, then the drops since', async (t) => {
  const files: Record<string, string> = { '/proc/net/softnet_stat': `${ROW(1, 3, 0)}\n${ROW(1, 50, 1)}\n`, '/sys/devices/system/cpu/online': '0-1\n' };
  const drops = new SoftnetDrops(() => readSoftnet((path) => files[path] ?? null));
  t.same([...(drops.since() ?? [])], [[0, 0], [1, 0]], 'nothing since start');
  files['/proc/net/softnet_stat'] = `${ROW(1, 3, 0)}\n${ROW(1, 62, 1)}\n`;
  t.same([...(drops.since() ?? [])], [[0, 0], [1, 12]]);
  const unreadable = new SoftnetDrops(() => readSoftnet(() => null));
  t.equal(unreadable.since(), null, 'no file, no numbers');
  t.ok(readSoftnet() instanceof Map, 'this kernel has the file');
});
