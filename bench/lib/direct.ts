// The no-relay topology: src —veth— rx, one pair, so gen and sink meet with nothing in
// between. It is the ceiling the traffic tools themselves reach on this machine.
import type { Endpoint, Lab } from '../../test/helpers/netns.js';

export interface Direct {
  src: Endpoint;
  rx: Endpoint;
}

export async function direct(lab: Lab): Promise<Direct> {
  const [srcNs, rxNs] = await lab.namespaces('dsrc', 'drx');
  if (!srcNs || !rxNs) throw new Error('namespaces missing');
  const src = { ns: srcNs, iface: 'eth0', address: '10.9.0.2' };
  const rx = { ns: rxNs, iface: 'eth0', address: '10.9.0.3' };
  await lab.wire({
    veths: [[{ ns: srcNs, name: 'eth0', address: '10.9.0.2/24' }, { ns: rxNs, name: 'eth0', address: '10.9.0.3/24' }]],
    // Both ends route multicast out of their one link, like the chain's endpoints.
    routes: [
      { ns: srcNs, to: '224.0.0.0/4', dev: 'eth0' },
      { ns: rxNs, to: '224.0.0.0/4', dev: 'eth0' },
    ],
  });
  return { src, rx };
}
