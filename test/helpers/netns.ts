// The namespace harness for tests: the shared builder of src/netns (Lab, Netns, wiring,
// ready-made topologies), re-exported under the one name every test imports, plus the
// reason a test must skip where namespaces cannot be made. `Lab.create(t)` ties a Lab
// to tap's teardown; the Lab also cleans up at process exit and sweeps dead runs'.
export { Lab, listNamespaces, NS_PREFIX, sweepStaleNamespaces, type LabOptions, type TeardownHost } from '../../src/netns/lab.js';
export { Netns, type LinkState } from '../../src/netns/namespace.js';
export type { CommandResult, RunningCommand } from '../../src/netns/command.js';
export type { Addresses, BridgeSpec, RouteSpec, VethEnd, WireSpec } from '../../src/netns/wiring.js';
export { dualStack, hostRoutes, ipv6Twin, link, type Endpoint, type Side } from '../../src/netns/endpoints.js';
export * from '../../src/netns/topologies.js';

/** Why namespace tests cannot run here, or false when they can. */
export function rootSkipReason(): string | false {
  if (process.platform !== 'linux') return 'network namespaces need Linux';
  if (process.getuid?.() !== 0) return 'needs root to create network namespaces (run the tests as root)';
  return false;
}
