import { describe, expect, it } from 'vitest';
import { LOCAL_URL_POLICY, STRICT_URL_POLICY, checkEndpointUrl, classifyAddress, guardedLookup, type UrlPolicy } from '../../../shared/delivery/url-policy.ts';

const LOCAL_HTTP_ONLY: UrlPolicy = { allowHttp: true, allowPrivateNetworks: false };

describe('address classes', () => {
  it.each([
    ['93.184.216.34', 'public'],
    ['8.8.8.8', 'public'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.1', 'public'],
    ['169.254.169.254', 'link-local'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'reserved'],
    ['198.18.0.1', 'reserved'],
    ['2606:4700:4700::1111', 'public'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['fe80::1%eth0', 'link-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fc00::1', 'unique-local'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'reserved'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:169.254.169.254', 'link-local'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::a00:1', 'private'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::1', 'reserved'],
    ['3fff::1', 'public'],
    ['4000::1', 'reserved'],
  ])('classifies %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('webhook URLs at registration', () => {
  it('accepts a public https URL', () => {
    expect(checkEndpointUrl('https://agency.example/hooks?x=1', STRICT_URL_POLICY).href).toBe('https://agency.example/hooks?x=1');
  });

  it('refuses http outside local mode', () => {
    expect(() => checkEndpointUrl('http://agency.example/hooks', STRICT_URL_POLICY)).toThrow(/scheme is 'http'; expected https$/);
  });

  it.each(['ftp://agency.example/x', 'file:///etc/passwd', 'javascript:alert(1)'])('refuses the scheme of %s', (url) => {
    expect(() => checkEndpointUrl(url, LOCAL_URL_POLICY)).toThrow(expect.objectContaining({ name: 'EndpointUrlRefusedError' }));
  });

  it.each([
    ['https://127.0.0.1/hooks', 'loopback'],
    ['https://2130706433/hooks', 'loopback'], // 127.0.0.1 as one number
    ['https://0x7f.1/hooks', 'loopback'],
    ['https://10.0.0.5/hooks', 'private'],
    ['https://192.168.0.10:8443/hooks', 'private'],
    ['https://169.254.169.254/latest/meta-data', 'link-local'],
    ['https://100.64.1.1/hooks', 'shared'],
    ['https://[::1]/hooks', 'loopback'],
    ['https://[fd00::1]/hooks', 'unique-local'],
    ['https://[fe80::1]/hooks', 'link-local'],
    ['https://[::ffff:127.0.0.1]/hooks', 'loopback'],
    ['https://[::ffff:192.168.0.1]/hooks', 'private'],
    ['https://0.0.0.0/hooks', 'unspecified'],
    ['https://[ff02::1]/hooks', 'multicast'],
  ])('refuses %s (%s) when the local allowance is off', (url, addressClass) => {
    expect(() => checkEndpointUrl(url, LOCAL_HTTP_ONLY)).toThrow(new RegExp(`is a ${addressClass} address; expected a public address$`));
  });

  it.each(['https://localhost/hooks', 'https://LOCALHOST./hooks', 'https://api.localhost/hooks'])('refuses %s, a name for this machine', (url) => {
    expect(() => checkEndpointUrl(url, LOCAL_HTTP_ONLY)).toThrow(/names this machine/);
  });

  it('allows loopback and private networks with the local allowance, but still no multicast or unspecified address', () => {
    expect(checkEndpointUrl('http://127.0.0.1:8080/hooks', LOCAL_URL_POLICY).port).toBe('8080');
    expect(checkEndpointUrl('http://[fd00::1]/hooks', LOCAL_URL_POLICY).hostname).toBe('[fd00::1]');
    expect(checkEndpointUrl('http://localhost:3000/', LOCAL_URL_POLICY).hostname).toBe('localhost');
    expect(() => checkEndpointUrl('http://0.0.0.0/hooks', LOCAL_URL_POLICY)).toThrow(/unspecified/);
    expect(() => checkEndpointUrl('http://224.0.0.1/hooks', LOCAL_URL_POLICY)).toThrow(/multicast/);
  });

  it('refuses user info in the URL', () => {
    expect(() => checkEndpointUrl('https://user:pass@agency.example/hooks', STRICT_URL_POLICY)).toThrow(/user info/);
  });

  it('refuses what is not an absolute URL, and an over-long one', () => {
    expect(() => checkEndpointUrl('/hooks', STRICT_URL_POLICY)).toThrow(/not an absolute URL/);
    expect(() => checkEndpointUrl(`https://agency.example/${'a'.repeat(2100)}`, STRICT_URL_POLICY)).toThrow(/characters long; expected at most 2048/);
  });
});

describe('connect-time lookup guard', () => {
  const lookupWith = (policy: UrlPolicy, addresses: { address: string; family: number }[], all = true) =>
    new Promise<{ error: unknown; result: unknown }>((resolve) => {
      const lookup = guardedLookup(policy, async () => addresses);
      (lookup as unknown as (h: string, o: object, cb: (error: unknown, result?: unknown) => void) => void)('hooks.agency.example', { all }, (error, result) =>
        resolve({ error, result }),
      );
    });

  it('passes public addresses through', async () => {
    const { error, result } = await lookupWith(STRICT_URL_POLICY, [{ address: '93.184.216.34', family: 4 }]);
    expect(error).toBeNull();
    expect(result).toEqual([{ address: '93.184.216.34', family: 4 }]);
  });

  it('refuses a name that resolves to loopback (DNS rebinding)', async () => {
    const { error } = await lookupWith(STRICT_URL_POLICY, [{ address: '127.0.0.1', family: 4 }]);
    expect(error).toMatchObject({ name: 'AddressRefusedError', message: 'hooks.agency.example resolves to 127.0.0.1 (loopback); expected a public address' });
  });

  it('refuses the whole name when one of its addresses is private', async () => {
    const { error } = await lookupWith(STRICT_URL_POLICY, [
      { address: '93.184.216.34', family: 4 },
      { address: 'fd00::5', family: 6 },
    ]);
    expect(error).toMatchObject({ name: 'AddressRefusedError' });
  });

  it('answers in the single-address form when `all` is not asked for', async () => {
    const lookup = guardedLookup(STRICT_URL_POLICY, async () => [{ address: '93.184.216.34', family: 4 }]);
    const answer = await new Promise<unknown[]>((resolve) =>
      (lookup as unknown as (h: string, o: object, cb: (...args: unknown[]) => void) => void)('x.example', {}, (...args) => resolve(args)),
    );
    expect(answer).toEqual([null, '93.184.216.34', 4]);
  });
});
