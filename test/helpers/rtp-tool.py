#!/usr/bin/python3
# RTP for the stream-health tests, written apart from mcr so that it checks mcr rather
# than agreeing with it by construction:
#   send     an RTP stream (RFC 3550 header, 90 kHz timestamps from the schedule) that
#            misbehaves on purpose: datagrams left out (--drop), sent twice (--duplicate),
#            sent after their successor (--swap), sent late by a random delay (--jitter-us);
#            one JSON line says what it did.
#   receive  an RTP stream on one interface; one JSON line: the sequence numbers that
#            never came, duplicates, reordering, the longest silence, the interarrival
#            jitter by RFC 3550 6.4.1 from the kernel's receive times (SO_TIMESTAMPNS),
#            and with --arrivals every (sequence, milliseconds) pair.
# Sequence numbers in the reports are extended (RFC 3550 A.1 cycles), counted from the
# first datagram's own number. "receive: ready" on stderr: joined, start senders.
import argparse, json, random, socket, struct, sys, time

SO_TIMESTAMPNS = 35
SO_RXQ_OVFL = 40
SO_BINDTODEVICE = 25
SO_RCVBUFFORCE = 33


def open_sender(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, args.interface.encode())
    index = socket.if_nametoindex(args.interface)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, struct.pack('4s4si', b'\0' * 4, b'\0' * 4, index))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 4)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
    return s


def send(args):
    s = open_sender(args)
    drop, dup, swap = set(args.drop), set(args.duplicate), set(args.swap)
    rng = random.Random(args.seed)
    order = list(range(args.count))
    for i in sorted(swap):
        if i + 1 < args.count:
            order[i], order[i + 1] = order[i + 1], order[i]
    filler = bytes(max(0, args.size - 12))
    start = time.monotonic() + 0.05
    sent = 0
    for slot, i in enumerate(order):
        due = start + slot / args.rate + (rng.random() * args.jitter_us / 1e6 if args.jitter_us else 0)
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        if i in drop:
            continue
        seq = (args.first_seq + i) & 0xFFFF
        stamp = (args.first_timestamp + i * args.clock // args.rate) & 0xFFFFFFFF
        packet = struct.pack('!BBHII', 0x80, args.payload_type, seq, stamp, args.ssrc) + filler
        for _ in range(2 if i in dup else 1):
            s.sendto(packet, (args.group, args.port))
            sent += 1
    print(json.dumps({'sent': sent, 'dropped': len(drop), 'duplicated': len(dup), 'swapped': len(swap)}))


def receive(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, args.interface.encode())
    try:
        s.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, 32 << 20)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 << 20)
    s.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
    s.setsockopt(socket.SOL_SOCKET, SO_RXQ_OVFL, 1)
    s.bind((args.group, args.port))
    index = socket.if_nametoindex(args.interface)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack('4s4si', socket.inet_aton(args.group), b'\0' * 4, index))
    s.settimeout(args.idle)
    print('receive: ready', file=sys.stderr, flush=True)
    seen, arrivals, duplicate_list = set(), [], []
    received = duplicates = reordered = overflow = 0
    highest = None  # extended
    jitter = 0.0
    transit = None
    longest = (0.0, None, None)  # gap ms, extended seq before, after
    last_arrival = last_ext = None
    deadline = time.monotonic() + args.duration
    while received < args.expect and time.monotonic() < deadline:
        try:
            data, ancillary, _, _ = s.recvmsg(2048, 256)
        except socket.timeout:
            break
        arrival_ns = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
                sec, nsec = struct.unpack('qq', value[:16])
                arrival_ns = sec * 1_000_000_000 + nsec
            elif level == socket.SOL_SOCKET and kind == SO_RXQ_OVFL:
                overflow = struct.unpack('I', value[:4])[0]
        if len(data) < 12 or data[0] >> 6 != 2:
            continue
        seq16, stamp = struct.unpack('!HI', data[2:8])
        received += 1
        if highest is None:
            ext = seq16
            highest = ext
        else:
            # The extended number nearest to the newest one.
            ext = (highest & ~0xFFFF) | seq16
            if ext - highest > 0x8000:
                ext -= 0x10000
            elif highest - ext > 0x8000:
                ext += 0x10000
        if ext in seen:
            duplicates += 1
            if len(duplicate_list) < 20:
                duplicate_list.append(ext)
        elif ext < highest:
            reordered += 1
        seen.add(ext)
        highest = max(highest, ext)
        if arrival_ns is None:
            arrival_ns = time.time_ns()
        # RFC 3550 6.4.1: transit in timestamp units, jitter += (|D| - jitter) / 16.
        arrival_units = arrival_ns * args.clock // 1_000_000_000
        now_transit = (arrival_units - stamp) & 0xFFFFFFFF
        if transit is not None:
            d = (now_transit - transit) & 0xFFFFFFFF
            if d >= 0x80000000:
                d -= 0x100000000
            jitter += (abs(d) - jitter) / 16
        transit = now_transit
        if last_arrival is not None:
            gap = (arrival_ns - last_arrival) / 1e6
            if gap > longest[0]:
                longest = (gap, last_ext, ext)
        last_arrival, last_ext = arrival_ns, ext
        if args.arrivals:
            arrivals.append([ext, arrival_ns / 1e6])
    first = min(seen) if seen else 0
    # Numbers are counted from the first datagram received, or with --since from that
    # sequence number (absolute: the sender's own numbering) up to --until.
    base = first if args.since is None else args.since
    top = highest if args.until is None else args.until
    missing = [n - base for n in range(base, top + 1) if n not in seen] if seen else []
    report = {
        'received': received, 'unique': len(seen), 'duplicates': duplicates, 'reordered': reordered,
        'first': (first - base) if seen else None, 'last': (highest - base) if seen else None,
        'missing': missing, 'duplicate_list': [n - base for n in duplicate_list], 'jitter_us': jitter * 1e6 / args.clock, 'overflow': overflow,
        'longest_gap_ms': longest[0], 'gap_between': [None if x is None else x - first for x in longest[1:]],
    }
    if args.arrivals:
        report['arrivals'] = [[n - base, t] for n, t in arrivals]
    print(json.dumps(report))


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest='mode', required=True)
    for mode in ('send', 'receive'):
        p = sub.add_parser(mode)
        p.add_argument('--group', required=True)
        p.add_argument('--port', type=int, required=True)
        p.add_argument('--interface', required=True)
        p.add_argument('--clock', type=int, default=90000)
    p = sub.choices['send']
    p.add_argument('--count', type=int, required=True)
    p.add_argument('--rate', type=int, default=1000)
    p.add_argument('--size', type=int, default=200)
    p.add_argument('--ssrc', type=int, default=0x12345678)
    p.add_argument('--payload-type', type=int, default=96)
    p.add_argument('--first-seq', type=int, default=0)
    p.add_argument('--first-timestamp', type=int, default=0)
    p.add_argument('--drop', type=int, action='append', default=[])
    p.add_argument('--duplicate', type=int, action='append', default=[])
    p.add_argument('--swap', type=int, action='append', default=[])
    p.add_argument('--jitter-us', type=int, default=0)
    p.add_argument('--seed', type=int, default=1)
    p = sub.choices['receive']
    p.add_argument('--idle', type=float, default=2)
    p.add_argument('--expect', type=int, default=1 << 62)
    p.add_argument('--duration', type=float, default=60)
    p.add_argument('--arrivals', action='store_true')
    p.add_argument('--since', type=int)
    p.add_argument('--until', type=int)
    args = parser.parse_args()
    send(args) if args.mode == 'send' else receive(args)


if __name__ == '__main__':
    main()
