import { isAbsolute, resolve } from 'node:path';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.ts';
import { RETENTION_DEFAULTS } from '../../src/modules/retention/settings.ts';

const bad = (env: Record<string, string>, mentions: string | RegExp) => {
  let err: unknown;
  try {
    loadConfig(env);
  } catch (e) {
    err = e;
  }
  expect(err, JSON.stringify(env)).toBeInstanceOf(ConfigError);
  expect((err as Error).message).toMatch(mentions);
};

describe('loadConfig', () => {
  it('has safe defaults for everything', () => {
    const c = loadConfig({});
    expect(c).toEqual({
      port: 3000,
      host: '0.0.0.0',
      dataDir: resolve('./data'),
      databaseUrl: null,
      secretKey: null,
      secretKeyPrevious: [],
      redisUrl: null,
      trustProxy: [],
      logLevel: 'info',
      defaultRateLimitPerMinute: 120,
      bodyLimit: 1024 * 1024,
      emailBodyLimit: 10 * 1024 * 1024,
      idempotencyTtlMs: 24 * 3_600_000,
      currency: 'USD',
      pgPoolSize: 16,
      acceptBatches: null,
      smppUrl: null,
      smppWindow: 10,
      smtpUrl: null,
      sipTrunks: [],
      voiceSimulatorSpeed: 1,
      workerConcurrency: 1000,
      jobLeaseMs: null,
      receiptTimeoutMs: { sms: 48 * 3_600_000, email: 48 * 3_600_000 },
      shutdownTimeoutMs: 10_000,
      dnsServers: [],
      spfInclude: null,
      returnPathHost: null,
      httpSmsProviders: [],
      providerCallbackToken: null,
      metricsToken: null,
      workerMetricsPort: null,
      smtpInboundPort: null,
      smtpInboundMaxBytes: 25 * 1024 * 1024,
      smtpInboundTls: null,
      otp: expect.objectContaining({ secret: null, smsFrom: 'Verify', emailFrom: null }),
      webhooksAllowPrivate: false,
      webhookTimeoutMs: 15_000,
      attachmentsAllowPrivate: false,
      attachmentFetchTimeoutMs: 10_000,
      emailVerify: expect.objectContaining({ smtpByDefault: false, allowPrivateHosts: false }),
      people: expect.objectContaining({ signup: 'closed', publicUrl: 'http://localhost:3000', sessionIdleMs: 12 * 3_600_000, sessionMaxMs: 7 * 86_400_000 }),
      http: {
        headersTimeoutMs: 10_000,
        requestTimeoutMs: 30_000,
        keepAliveTimeoutMs: 5_000,
        connectionTimeoutMs: 120_000,
        maxConnections: 1024,
        maxInFlight: 256,
        maxEventLoopDelayMs: 0,
      },
      // The environment's defaults are the documented ones (docs/retention.md).
      retention: RETENTION_DEFAULTS,
    });
    expect(isAbsolute(c.dataDir)).toBe(true);
  });

  it('reads the HTTP limits and refuses malformed ones', () => {
    const c = loadConfig({
      HELLIO_HTTP_HEADERS_TIMEOUT_MS: '2000',
      HELLIO_HTTP_REQUEST_TIMEOUT_MS: '4000',
      HELLIO_HTTP_KEEPALIVE_TIMEOUT_MS: '1000',
      HELLIO_HTTP_CONNECTION_TIMEOUT_MS: '60000',
      HELLIO_HTTP_MAX_CONNECTIONS: '50',
      HELLIO_HTTP_MAX_IN_FLIGHT: '10',
      HELLIO_HTTP_MAX_EVENT_LOOP_DELAY_MS: '200',
    });
    expect(c.http).toEqual({ headersTimeoutMs: 2000, requestTimeoutMs: 4000, keepAliveTimeoutMs: 1000, connectionTimeoutMs: 60_000, maxConnections: 50, maxInFlight: 10, maxEventLoopDelayMs: 200 });
    expect(() => loadConfig({ HELLIO_HTTP_HEADERS_TIMEOUT_MS: '5000', HELLIO_HTTP_REQUEST_TIMEOUT_MS: '4000' })).toThrow(/must not exceed HELLIO_HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HELLIO_HTTP_MAX_IN_FLIGHT: '0' })).toThrow(/HELLIO_HTTP_MAX_IN_FLIGHT/);
    expect(() => loadConfig({ HELLIO_HTTP_MAX_CONNECTIONS: '1e3' })).toThrow(/HELLIO_HTTP_MAX_CONNECTIONS/);
    // 0 would mean "no timeout" to Node: not allowed.
    expect(() => loadConfig({ HELLIO_HTTP_REQUEST_TIMEOUT_MS: '0' })).toThrow(/HELLIO_HTTP_REQUEST_TIMEOUT_MS/);
    expect(() => loadConfig({ HELLIO_HTTP_KEEPALIVE_TIMEOUT_MS: 'soon' })).toThrow(/HELLIO_HTTP_KEEPALIVE_TIMEOUT_MS/);
  });

  it('reads the retention periods (0 = forever) and refuses malformed ones', () => {
    const c = loadConfig({ HELLIO_RETENTION_JOBS_DAYS: '0', HELLIO_RETENTION_BODIES_DAYS: '365', HELLIO_RETENTION_SANDBOX_DAYS: '1', HELLIO_RETENTION_BATCH: '50' });
    expect(c.retention).toMatchObject({ jobsMs: 0, bodiesDays: 365, sandboxMs: 86_400_000, batchSize: 50 });
    for (const [name, value] of [
      ['HELLIO_RETENTION_JOBS_DAYS', '-1'],
      ['HELLIO_RETENTION_WEBHOOKS_DAYS', '7d'],
      ['HELLIO_RETENTION_BODIES_DAYS', '1e3'],
      ['HELLIO_RETENTION_BATCH', '0'],
      ['HELLIO_RETENTION_BUDGET_MS', '600000'],
    ]) {
      expect(() => loadConfig({ [name!]: value }), name).toThrow(new RegExp(name!));
    }
  });

  it('reads the delivery settings and refuses malformed ones', () => {
    const c = loadConfig({
      HELLIO_SMPP_URL: 'smpp://sys:pw@127.0.0.1:2775',
      HELLIO_SMTP_URL: 'smtps://u:p@mail.example.com:465',
      HELLIO_WORKER_CONCURRENCY: '8',
      HELLIO_DNS_SERVERS: '1.1.1.1, 127.0.0.1:5353,[::1]:53',
    });
    expect(c.smppUrl).toBe('smpp://sys:pw@127.0.0.1:2775');
    expect(c.smtpUrl).toBe('smtps://u:p@mail.example.com:465');
    expect(c.workerConcurrency).toBe(8);
    expect(c.dnsServers).toEqual(['1.1.1.1', '127.0.0.1:5353', '[::1]:53']);
    expect(() => loadConfig({ HELLIO_SMPP_URL: 'http://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ HELLIO_SMTP_URL: 'smpp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ HELLIO_DNS_SERVERS: 'dns.example.com' })).toThrow(/HELLIO_DNS_SERVERS/);
    expect(() => loadConfig({ HELLIO_WORKER_CONCURRENCY: '0' })).toThrow(/HELLIO_WORKER_CONCURRENCY/);
  });

  it('reads the inbound SMTP server settings (off when the port is unset) and refuses malformed ones', () => {
    expect(loadConfig({})).toMatchObject({ smtpInboundPort: null, smtpInboundMaxBytes: 25 * 1024 * 1024 });
    expect(loadConfig({ HELLIO_SMTP_INBOUND_PORT: '2525', HELLIO_SMTP_INBOUND_MAX_BYTES: '1048576' })).toMatchObject({ smtpInboundPort: 2525, smtpInboundMaxBytes: 1048576 });
    expect(() => loadConfig({ HELLIO_SMTP_INBOUND_PORT: '70000' })).toThrow(/HELLIO_SMTP_INBOUND_PORT/);
    expect(() => loadConfig({ HELLIO_SMTP_INBOUND_PORT: 'smtp' })).toThrow(/HELLIO_SMTP_INBOUND_PORT/);
    expect(() => loadConfig({ HELLIO_SMTP_INBOUND_MAX_BYTES: '10' })).toThrow(/HELLIO_SMTP_INBOUND_MAX_BYTES/);
  });

  it('reads the receipt timeouts per channel (minutes) and refuses malformed ones', () => {
    expect(loadConfig({ HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES: '90', HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES: '1' }).receiptTimeoutMs).toEqual({ sms: 90 * 60_000, email: 60_000 });
    expect(() => loadConfig({ HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES: '0' })).toThrow(/HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES/);
    expect(() => loadConfig({ HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES: '2h' })).toThrow(/HELLIO_EMAIL_RECEIPT_TIMEOUT_MINUTES/);
    expect(() => loadConfig({ HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES: '43201' })).toThrow(/HELLIO_SMS_RECEIPT_TIMEOUT_MINUTES/);
  });

  it('reads the SIP trunks (HELLIO_SIP_URL, HELLIO_SIP_TRUNKS) and refuses malformed ones without echoing a password', () => {
    const c = loadConfig({
      HELLIO_SIP_URL: 'sip:hellio:s3cret@127.0.0.1:5070',
      HELLIO_SIP_TRUNKS: JSON.stringify([{ name: 'backup', url: 'sip:acme:pw@sip.example.net' }]),
      HELLIO_VOICE_SIMULATOR_SPEED: '20',
    });
    expect(c.sipTrunks).toEqual([
      { name: 'sip', url: 'sip:hellio:s3cret@127.0.0.1:5070' },
      { name: 'backup', url: 'sip:acme:pw@sip.example.net' },
    ]);
    expect(c.voiceSimulatorSpeed).toBe(20);
    for (const bad of ['http://hellio:s3cret@127.0.0.1', 'sip:hellio:s3cret@', 'sip:hellio:s3cret@127.0.0.1:99999', 'sips:hellio:s3cret@host']) {
      let message = '';
      try {
        loadConfig({ HELLIO_SIP_URL: bad });
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        message = (err as Error).message;
      }
      expect(message).toMatch(/^HELLIO_SIP_URL/);
      expect(message).not.toContain('s3cret');
    }
    expect(() => loadConfig({ HELLIO_SIP_TRUNKS: '{"name":"x"}' })).toThrow(/HELLIO_SIP_TRUNKS must be a JSON array/);
    expect(() => loadConfig({ HELLIO_SIP_TRUNKS: '[{"name":"Bad Name","url":"sip:a:b@h"}]' })).toThrow(/HELLIO_SIP_TRUNKS\[0\]\.name/);
    expect(() => loadConfig({ HELLIO_SIP_TRUNKS: '[{"name":"simulator","url":"sip:a:b@h"}]' })).toThrow(/taken/);
    expect(() => loadConfig({ HELLIO_SIP_URL: 'sip:a:b@h', HELLIO_SIP_TRUNKS: '[{"name":"sip","url":"sip:a:b@h"}]' })).toThrow(/taken/);
    expect(() => loadConfig({ HELLIO_SIP_TRUNKS: '[{"name":"b","url":"http://h"}]' })).toThrow(/HELLIO_SIP_TRUNKS\[0\]\.url/);
    expect(() => loadConfig({ HELLIO_VOICE_SIMULATOR_SPEED: '0' })).toThrow(/HELLIO_VOICE_SIMULATOR_SPEED/);
  });

  it('reads every documented variable', () => {
    const c = loadConfig({
      PORT: '8080',
      HOST: '127.0.0.1',
      HELLIO_DATA_DIR: '/var/lib/hellio',
      DATABASE_URL: 'postgres://u:p@db:5432/hellio',
      REDIS_URL: 'redis://cache:6379/2',
      HELLIO_TRUST_PROXY: '10.0.0.1',
      HELLIO_RATE_LIMIT_PER_MINUTE: '600',
      HELLIO_IDEMPOTENCY_TTL_HOURS: '48',
      HELLIO_CURRENCY: 'eur',
    });
    expect(c).toMatchObject({
      port: 8080,
      host: '127.0.0.1',
      dataDir: '/var/lib/hellio',
      databaseUrl: 'postgres://u:p@db:5432/hellio',
      redisUrl: 'redis://cache:6379/2',
      trustProxy: ['10.0.0.1'],
      defaultRateLimitPerMinute: 600,
      idempotencyTtlMs: 48 * 3_600_000,
      currency: 'EUR',
    });
  });

  it('resolves a relative data directory to an absolute one', () => {
    expect(loadConfig({ HELLIO_DATA_DIR: 'some/dir' }).dataDir).toBe(resolve('some/dir'));
  });

  it('takes an empty variable as unset', () => {
    const c = loadConfig({ PORT: '', HOST: '', HELLIO_DATA_DIR: '', DATABASE_URL: '', REDIS_URL: '', HELLIO_TRUST_PROXY: '', HELLIO_RATE_LIMIT_PER_MINUTE: '' });
    expect(c).toMatchObject({ port: 3000, host: '0.0.0.0', dataDir: resolve('./data'), databaseUrl: null, redisUrl: null, trustProxy: [], defaultRateLimitPerMinute: 120 });
  });

  it('accepts PORT 0 (any free port) and 65535', () => {
    expect(loadConfig({ PORT: '0' }).port).toBe(0);
    expect(loadConfig({ PORT: '65535' }).port).toBe(65535);
  });

  it.each(['abc', '70000', '65536', '-1', '3000.5', '0x10', '1e3', '3000abc', ' ', '80 80'])('refuses PORT=%j', (port) => {
    bad({ PORT: port }, /PORT/);
  });

  it('reads HELLIO_SHUTDOWN_TIMEOUT_MS and refuses one out of range', () => {
    expect(loadConfig({ HELLIO_SHUTDOWN_TIMEOUT_MS: '2500' }).shutdownTimeoutMs).toBe(2_500);
    bad({ HELLIO_SHUTDOWN_TIMEOUT_MS: '999' }, /HELLIO_SHUTDOWN_TIMEOUT_MS/);
    bad({ HELLIO_SHUTDOWN_TIMEOUT_MS: 'soon' }, /HELLIO_SHUTDOWN_TIMEOUT_MS/);
  });

  it.each(['0', '-5', 'many', '1.5'])('refuses HELLIO_RATE_LIMIT_PER_MINUTE=%j', (v) => {
    bad({ HELLIO_RATE_LIMIT_PER_MINUTE: v }, /HELLIO_RATE_LIMIT_PER_MINUTE/);
  });

  it('keeps Idempotency-Keys at least 24 hours', () => {
    bad({ HELLIO_IDEMPOTENCY_TTL_HOURS: '1' }, /HELLIO_IDEMPOTENCY_TTL_HOURS/);
  });

  it('accepts both PostgreSQL URL schemes', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://localhost/hellio' }).databaseUrl).toBe('postgresql://localhost/hellio');
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/hellio' }).databaseUrl).toBe('postgres://localhost/hellio');
  });

  it.each(['mysql://localhost/hellio', 'sqlite:///tmp/x.db', 'http://localhost:5432', 'not a url', 'localhost:5432/hellio'])(
    'refuses DATABASE_URL=%j',
    (url) => {
      bad({ DATABASE_URL: url }, /DATABASE_URL/);
    },
  );

  it('accepts redis: and rediss: and refuses other REDIS_URL schemes', () => {
    expect(loadConfig({ REDIS_URL: 'rediss://secure:6380' }).redisUrl).toBe('rediss://secure:6380');
    bad({ REDIS_URL: 'http://cache:6379' }, /REDIS_URL/);
    bad({ REDIS_URL: 'cache:6379 x' }, /REDIS_URL/);
  });

  it('does not echo a bad URL, which may hold a password', () => {
    let message = '';
    try {
      loadConfig({ DATABASE_URL: 'mysql://admin:s3cret@db/hellio' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).not.toContain('s3cret');
  });

  it('reads HELLIO_TRUST_PROXY as a comma-separated list', () => {
    expect(loadConfig({ HELLIO_TRUST_PROXY: '10.0.0.1, 10.0.0.0/8 ,,2001:db8::/32,' }).trustProxy).toEqual(['10.0.0.1', '10.0.0.0/8', '2001:db8::/32']);
    expect(loadConfig({ HELLIO_TRUST_PROXY: 'loopback,uniquelocal' }).trustProxy).toEqual(['loopback', 'uniquelocal']);
    expect(loadConfig({ HELLIO_TRUST_PROXY: '10.0.0.0/255.0.0.0' }).trustProxy).toEqual(['10.0.0.0/255.0.0.0']);
  });

  it('only accepts proxy lists the HTTP server can use', () => {
    const c = loadConfig({ HELLIO_TRUST_PROXY: '10.0.0.1,10.0.0.0/8,2001:db8::/32,loopback,linklocal,uniquelocal,172.16.0.0/255.240.0.0' });
    const app = Fastify({ trustProxy: c.trustProxy });
    return app.close();
  });

  it.each(['garbage', '10.0.0.1,nope', '10.0.0.0/33', '300.1.1.1'])('refuses HELLIO_TRUST_PROXY=%j at start', (v) => {
    bad({ HELLIO_TRUST_PROXY: v }, /HELLIO_TRUST_PROXY/);
  });

  it('refuses a currency that is not a 3-letter code', () => {
    bad({ HELLIO_CURRENCY: 'US' }, /HELLIO_CURRENCY/);
    bad({ HELLIO_CURRENCY: 'DOLLARS' }, /HELLIO_CURRENCY/);
  });

  it('reads the email verification settings (HELLIO_EMAIL_VERIFY_*) with safe defaults', () => {
    const d = loadConfig({}).emailVerify;
    expect(d).toEqual({
      smtpByDefault: false,
      probe: { port: 25, heloName: expect.any(String), mailFrom: null, timeoutMs: 10_000 },
      allowPrivateHosts: false,
      cacheTtlMs: 3_600_000,
      dnsTimeoutMs: 5_000,
    });
    expect(d.probe.heloName).toMatch(/^[A-Za-z0-9.-]+$/);
    const c = loadConfig({
      HELLIO_EMAIL_VERIFY_SMTP: 'true',
      HELLIO_EMAIL_VERIFY_SMTP_PORT: '2525',
      HELLIO_EMAIL_VERIFY_HELO: 'verify.example.com',
      HELLIO_EMAIL_VERIFY_MAIL_FROM: 'probe@Example.COM',
      HELLIO_EMAIL_VERIFY_TIMEOUT_MS: '1500',
      HELLIO_EMAIL_VERIFY_DNS_TIMEOUT_MS: '800',
      HELLIO_EMAIL_VERIFY_CACHE_SECONDS: '0',
      HELLIO_EMAIL_VERIFY_ALLOW_PRIVATE: 'true',
    }).emailVerify;
    expect(c).toEqual({
      smtpByDefault: true,
      probe: { port: 2525, heloName: 'verify.example.com', mailFrom: 'probe@example.com', timeoutMs: 1500 },
      allowPrivateHosts: true,
      cacheTtlMs: 0,
      dnsTimeoutMs: 800,
    });
  });

  it.each([
    [{ HELLIO_EMAIL_VERIFY_SMTP: 'yes' }, /HELLIO_EMAIL_VERIFY_SMTP/],
    [{ HELLIO_EMAIL_VERIFY_SMTP_PORT: '0' }, /HELLIO_EMAIL_VERIFY_SMTP_PORT/],
    [{ HELLIO_EMAIL_VERIFY_SMTP_PORT: '70000' }, /HELLIO_EMAIL_VERIFY_SMTP_PORT/],
    [{ HELLIO_EMAIL_VERIFY_HELO: 'not a host' }, /HELLIO_EMAIL_VERIFY_HELO/],
    [{ HELLIO_EMAIL_VERIFY_HELO: '-bad.example.com' }, /HELLIO_EMAIL_VERIFY_HELO/],
    [{ HELLIO_EMAIL_VERIFY_MAIL_FROM: 'nobody' }, /HELLIO_EMAIL_VERIFY_MAIL_FROM/],
    [{ HELLIO_EMAIL_VERIFY_MAIL_FROM: 'Probe <probe@example.com>' }, /HELLIO_EMAIL_VERIFY_MAIL_FROM/],
    [{ HELLIO_EMAIL_VERIFY_TIMEOUT_MS: '50' }, /HELLIO_EMAIL_VERIFY_TIMEOUT_MS/],
    [{ HELLIO_EMAIL_VERIFY_DNS_TIMEOUT_MS: 'soon' }, /HELLIO_EMAIL_VERIFY_DNS_TIMEOUT_MS/],
    [{ HELLIO_EMAIL_VERIFY_CACHE_SECONDS: '-1' }, /HELLIO_EMAIL_VERIFY_CACHE_SECONDS/],
    [{ HELLIO_EMAIL_VERIFY_ALLOW_PRIVATE: 'maybe' }, /HELLIO_EMAIL_VERIFY_ALLOW_PRIVATE/],
  ])('refuses %j at start', (env, mentions) => {
    bad(env, mentions);
  });

  it('reads the webhook settings and refuses malformed ones', () => {
    expect(loadConfig({ HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'true', HELLIO_WEBHOOK_TIMEOUT_MS: '2500' })).toMatchObject({ webhooksAllowPrivate: true, webhookTimeoutMs: 2500 });
    for (const v of ['1', 'TRUE', ' true ']) expect(loadConfig({ HELLIO_WEBHOOKS_ALLOW_PRIVATE: v }).webhooksAllowPrivate).toBe(true);
    for (const v of ['', '0', 'false', 'False']) expect(loadConfig({ HELLIO_WEBHOOKS_ALLOW_PRIVATE: v }).webhooksAllowPrivate).toBe(false);
    bad({ HELLIO_WEBHOOKS_ALLOW_PRIVATE: 'yes' }, /HELLIO_WEBHOOKS_ALLOW_PRIVATE must be true or false/);
    bad({ HELLIO_WEBHOOK_TIMEOUT_MS: '50' }, /HELLIO_WEBHOOK_TIMEOUT_MS/);
    bad({ HELLIO_WEBHOOK_TIMEOUT_MS: '15s' }, /HELLIO_WEBHOOK_TIMEOUT_MS/);
  });

  it('reads HELLIO_METRICS_TOKEN (refusing a short or unsendable one without echoing it) and HELLIO_WORKER_METRICS_PORT', () => {
    expect(loadConfig({}).metricsToken).toBeNull();
    expect(loadConfig({ HELLIO_METRICS_TOKEN: 'a'.repeat(24) }).metricsToken).toBe('a'.repeat(24));
    bad({ HELLIO_METRICS_TOKEN: 'short-token-23-chars-xx' }, /^HELLIO_METRICS_TOKEN must be at least 24 characters$/);
    bad({ HELLIO_METRICS_TOKEN: 'a token with spaces in it, long enough' }, /^HELLIO_METRICS_TOKEN must be visible ASCII characters without spaces$/);
    bad({ HELLIO_METRICS_TOKEN: `${'a'.repeat(24)}é` }, /^HELLIO_METRICS_TOKEN must be visible ASCII/);
    expect(loadConfig({ HELLIO_WORKER_METRICS_PORT: '9464' }).workerMetricsPort).toBe(9464);
    bad({ HELLIO_WORKER_METRICS_PORT: '70000' }, /HELLIO_WORKER_METRICS_PORT/);
  });

  it('reads the OTP settings (HELLIO_OTP_*) with safe defaults', () => {
    expect(loadConfig({}).otp).toEqual({
      secret: null,
      smsFrom: 'Verify',
      emailFrom: null,
      resendCooldownSeconds: 30,
      perIpPerHour: 300,
      perDestinationPerHour: 10,
      pumping: { windowSeconds: 3600, minSends: 30, minApprovalPercent: 20, prefixDigits: 6, blockSeconds: 3600 },
    });
    expect(
      loadConfig({
        HELLIO_OTP_SECRET: 's'.repeat(32),
        HELLIO_OTP_SMS_FROM: 'ACME',
        HELLIO_OTP_EMAIL_FROM: 'Acme <codes@acme.example>',
        HELLIO_OTP_RESEND_COOLDOWN_SECONDS: '0',
        HELLIO_OTP_PER_IP_PER_HOUR: '50',
        HELLIO_OTP_PER_DESTINATION_PER_HOUR: '3',
        HELLIO_OTP_PUMPING_WINDOW_SECONDS: '600',
        HELLIO_OTP_PUMPING_MIN_SENDS: '0',
        HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT: '35',
        HELLIO_OTP_PUMPING_PREFIX_DIGITS: '5',
        HELLIO_OTP_PUMPING_BLOCK_SECONDS: '7200',
      }).otp,
    ).toEqual({
      secret: 's'.repeat(32),
      smsFrom: 'ACME',
      emailFrom: 'Acme <codes@acme.example>',
      resendCooldownSeconds: 0,
      perIpPerHour: 50,
      perDestinationPerHour: 3,
      pumping: { windowSeconds: 600, minSends: 0, minApprovalPercent: 35, prefixDigits: 5, blockSeconds: 7200 },
    });
    expect(loadConfig({ HELLIO_OTP_SMS_FROM: '+14155550100' }).otp.smsFrom).toBe('+14155550100');
  });

  it.each([
    [{ HELLIO_OTP_SECRET: 'too-short' }, /HELLIO_OTP_SECRET must be at least 32/],
    [{ HELLIO_OTP_SMS_FROM: 'Much Too Long Sender' }, /HELLIO_OTP_SMS_FROM/],
    [{ HELLIO_OTP_SMS_FROM: '12' }, /HELLIO_OTP_SMS_FROM/],
    [{ HELLIO_OTP_EMAIL_FROM: 'codes' }, /HELLIO_OTP_EMAIL_FROM/],
    [{ HELLIO_OTP_RESEND_COOLDOWN_SECONDS: '3601' }, /HELLIO_OTP_RESEND_COOLDOWN_SECONDS/],
    [{ HELLIO_OTP_PER_IP_PER_HOUR: '0' }, /HELLIO_OTP_PER_IP_PER_HOUR/],
    [{ HELLIO_OTP_PER_DESTINATION_PER_HOUR: 'ten' }, /HELLIO_OTP_PER_DESTINATION_PER_HOUR/],
    [{ HELLIO_OTP_PUMPING_WINDOW_SECONDS: '59' }, /HELLIO_OTP_PUMPING_WINDOW_SECONDS/],
    [{ HELLIO_OTP_PUMPING_MIN_SENDS: '-1' }, /HELLIO_OTP_PUMPING_MIN_SENDS/],
    [{ HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT: '101' }, /HELLIO_OTP_PUMPING_MIN_APPROVAL_PERCENT/],
    [{ HELLIO_OTP_PUMPING_PREFIX_DIGITS: '16' }, /HELLIO_OTP_PUMPING_PREFIX_DIGITS/],
    [{ HELLIO_OTP_PUMPING_BLOCK_SECONDS: '30' }, /HELLIO_OTP_PUMPING_BLOCK_SECONDS/],
  ])('refuses the OTP setting %j at start', (env, mentions) => {
    bad(env, mentions);
  });

  it('does not read the real environment when given one', () => {
    const saved = process.env.PORT;
    process.env.PORT = 'not-a-port';
    try {
      expect(loadConfig({}).port).toBe(3000);
      expect(() => loadConfig()).toThrow(ConfigError);
    } finally {
      if (saved === undefined) delete process.env.PORT;
      else process.env.PORT = saved;
    }
  });

  it('reads the people settings and refuses malformed ones', () => {
    const c = loadConfig({ HELLIO_SIGNUP: 'approval', HELLIO_PUBLIC_URL: 'https://hellio.example.com/', PORT: '8080', HELLIO_LOGIN_PER_EMAIL: '5' }).people;
    expect(c).toMatchObject({ signup: 'approval', publicUrl: 'https://hellio.example.com', loginPerEmail: 5 });
    expect(loadConfig({ PORT: '8080' }).people.publicUrl).toBe('http://localhost:8080');
    expect(() => loadConfig({ HELLIO_SIGNUP: 'maybe' })).toThrow(ConfigError);
    expect(() => loadConfig({ HELLIO_PUBLIC_URL: 'ftp://x' })).toThrow(ConfigError);
    expect(() => loadConfig({ HELLIO_MAIL_FROM: 'not an address' })).toThrow(ConfigError);
    expect(() => loadConfig({ HELLIO_SESSION_IDLE_MINUTES: '0' })).toThrow(ConfigError);
  });
});
