"""An mDNS peer for the discovery tests, built on python3-zeroconf (Debian's, so run by
/usr/bin/python3), over IPv4 or (--ipv6) IPv6: `register` announces one service instance
and answers queries for it until killed or its time is up; `browse` looks for instances of the service type for a
while and prints what it found and resolved, as one JSON line. Test traffic only: it
binds to the one address it is given, inside the test's namespace."""
import argparse
import json
import socket
import sys
import time

from zeroconf import IPVersion, ServiceBrowser, ServiceInfo, ServiceStateChange, Zeroconf

TYPE = '_mcrtest._tcp.local.'


def open_zeroconf(args):
    """IPv4: bound to the address given. IPv6: on the interface given (zeroconf takes an
    interface index for IPv6), over ff02::fb only."""
    if args.ipv6:
        return Zeroconf(interfaces=[socket.if_nametoindex(args.interface)], ip_version=IPVersion.V6Only)
    return Zeroconf(interfaces=[args.address], ip_version=IPVersion.V4Only)


def packed(address):
    return socket.inet_pton(socket.AF_INET6 if ':' in address else socket.AF_INET, address)


def register(args):
    zc = open_zeroconf(args)
    info = ServiceInfo(
        TYPE,
        f'{args.name}.{TYPE}',
        addresses=[packed(args.address)],
        port=8009,
        properties={'made-by': 'mcr-test'},
        server=f'{args.name}.local.',
    )
    zc.register_service(info)
    print('mdns-peer: ready', file=sys.stderr, flush=True)
    time.sleep(args.seconds)
    zc.unregister_service(info)
    zc.close()


def browse(args):
    zc = open_zeroconf(args)
    found = {}

    def changed(zeroconf, service_type, name, state_change):
        if state_change is ServiceStateChange.Added:
            found.setdefault(name, None)

    ServiceBrowser(zc, TYPE, handlers=[changed])
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        time.sleep(0.1)
        if args.want and len(found) >= args.want:
            break
    for name in list(found):
        info = zc.get_service_info(TYPE, name, timeout=1500)
        found[name] = info.parsed_addresses(IPVersion.V6Only if args.ipv6 else IPVersion.V4Only) if info else None
    zc.close()
    print(json.dumps({'found': {name.split('.')[0]: addresses for name, addresses in found.items()}}), flush=True)


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='mode', required=True)
    r = sub.add_parser('register')
    r.add_argument('--name', required=True)
    r.add_argument('--address', required=True)
    r.add_argument('--seconds', type=float, default=30)
    b = sub.add_parser('browse')
    b.add_argument('--address', required=True)
    b.add_argument('--seconds', type=float, default=3)
    b.add_argument('--want', type=int, default=0)
    for sub_parser in (r, b):
        sub_parser.add_argument('--ipv6', action='store_true', help='mDNS over IPv6 (ff02::fb) on --interface')
        sub_parser.add_argument('--interface', default='eth0')
    args = parser.parse_args()
    register(args) if args.mode == 'register' else browse(args)


if __name__ == '__main__':
    main()
