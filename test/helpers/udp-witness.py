#!/usr/bin/python3
# A test witness for frame egress, run with Debian's /usr/bin/python3 inside a test
# namespace. Two commands:
#
#   receive --interface IF --port P... [--group G...] [--ipv6] --expect N --idle S
#     Plain kernel UDP sockets, one per port (the kernel drops a datagram whose checksum
#     is wrong before it gets here, and over IPv6 one whose checksum is 0), joined to
#     each group on IF; IPv4 sockets, or IPv6 ones with --ipv6. For every datagram it
#     records what the relay wrote: the source address and port ("[A]:P" for IPv6), the
#     TTL or hop limit (IP_RECVTTL, IPV6_RECVHOPLIMIT) and the TOS byte or traffic
#     class (IP_RECVTOS, IPV6_RECVTCLASS), and the payload length. Beside them, an
#     AF_PACKET socket on IF records the Ethernet source and destination MAC of each UDP
#     frame of that family to those ports, and how many carried a UDP checksum of 0.
#     The tap also counts checksums of 0xffff, the spelling a sum of zero must take.
#     Per port, "digests" holds the SHA-256 of every payload received, each preceded by its
#     length as 4 bytes, in the order received: equal to the sender's when every payload
#     arrived byte for byte and in order.
#     Says "udp-witness: ready" on stderr once it listens; ends after N datagrams or S
#     seconds without one, and prints one JSON line:
#       {"received": N, "ports": {"P": {"count": n, "sources": {"A:P": n}, "ttl": {"T": n},
#        "tos": {"X": n}, "sizes": {"L": n}}}, "digests": {"P": "hex"}, "frames": {"P":
#        {"src_mac": {"M": n}, "dst_mac": {"M": n}, "segmented": n, "zero_checksum": n,
#        "ffff_checksum": n}}}
#
#     With --destinations (IPv4), each port also gets "destinations": {"ADDRESS": n}
#     (IP_PKTINFO).
#
#   send --group G --port P --source-port SP --count N [--interface IF] [--size L...]
#        [--payload-hex H...] [--ttl T] [--gap-ms MS]
#     Sends N datagrams from a fixed source port (so a preserved source can be checked),
#     the sizes taken in turn (or the given payloads, in turn); over IPv6 when G is an
#     IPv6 address. Prints {"sent": N, "digest": "hex"}, the digest as the receiver's.
#
# Linux constants Python 3.11 does not name: IP_RECVTTL is 12, IP_TTL 2, IP_TOS 1.
import argparse
import hashlib
import json
import select
import socket
import struct
import sys
import time
from collections import Counter, defaultdict

IP_RECVTTL = 12
IP_RECVTOS = 13
IP_TTL = 2
IP_TOS = 1
IP_PKTINFO = 8
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD
SO_BINDTODEVICE = 25


def mac(raw):
    return ':'.join(f'{b:02x}' for b in raw)


def open_receiver(port, ifindex, args):
    if not args.ipv6:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTTL, 1)
        s.setsockopt(socket.IPPROTO_IP, IP_RECVTOS, 1)
        if args.destinations:
            s.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        s.bind(('0.0.0.0', port))
        for group in args.group:
            mreqn = socket.inet_aton(group) + socket.inet_aton('0.0.0.0') + struct.pack('@i', ifindex)
            s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, mreqn)
        return s
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVHOPLIMIT, 1)
    s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_RECVTCLASS, 1)
    s.bind(('::', port))
    for group in args.group:
        mreq = socket.inet_pton(socket.AF_INET6, group) + struct.pack('@I', ifindex)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_JOIN_GROUP, mreq)
    return s


def receive(args):
    ifindex = socket.if_nametoindex(args.interface)
    sockets = {}
    for port in args.port:
        s = open_receiver(port, ifindex, args)
        sockets[s.fileno()] = (s, port)
    raw = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_IPV6 if args.ipv6 else ETH_P_IP))
    # A virtio_net_hdr in front of each captured frame says whether it is one datagram
    # or a segmentation-offload frame carrying several (gso_size bytes each): the relay
    # sends runs of equal-size datagrams that way, and the tap sees them before they
    # are cut.
    raw.setsockopt(SOL_PACKET, PACKET_VNET_HDR, 1)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    raw.bind((args.interface, 0))
    wanted = set(args.port)
    ports = defaultdict(lambda: {'count': 0, 'sources': Counter(), 'ttl': Counter(), 'tos': Counter(), 'sizes': Counter()})
    frames = defaultdict(lambda: {'src_mac': Counter(), 'dst_mac': Counter(), 'segmented': 0, 'zero_checksum': 0, 'ffff_checksum': 0})
    digests = defaultdict(hashlib.sha256)
    received = 0
    print('udp-witness: ready', file=sys.stderr, flush=True)
    last = time.monotonic()
    while received < args.expect and time.monotonic() - last < args.idle:
        ready, _, _ = select.select([raw, *[s for s, _ in sockets.values()]], [], [], 0.1)
        for s in ready:
            if s is raw:
                count_frame(raw.recv(65535), wanted, frames)
                continue
            sock, port = sockets[s.fileno()]
            data, ancillary, _, address = sock.recvmsg(65535, 256)
            host, sport = address[0], address[1]
            entry = ports[str(port)]
            entry['count'] += 1
            # A link-local sender comes with its zone ("fe80::1%eth0"): the link is known.
            source = f'[{host.split("%")[0]}]:{sport}' if args.ipv6 else f'{host}:{sport}'
            entry['sources'][source] += 1
            entry['sizes'][str(len(data))] += 1
            digests[str(port)].update(len(data).to_bytes(4, 'big') + data)
            for level, kind, value in ancillary:
                if level == socket.IPPROTO_IP and kind == IP_TTL:
                    entry['ttl'][str(struct.unpack('@i', value[:4])[0])] += 1
                elif level == socket.IPPROTO_IP and kind == IP_TOS:
                    entry['tos'][str(value[0])] += 1
                elif level == socket.IPPROTO_IP and kind == IP_PKTINFO:
                    # struct in_pktinfo: ifindex, local address, destination address
                    entry.setdefault('destinations', Counter())[socket.inet_ntoa(value[8:12])] += 1
                elif level == socket.IPPROTO_IPV6 and kind == socket.IPV6_HOPLIMIT:
                    entry['ttl'][str(struct.unpack('@i', value[:4])[0])] += 1
                elif level == socket.IPPROTO_IPV6 and kind == socket.IPV6_TCLASS:
                    entry['tos'][str(struct.unpack('@i', value[:4])[0])] += 1
            received += 1
            last = time.monotonic()
    # Frames seen by the tap after the last datagram are still in its queue: drain them.
    raw.setblocking(False)
    try:
        while True:
            count_frame(raw.recv(65535), wanted, frames)
    except BlockingIOError:
        pass
    hexes = {port: digest.hexdigest() for port, digest in digests.items()}
    print(json.dumps({'received': received, 'ports': ports, 'digests': hexes, 'frames': frames}), flush=True)


def open_sender(args):
    ipv6 = ':' in args.group
    s = socket.socket(socket.AF_INET6 if ipv6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ifindex = socket.if_nametoindex(args.interface) if args.interface else 0
    if args.interface:
        s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, args.interface.encode())
    if ipv6:
        if ifindex:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_IF, ifindex)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_HOPS, args.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_UNICAST_HOPS, args.ttl)
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_MULTICAST_LOOP, 0)
        s.bind(('::', args.source_port))
        return s, (args.group, args.port, 0, ifindex)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)  # --group 255.255.255.255
    if args.interface:
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton('0.0.0.0') + socket.inet_aton('0.0.0.0') + struct.pack('@i', ifindex))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, args.ttl)
    # Not to this host's own receivers: a witness beside the sender counts only relayed copies.
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    s.setsockopt(socket.IPPROTO_IP, IP_TTL, args.ttl)
    s.bind(('0.0.0.0', args.source_port))
    return s, (args.group, args.port)


def send(args):
    s, destination = open_sender(args)
    sizes = args.size or [100]
    given = [bytes.fromhex(text) for text in args.payload_hex or []]
    digest = hashlib.sha256()
    sent = 0
    for i in range(args.count):
        if given:
            payload = given[i % len(given)]
        else:
            size = sizes[i % len(sizes)]
            payload = (i.to_bytes(4, 'big') + bytes((i + j) & 0xFF for j in range(size)))[:size]
        s.sendto(payload, destination)
        digest.update(len(payload).to_bytes(4, 'big') + payload)
        sent += 1
        if args.gap_ms:
            time.sleep(args.gap_ms / 1000)
    print(json.dumps({'sent': sent, 'digest': digest.hexdigest()}), flush=True)


SOL_PACKET = 263
PACKET_VNET_HDR = 15
VIRTIO_NET_HDR_GSO_UDP_L4 = 5


def count_frame(buffer, wanted, frames):
    """Counts the datagrams of one captured frame (virtio_net_hdr first) by MAC."""
    if len(buffer) < 10:
        return
    gso_type = buffer[1]
    gso_size = struct.unpack('@H', buffer[4:6])[0]
    frame = buffer[10:]
    # Ethernet 14, then IPv4 with IHL, or IPv6 with UDP right after its 40 bytes (what a
    # relay writes); the UDP destination port, length and checksum.
    if len(frame) >= 54 and frame[12:14] == b'\x86\xdd' and frame[20] == 17:
        udp = 54
    elif len(frame) >= 34 and frame[12:14] == b'\x08\x00' and frame[23] == 17:
        udp = 14 + (frame[14] & 0x0F) * 4
    else:
        return
    if len(frame) < udp + 8:
        return
    dport, length, checksum = struct.unpack('!HHH', frame[udp + 2:udp + 8])
    if dport not in wanted:
        return
    datagrams = 1
    if gso_type == VIRTIO_NET_HDR_GSO_UDP_L4 and gso_size > 0:
        datagrams = -(-(length - 8) // gso_size)
    frames[str(dport)]['dst_mac'][mac(frame[0:6])] += datagrams
    frames[str(dport)]['src_mac'][mac(frame[6:12])] += datagrams
    if datagrams > 1:
        frames[str(dport)]['segmented'] += datagrams
    if checksum == 0:
        frames[str(dport)]['zero_checksum'] += datagrams
    if checksum == 0xFFFF:
        frames[str(dport)]['ffff_checksum'] += datagrams


def main():
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest='command', required=True)
    r = commands.add_parser('receive')
    r.add_argument('--interface', required=True)
    r.add_argument('--port', type=int, action='append', required=True)
    r.add_argument('--group', action='append', default=[])
    r.add_argument('--ipv6', action='store_true')
    r.add_argument('--expect', type=int, required=True)
    r.add_argument('--idle', type=float, default=2.0)
    r.add_argument('--destinations', action='store_true', help='IPv4: also tally each datagram\'s destination address (IP_PKTINFO)')
    s = commands.add_parser('send')
    s.add_argument('--group', required=True)
    s.add_argument('--port', type=int, required=True)
    s.add_argument('--source-port', type=int, required=True)
    s.add_argument('--count', type=int, required=True)
    s.add_argument('--interface')
    s.add_argument('--size', type=int, action='append')
    s.add_argument('--payload-hex', action='append')
    s.add_argument('--ttl', type=int, default=8)
    s.add_argument('--gap-ms', type=float, default=0.5)
    args = parser.parse_args()
    receive(args) if args.command == 'receive' else send(args)


main()
