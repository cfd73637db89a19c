import { execFileSync } from 'node:child_process';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET, serveTestKit } from '../../test/support/serve-kit.js';
import { AttachError, openAttach, plainTokenRefusal } from './attach-connection.js';
import { ServeUsageError } from './serve-command.js';

const kit = serveTestKit();
const { serve, attach } = kit;

/** A throwaway CA, a server certificate it signed for 127.0.0.1, and an unrelated CA: made with openssl. */
let pki: string;
const pem = (name: string) => join(pki, name);
const openssl = (...args: string[]) => execFileSync('/usr/bin/openssl', args, { cwd: pki, stdio: 'pipe' });
const makeCa = (name: string) =>
  openssl(
    ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2'],
    ...['-keyout', `${name}.key`, '-out', `${name}.pem`, '-subj', `/CN=${name}`],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  );

beforeAll(() => {
  pki = mkdtempSync(join(tmpdir(), 'lvstop-pki-'));
  makeCa('test-ca');
  makeCa('other-ca');
  openssl(
    ...['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'],
    ...['-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=127.0.0.1'],
  );
  writeFileSync(
    pem('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
  );
  openssl(
    ...['x509', '-req', '-in', 'server.csr', '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial'],
    ...['-days', '2', '-extfile', 'server.ext', '-out', 'server.pem'],
  );
});
afterAll(() => rmSync(pki, { recursive: true, force: true }));

const tlsServe = () =>
  serve({ listen: '127.0.0.1:0', tokenFile: kit.tokenFile(), tlsCert: pem('server.pem'), tlsKey: pem('server.key') });

function get(url: string, ca?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const run = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = run(url, ca ? { ca } : {}, (res) => {
      let body = '';
      res.on('data', (d) => (body += String(d)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('serve over TLS', () => {
  it('attaches over https with --ca, and serves /metrics over TLS on the same address', async () => {
    const s = await tlsServe();
    const c = await attach(`https://127.0.0.1:${s.port}`, { token: TEST_SECRET, caFile: pem('test-ca.pem') });
    expect(c.hello.operator).toBe('alice(tls 127.0.0.1 token oncall)');
    expect(Object.keys(c.state.hosts)).toEqual(['here']);
    expect(kit.logs).toContain(`https://127.0.0.1:${s.port}/metrics, attach with a token on the same address`);
    const metrics = await get(`https://127.0.0.1:${s.port}/metrics`, readFileSync(pem('test-ca.pem'), 'utf8'));
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('lvstop_host_up');
  });

  it('says clearly when the certificate is not trusted, and when TLS is expected but not spoken', async () => {
    const s = await tlsServe();
    const url = `https://127.0.0.1:${s.port}`;
    const wrongCa = attach(url, { token: TEST_SECRET, caFile: pem('other-ca.pem') });
    await expect(wrongCa).rejects.toThrow(AttachError);
    await expect(wrongCa).rejects.toThrow(
      `cannot attach to ${url}/: serve's TLS certificate is not trusted (UNABLE_TO_VERIFY_LEAF_SIGNATURE): it is not signed by the CA in ${pem('other-ca.pem')}`,
    );
    // Node's own CAs do not know the test CA.
    await expect(attach(url, { token: TEST_SECRET })).rejects.toThrow(/not trusted .*give --ca FILE/);
    await expect(attach(url, { token: TEST_SECRET, caFile: pem('missing.pem') })).rejects.toThrow(
      `--ca ${pem('missing.pem')}: no such file`,
    );
    // Plain http to the TLS port (loopback, so allowed): serve hangs up; attach says what to try.
    await expect(attach(`http://127.0.0.1:${s.port}`, { token: TEST_SECRET })).rejects.toThrow(
      /attach with https:\/\//,
    );
    // https to a plain listener: the handshake fails and says so.
    const plain = await serve({ socket: join(kit.dir, 'p.sock'), listen: '127.0.0.1:0', tokenFile: kit.tokenFile() });
    await expect(attach(`https://127.0.0.1:${plain.port}`, { token: TEST_SECRET })).rejects.toThrow(
      /TLS handshake failed .*does serve run with --tls-cert\?/,
    );
  });

  it('refuses TLS options that cannot work before it starts', async () => {
    const base = { listen: '127.0.0.1:0', tokenFile: kit.tokenFile() };
    await expect(serve({ ...base, tlsCert: pem('server.pem') })).rejects.toThrow(
      '--tls-cert and --tls-key go together',
    );
    await expect(serve({ ...base, tlsCert: pem('server.pem'), tlsKey: pem('test-ca.key') })).rejects.toThrow(
      ServeUsageError,
    );
    await expect(serve({ ...base, tlsCert: pem('nope.pem'), tlsKey: pem('server.key') })).rejects.toThrow(
      `--tls-cert ${pem('nope.pem')}: no such file`,
    );
    await expect(serve({ tlsCert: pem('server.pem'), tlsKey: pem('server.key') })).rejects.toThrow(
      /--tls-cert is for TCP listeners/,
    );
  });
});

describe('a token in clear', () => {
  it('is refused over http:// to an address that is not loopback, before any socket is opened', async () => {
    const opened: string[] = [];
    // Any client socket created would be reported here, and kept from connecting (192.0.2.1 is TEST-NET-1).
    const onSocket = (m: unknown) => {
      const socket = (m as { socket: Socket }).socket;
      opened.push(String(socket.remoteAddress));
      socket.connect = (() => socket.destroy()) as unknown as Socket['connect'];
    };
    const onRequest = () => opened.push('http request');
    subscribe('net.client.socket', onSocket);
    subscribe('http.client.request.start', onRequest);
    try {
      const refused = openAttach('http://192.0.2.1:9440', { operator: 'alice', token: TEST_SECRET, timeoutMs: 1000 });
      await expect(refused).rejects.toThrow(AttachError);
      await expect(refused).rejects.toThrow(
        'cannot attach to http://192.0.2.1:9440/: refusing to send the token in clear over http:// to 192.0.2.1: use https:// (serve with --tls-cert and --tls-key), or --insecure-http on a network you trust',
      );
      await expect(openAttach('http://lvstop.example:9440', { operator: 'a', timeoutMs: 1000 })).rejects.toThrow(
        /refusing to send the token in clear/,
      );
    } finally {
      unsubscribe('net.client.socket', onSocket);
      unsubscribe('http.client.request.start', onRequest);
    }
    expect(opened).toEqual([]);
  });

  it('is allowed to loopback, over https, and with --insecure-http', () => {
    const refused = (url: string, insecureHttp = false) => plainTokenRefusal(new URL(url), { insecureHttp });
    for (const ok of ['http://127.0.0.1:1', 'http://127.1.2.3:1', 'http://[::1]:1', 'http://localhost:1'])
      expect(refused(ok), ok).toBeUndefined();
    expect(refused('https://10.0.0.5:9440')).toBeUndefined();
    expect(refused('http://10.0.0.5:9440', true)).toBeUndefined();
    for (const no of ['http://10.0.0.5:9440', 'http://[2001:db8::1]:1', 'http://127.example:1', 'http://0.0.0.0:1'])
      expect(refused(no), no).toMatch(/refusing to send the token in clear/);
  });
});

describe('serve --metrics-listen', () => {
  it('serves /metrics without a token and refuses attach; serve may run with nothing else', async () => {
    const s = await serve({ socket: undefined, metricsListen: '127.0.0.1:0' });
    expect(s.port).toBeUndefined();
    const metrics = await get(`http://127.0.0.1:${s.metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('lvstop_host_up');
    expect((await get(`http://127.0.0.1:${s.metricsPort}/`)).body).toBe('lvstop serve: GET /metrics\n');
    await expect(attach(`http://127.0.0.1:${s.metricsPort}`, { token: TEST_SECRET })).rejects.toThrow(
      /cannot attach to .*: HTTP 404/,
    );
    expect(kit.logs).toContain('refused attach from 127.0.0.1: this address serves /metrics only');
    await expect(serve({ socket: undefined })).rejects.toThrow(
      'give --socket PATH, --listen HOST:PORT or --metrics-listen HOST:PORT',
    );
  });
});
