import {
  AddressInfo,
  connect,
  createServer,
  NetConnectOpts,
  Server,
} from 'net';
import { classifyAddress, NetworkPolicy } from './networkPolicy';

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['169.254.169.254', 'link-local'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.100.100.200', 'shared'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['192.0.2.10', 'documentation'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'private'],
    ['fd12:3456::1', 'private'],
    ['ff02::1', 'multicast'],
    ['::127.0.0.1', 'reserved'],
    ['2001:db8::1', 'documentation'],
    ['2001:0:4136:e378::1', 'reserved'],
    // IPv4-mapped and other IPv6 forms that reach an IPv4 address
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::127.0.0.1', 'loopback'],
    ['64:ff9b::a00:1', 'private'],
    ['2002:7f00:1::', 'loopback'],
    ['2002:a9fe:a9fe::1', 'link-local'],
    // public
    ['8.8.8.8', 'public'],
    ['172.32.0.1', 'public'],
    ['172.15.255.255', 'public'],
    ['100.128.0.1', 'public'],
    ['169.253.255.255', 'public'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::808:808', 'public'],
    ['2a00:1450:4001:80b::200e', 'public'],
    ['2001:4860:4860::8888', 'public'],
  ])('%s is %s', (address, category) => {
    expect(classifyAddress(address)).toBe(category);
  });

  it('refuses what is not an address', () => {
    expect(() => classifyAddress('localhost')).toThrow(
      /"localhost" is not an IP address/,
    );
    expect(() => classifyAddress('fe80::1%eth0')).toThrow(/not an IP address/);
    expect(() => classifyAddress('127.1')).toThrow(/not an IP address/);
  });
});

describe('NetworkPolicy', () => {
  const policy = (allowedHosts?: string[]) =>
    new NetworkPolicy({ setting: 'runbooks.test.allowedHosts', allowedHosts });

  it('matches names exactly or by subdomain, case- and trailing-dot-insensitive', () => {
    const p = policy(['*.fleetdeck.test', 'API.example.com', 'bücher.example']);
    expect(p.allowsHost('kafka.fleetdeck.test')).toBe(true);
    expect(p.allowsHost('a.b.fleetdeck.test')).toBe(true);
    expect(p.allowsHost('fleetdeck.test')).toBe(false);
    expect(p.allowsHost('evilfleetdeck.test')).toBe(false);
    expect(p.allowsHost('fleetdeck.test.evil.com')).toBe(false);
    expect(p.allowsHost('api.example.com.')).toBe(true);
    expect(p.allowsHost('api.example.com.evil')).toBe(false);
    expect(p.allowsHost('xn--bcher-kva.example')).toBe(true);
    expect(p.allowsHost('api.example.com:80')).toBe(false);
  });

  it('matches literal addresses by address or CIDR range, IPv4 and IPv6', () => {
    const p = policy([
      '10.20.0.0/16',
      '127.0.0.1',
      'fd00:1::/32',
      '[::1]',
      '::ffff:192.168.7.0/120',
    ]);
    expect(p.allowsHost('10.20.255.1')).toBe(true);
    expect(p.allowsHost('10.21.0.1')).toBe(false);
    expect(p.allowsHost('127.0.0.1')).toBe(true);
    expect(p.allowsHost('::ffff:127.0.0.1')).toBe(true);
    expect(p.allowsHost('127.0.0.2')).toBe(false);
    expect(p.allowsHost('fd00:1:ffff::9')).toBe(true);
    expect(p.allowsHost('fd00:2::9')).toBe(false);
    expect(p.allowsHost('[::1]')).toBe(true);
    expect(p.allowsHost('192.168.7.99')).toBe(true);
    expect(p.allowsHost('192.168.8.1')).toBe(false);
    // a range allows addresses, not names
    expect(p.allowsHost('localhost')).toBe(false);
  });

  it('refuses non-public addresses unless an address or range names them', () => {
    const p = policy(['localhost', 'api.example.com', '192.168.0.0/16']);
    expect(p.allowsAddress('93.184.216.34')).toBe(true);
    expect(p.allowsAddress('2a00:1450:4001:80b::200e')).toBe(true);
    expect(p.allowsAddress('192.168.3.4')).toBe(true);
    expect(p.allowsAddress('::ffff:192.168.3.4')).toBe(true);
    for (const address of [
      '127.0.0.1',
      '::1',
      '::ffff:127.0.0.1',
      '169.254.169.254',
      '10.0.0.1',
      '100.64.0.1',
      '0.0.0.0',
      '::',
      'fe80::1',
      'fd00::1',
    ]) {
      expect([address, p.allowsAddress(address)]).toEqual([address, false]);
    }
  });

  it.each([
    ['10.0.0.1/8', /has bits set after the prefix length/],
    ['10.0.0.0/33', /prefix length must be 0 to 32/],
    ['::/129', /prefix length must be 0 to 128/],
    ['::ffff:0:0/64', /at least 96/],
    ['http://example.com', /without scheme or port/],
    ['example.com:443', /without scheme or port/],
    ['*', /expected a host name/],
    ['*.', /expected a host name/],
    ['exa mple.com', /expected a host name/],
    ['1.2.3', /not an address or CIDR range/],
    ['fe80::1%eth0', /not an address or CIDR range/],
  ])('refuses the entry %s with an error naming the setting', (entry, why) => {
    expect(() => policy([entry])).toThrow(
      new RegExp(
        `Invalid entry "${entry.replace(
          /[.*/]/g,
          '\\$&',
        )}" in runbooks.test.allowedHosts`,
      ),
    );
    expect(() => policy([entry])).toThrow(why);
  });

  it('allows nothing when the list is absent or empty, naming the setting', async () => {
    for (const list of [undefined, []]) {
      await expect(policy(list).resolve('127.0.0.1')).rejects.toThrow(
        /runbooks.test.allowedHosts is empty or not set, so no host may be reached \(refused 127.0.0.1\)/,
      );
    }
  });

  it('resolves a listed name and refuses it when an address is not named', async () => {
    // /etc/hosts: localhost is 127.0.0.1 (and ::1 on some machines)
    await expect(policy(['localhost']).resolve('localhost')).rejects.toThrow(
      /Host localhost resolves to 127.0.0.1 \(loopback\).*which runbooks.test.allowedHosts does not name/,
    );
    const pinned = await policy(['localhost', '127.0.0.1', '::1']).resolve(
      'LOCALHOST',
    );
    expect(pinned.host).toBe('localhost');
    expect(pinned.addresses).toContainEqual({
      address: '127.0.0.1',
      family: 4,
    });
    await expect(
      policy(['api.example.com']).resolve('localhost'),
    ).rejects.toThrow(/Host localhost is not in runbooks.test.allowedHosts/);
    await expect(policy(['api.example.com']).resolve('[::1]')).rejects.toThrow(
      /Address ::1 is not in runbooks.test.allowedHosts/,
    );
  });

  it('checks every address a name resolves to', async () => {
    const answers: Record<string, { address: string; family: number }[]> = {
      'mixed.example.com': [
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:169.254.169.254', family: 6 },
      ],
      'public.example.com': [{ address: '93.184.216.34', family: 4 }],
    };
    const p = new NetworkPolicy({
      setting: 'runbooks.test.allowedHosts',
      allowedHosts: ['*.example.com'],
      resolve: async host => answers[host] ?? [],
    });
    await expect(p.resolve('mixed.example.com')).rejects.toThrow(
      /resolves to ::ffff:169.254.169.254 \(link-local\)/,
    );
    await expect(p.resolve('public.example.com')).resolves.toMatchObject({
      addresses: [{ address: '93.184.216.34', family: 4 }],
    });
    await expect(p.resolve('none.example.com')).rejects.toThrow(
      /Could not resolve none.example.com: no addresses/,
    );
  });

  describe('the pinned lookup', () => {
    let server: Server;
    let port: number;
    beforeAll(async () => {
      server = createServer(s => s.end('hello'));
      await new Promise<void>(r => server.listen(0, '127.0.0.1', r));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => server.close());

    const read = (options: NetConnectOpts) =>
      new Promise<string>((resolve, reject) => {
        let text = '';
        connect(options)
          .on('data', d => (text += d))
          .on('end', () => resolve(text))
          .on('error', reject);
      });

    it('connects to the checked address, whatever DNS answers later', async () => {
      let answer = '127.0.0.1';
      const p = new NetworkPolicy({
        setting: 'runbooks.test.allowedHosts',
        allowedHosts: ['rebind.example.com', '127.0.0.1'],
        resolve: async () => [{ address: answer, family: 4 }],
      });
      const pinned = await p.resolve('rebind.example.com');
      answer = '10.0.0.1'; // the name now points elsewhere
      await expect(
        read({ host: pinned.host, port, lookup: pinned.lookup }),
      ).resolves.toBe('hello');
      await expect(p.resolve('rebind.example.com')).rejects.toThrow(
        /resolves to 10.0.0.1 \(private\)/,
      );
    });

    it('answers no other name', async () => {
      const pinned = await policy(['127.0.0.1', 'localhost']).resolve(
        'localhost',
      );
      await expect(
        read({ host: 'other.example.com', port, lookup: pinned.lookup }),
      ).rejects.toThrow(
        /other.example.com was not checked by the network policy/,
      );
    });
  });
});
