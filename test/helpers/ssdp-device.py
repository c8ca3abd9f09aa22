"""A minimal SSDP device for the discovery tests (the "responder"; the client is gssdp's
gssdp-discover): joins 239.255.255.250:1900 on one interface and answers every M-SEARCH
by unicast to the address and port it came from, as UPnP devices do, logging each
querier it answered to stderr ("answered 10.60.0.10:40123"). Runs until its time is up.
Test traffic only, inside the test's namespace."""
import argparse
import socket
import struct
import sys
import time

GROUP = '239.255.255.250'


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--address', required=True)
    parser.add_argument('--usn', required=True)
    parser.add_argument('--seconds', type=float, default=30)
    args = parser.parse_args()
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('', 1900))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, struct.pack('4s4s', socket.inet_aton(GROUP), socket.inet_aton(args.address)))
    s.settimeout(0.2)
    print('ssdp-device: ready', file=sys.stderr, flush=True)
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        try:
            data, sender = s.recvfrom(2048)
        except socket.timeout:
            continue
        if not data.startswith(b'M-SEARCH'):
            continue
        reply = (
            'HTTP/1.1 200 OK\r\n'
            'CACHE-CONTROL: max-age=60\r\n'
            'EXT:\r\n'
            f'LOCATION: http://{args.address}:8080/device.xml\r\n'
            'SERVER: Linux/6 UPnP/1.0 mcr-test/1\r\n'
            'ST: upnp:rootdevice\r\n'
            f'USN: {args.usn}::upnp:rootdevice\r\n'
            '\r\n'
        )
        s.sendto(reply.encode(), sender)
        print(f'answered {sender[0]}:{sender[1]}', file=sys.stderr, flush=True)


if __name__ == '__main__':
    main()
