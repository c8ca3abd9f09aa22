import t from 'tap';
import { candidatePaths, loadBinding, NativeLoadError } from '../../src/native/load-binding.js';

t.test('the addon built by npm ci loads and reports its version', async (t) => {
  const version = loadBinding().version();
  t.equal(version.addon, '4');
  t.equal(version.napi, 8);
  t.ok(version.cplusplus >= 201703, `compiled as C++${String(version.cplusplus).slice(2, 4)}`);
});

t.test('a missing addon is reported with every path tried and how to build it', async (t) => {
  const paths = ['/nonexistent/a/mcr_native.node', '/nonexistent/b/mcr_native.node'];
  const error = t.throws(() => loadBinding(paths)) as unknown as NativeLoadError;
  t.type(error, NativeLoadError);
  t.same(error.attempts, paths.map((path) => ({ path, reason: 'not found' })));
  t.match(error.message, 'the native data plane (mcr_native.node) could not be loaded; tried:');
  t.match(error.message, '  /nonexistent/a/mcr_native.node: not found');
  t.match(error.message, 'build it with `npm ci`');
});

t.test('MCR_NATIVE_ADDON overrides where the addon is looked for', async (t) => {
  t.same(candidatePaths({ MCR_NATIVE_ADDON: '/opt/mcr/mcr_native.node' }), ['/opt/mcr/mcr_native.node']);
  const defaults = candidatePaths({});
  t.equal(defaults.length, 2);
  t.match(defaults[0], /\/build\/Release\/mcr_native\.node$/);
});
