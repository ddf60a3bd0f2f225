import { describe, expect, it } from 'vitest';
import { isInternalAddress, isInternalHost } from './internal-address.js';

describe('internal addresses', () => {
  it('refuses every IPv4 range that is not public, at both ends', () => {
    const internal = [
      '0.0.0.0', '0.255.255.255', '10.0.0.1', '10.255.255.255', '100.64.0.1', '100.127.255.255', '127.0.0.1', '127.255.255.254',
      '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.0.0.1', '192.0.0.255', '192.0.2.1', '192.88.99.1', '192.168.1.1',
      '198.18.0.1', '198.19.255.255', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    ];
    for (const address of internal) expect(isInternalAddress(address), address).toBe(true);
    const pub = ['8.8.8.8', '1.1.1.1', '9.255.255.255', '11.0.0.1', '100.63.255.255', '100.128.0.1', '126.255.255.255', '128.0.0.1',
      '169.253.255.255', '172.15.255.255', '172.32.0.1', '192.0.1.1', '192.167.255.255', '198.17.255.255', '198.20.0.1', '223.255.255.255'];
    for (const address of pub) expect(isInternalAddress(address), address).toBe(false);
  });

  it('refuses IPv6 loopback, unspecified, link-local, unique-local, multicast and documentation, and judges embedded IPv4 by itself', () => {
    const internal = [
      '::', '::1', '0:0:0:0:0:0:0:1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'fec0::1', 'fc00::1', 'fd12:3456::1', 'ff02::1', '100::1', '2001:db8::1',
      '2001::1', '64:ff9b:1::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::127.0.0.1',
      '64:ff9b::127.0.0.1', '64:ff9b::a00:1', '64:ff9b::169.254.169.254', '2002:7f00:1::1', '2002:c0a8:101::1',
    ];
    for (const address of internal) expect(isInternalAddress(address), address).toBe(true);
    const pub = ['2606:4700:4700::1111', '2400:3200::1', '::ffff:8.8.8.8', '::ffff:808:808', '64:ff9b::8.8.8.8', '2002:808:808::1'];
    for (const address of pub) expect(isInternalAddress(address), address).toBe(false);
  });

  it('takes localhost names and bracketed literals as written, and leaves other names to the resolver', () => {
    for (const host of ['localhost', 'LOCALHOST.', 'api.localhost', '[::1]', '[::ffff:7f00:1]', '127.0.0.1', '0.0.0.0']) expect(isInternalHost(host), host).toBe(true);
    for (const host of ['agency.example.cn', 'localhost.example.cn', '127.0.0.1.nip.io', '[2606:4700:4700::1111]', '8.8.8.8']) expect(isInternalHost(host), host).toBe(false);
    expect(isInternalAddress('not-an-address')).toBe(false);
  });
});
