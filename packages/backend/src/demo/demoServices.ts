/*
 * DEMO ONLY: stand-ins for AWX and HashiCorp Vault, and a TLS endpoint whose
 * certificate is about to expire, so that the demo's `aap` and `vault`
 * runbooks (examples/runbooks/kafka-broker-restart-aap and
 * examples/runbooks/certificate-renewal) run on a machine that has neither.
 *
 * They are the test fakes of @fleetdeck/backend-test-utils (FakeAwxServer,
 * FakeVault), which speak the real wire formats. Nothing starts unless
 * `fleetdeck.demo.services` is configured, which only app-config.yaml (the
 * demo's config) does; app-config.production.yaml removes it. Never point a
 * real deployment at these.
 */
import {
  coreServices,
  createBackendModule,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  FakeAwxServer,
  FakeAwxTemplate,
  FakeVault,
  FakeVaultRule,
  listenLocal,
} from '@fleetdeck/backend-test-utils';
import { execFile } from 'child_process';
import { randomBytes } from 'crypto';
import { mkdir, readFile } from 'fs/promises';
import { Socket } from 'net';
import { resolve as resolvePath } from 'path';
import { createServer as createTlsServer } from 'tls';
import { promisify } from 'util';

const run = promisify(execFile);

/** The config key that turns the stand-ins on. */
export const DEMO_SERVICES_CONFIG = 'fleetdeck.demo.services';

const HOST = '127.0.0.1';
const DEFAULT_PORTS = { awx: 7081, vault: 7082, tls: 7083 };
/** Used only when the executors' own config names no token. */
const FALLBACK_AWX_TOKEN = 'fleetdeck-demo-awx-token-not-a-secret';
const FALLBACK_VAULT_TOKEN = 'fleetdeck-demo-vault-token-not-a-secret';
/** Days the demo TLS endpoint's certificate is valid: due for renewal. */
const TLS_CERT_DAYS = 5;
const TLS_COMMON_NAME = 'kafka-demo.fleetdeck.example';

/**
 * The demo AWX's job templates, named after the demo fleet's clusters
 * (examples/inventory). Each prompts for limit, variables and job type, as
 * the aap executor requires (see its README).
 */
export const DEMO_AWX_TEMPLATES: FakeAwxTemplate[] = [
  {
    id: 11,
    name: 'Kafka broker rolling restart',
    askLimitOnLaunch: true,
    askVariablesOnLaunch: true,
    askJobTypeOnLaunch: true,
    tasks: [
      'Check under-replicated partitions',
      'Move partition leadership away from the broker',
      'Restart the broker',
      'Wait until the broker is back in the ISR',
    ],
    durationMs: 6000,
    artifacts: {
      under_replicated_partitions: 0,
      preferred_leader_election: 'completed',
      restarted: true,
    },
  },
  {
    id: 12,
    name: 'Kafka rolling patch',
    askLimitOnLaunch: true,
    askVariablesOnLaunch: true,
    askJobTypeOnLaunch: true,
    tasks: [
      'Check cluster health',
      'Install Kafka',
      'Restart the broker',
      'Wait until the broker is back in the ISR',
    ],
    durationMs: 8000,
    artifacts: { patched: true },
  },
  {
    id: 21,
    name: 'MongoDB replica set step-down',
    askLimitOnLaunch: true,
    askVariablesOnLaunch: true,
    askJobTypeOnLaunch: true,
    tasks: ['Check replica set health', 'Step down the primary'],
    durationMs: 4000,
    artifacts: { new_primary_elected: true },
  },
];

/** `vault:<path>#<key>` refs of `runbooks.secrets.*.value`. */
function vaultSecretRefs(config: Config) {
  const secrets = config.getOptionalConfig('runbooks.secrets');
  return (secrets?.keys() ?? []).flatMap(name => {
    const value = secrets!.getOptionalString(`${name}.value`) ?? '';
    const match = /^vault:([^#]+)#(.+)$/.exec(value);
    return match ? [{ name, path: match[1], key: match[2] }] : [];
  });
}

/**
 * Starts one stand-in; resolves false, after a warning, when its port
 * cannot be bound (the backend starts regardless).
 */
async function startOrWarn(
  start: () => Promise<unknown>,
  port: number,
  what: string,
  logger: LoggerService,
): Promise<boolean> {
  try {
    await start();
    return true;
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? `port ${port} is already in use`
        : String(e);
    logger.warn(
      `Demo ${what} not started: ${reason}. Free the port or set another under ${DEMO_SERVICES_CONFIG}.ports (and the matching URL in app-config.yaml).`,
    );
    return false;
  }
}

/** A self-signed certificate valid for `days`, written to `dir` with openssl. */
async function demoCertificate(dir: string, days: number) {
  await mkdir(dir, { recursive: true });
  const key = resolvePath(dir, 'demo-endpoint.key');
  const cert = resolvePath(dir, 'demo-endpoint.pem');
  await run('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', String(days),
    '-keyout', key, '-out', cert,
    '-subj', `/CN=${TLS_COMMON_NAME}/O=Fleetdeck Demo (not a real certificate)`,
  ]); // prettier-ignore
  return { key: await readFile(key), cert: await readFile(cert), file: cert };
}

/**
 * DEMO ONLY: starts the stand-in AWX, Vault and TLS endpoint when
 * `fleetdeck.demo.services` is configured, and stops them with the backend.
 * A port already in use, or a missing openssl, skips that stand-in with a
 * warning; the backend starts regardless.
 */
export const demoServicesModule = createBackendModule({
  pluginId: 'runbooks',
  moduleId: 'demo-services',
  register(reg) {
    reg.registerInit({
      deps: {
        config: coreServices.rootConfig,
        logger: coreServices.logger,
        lifecycle: coreServices.lifecycle,
      },
      async init({ config, logger, lifecycle }) {
        if (!config.has(DEMO_SERVICES_CONFIG)) return;
        const stop = await startDemoServices(config, logger);
        lifecycle.addShutdownHook(stop);
      },
    });
  },
});

/**
 * DEMO ONLY: starts the stand-ins `fleetdeck.demo.services` asks for;
 * resolves a function that stops them.
 */
export async function startDemoServices(
  config: Config,
  logger: LoggerService,
): Promise<() => Promise<void>> {
  const demo = config.getConfig(DEMO_SERVICES_CONFIG);
  const ports = {
    awx: demo.getOptionalNumber('ports.awx') ?? DEFAULT_PORTS.awx,
    vault: demo.getOptionalNumber('ports.vault') ?? DEFAULT_PORTS.vault,
    tls: demo.getOptionalNumber('ports.tls') ?? DEFAULT_PORTS.tls,
  };
  const dataDir = resolvePath(
    demo.getOptionalString('dataDir') ??
      process.env.FLEETDECK_DATA_DIR ??
      '../../.fleetdeck/data',
  );
  logger.warn(
    `${DEMO_SERVICES_CONFIG} is set: starting the DEMO stand-ins for AWX, Vault and a TLS endpoint (test fakes, not for real use)`,
  );
  // Vault first: the AWX log names the secrets it holds.
  const seeded = new Map<string, string>();
  const stops = [
    await startVault(config, ports.vault, seeded, logger),
    await startAwx(config, ports.awx, seeded, logger),
    await startTls(ports.tls, dataDir, logger),
  ].filter((s): s is () => Promise<void> => !!s);
  return async () => {
    await Promise.allSettled(stops.map(stop => stop()));
  };
}

async function startVault(
  config: Config,
  port: number,
  seeded: Map<string, string>,
  logger: LoggerService,
): Promise<(() => Promise<void>) | undefined> {
  const vault = new FakeVault();
  // names each certificate issued and secret written (never a value)
  vault.onAnswer = r => {
    if (r.method !== 'POST' || r.status !== 200) return;
    if (/\/issue\//.test(r.path)) {
      const cn = (r.body as { common_name?: string } | undefined)?.common_name;
      logger.info(`Demo Vault: issued a certificate for ${cn} from ${r.path}`);
      return;
    }
    // public facts of what was stored, so the demo can show the renewal
    // landed; never the private key
    const data = vault.secret(r.path);
    const serial = data?.data.serial_number;
    logger.info(
      `Demo Vault: wrote ${r.path} (version ${data?.version}${
        serial ? `, certificate serial ${serial}` : ''
      })`,
    );
  };
  // openssl makes the PKI's CA: without it, no demo Vault
  const started = await startOrWarn(
    () => vault.start({ port }),
    port,
    'Vault',
    logger,
  );
  if (!started) return undefined;
  // The token's policy is what the demo config asks of Vault: read the
  // vault: secrets of runbooks.secrets, write under runbooks.vault.writablePaths,
  // issue from runbooks.vault.pkiRoles.
  const rules: FakeVaultRule[] = [];
  for (const ref of vaultSecretRefs(config)) {
    // a fresh random value each start: nothing secret-looking lives in the repo
    const value = `demo-${randomBytes(12).toString('base64url')}`;
    const current = vault.secret(ref.path)?.data ?? {};
    vault.putSecret(ref.path, { ...current, [ref.key]: value });
    seeded.set(value, `${ref.path}#${ref.key} (runbooks.secrets.${ref.name})`);
    rules.push({ path: ref.path, capabilities: ['read'] });
  }
  const writable =
    config.getOptionalStringArray('runbooks.vault.writablePaths') ?? [];
  for (const path of writable) {
    rules.push({ path, capabilities: ['create', 'update'] });
  }
  const pkiRoles =
    config.getOptionalStringArray('runbooks.vault.pkiRoles') ?? [];
  for (const path of pkiRoles) {
    vault.addPkiRole(path);
    rules.push({ path, capabilities: ['update'] });
  }
  vault.addToken({
    id: config.getOptionalString('vault.auth.token') ?? FALLBACK_VAULT_TOKEN,
    rules,
  });
  logger.info(
    `Demo Vault (FakeVault) on http://${HOST}:${port}: the token's policy allows ${rules
      .map(r => `${r.capabilities.join('/')} on ${r.path}`)
      .join(', ')}`,
  );
  return () => vault.stop();
}

async function startAwx(
  config: Config,
  port: number,
  seeded: Map<string, string>,
  logger: LoggerService,
): Promise<(() => Promise<void>) | undefined> {
  const awx = new FakeAwxServer({
    token: config.getOptionalString('runbooks.aap.token') ?? FALLBACK_AWX_TOKEN,
    templates: DEMO_AWX_TEMPLATES,
  });
  // names each launch (never a value) and which extra vars carry a secret
  // the demo Vault handed out
  awx.onLaunch = launch => {
    const vars = (launch.extraVars ?? {}) as Record<string, unknown>;
    const fromVault = Object.entries(vars).flatMap(([name, value]) =>
      typeof value === 'string' && seeded.has(value)
        ? [`${name} from ${seeded.get(value)}`]
        : [],
    );
    const template = DEMO_AWX_TEMPLATES.find(t => t.id === launch.templateId);
    logger.info(
      `Demo AWX: job ${launch.jobId} of "${template?.name}" launched (limit ${
        launch.limit
      }, job type ${launch.jobType ?? 'run'}, extra vars: ${
        Object.keys(vars).join(', ') || 'none'
      }${fromVault.length ? `; ${fromVault.join(', ')}` : ''})`,
    );
  };
  if (!(await startOrWarn(() => awx.start({ port }), port, 'AWX', logger)))
    return undefined;
  logger.info(
    `Demo AWX (FakeAwxServer) on http://${HOST}:${port}${
      awx.apiPath
    }: job templates ${DEMO_AWX_TEMPLATES.map(t => `"${t.name}"`).join(', ')}`,
  );
  return () => awx.stop();
}

async function startTls(
  port: number,
  dataDir: string,
  logger: LoggerService,
): Promise<(() => Promise<void>) | undefined> {
  let credentials;
  try {
    credentials = await demoCertificate(
      resolvePath(dataDir, 'demo-services'),
      TLS_CERT_DAYS,
    );
  } catch (e) {
    logger.warn(`Demo TLS endpoint not started (is openssl installed?): ${e}`);
    return undefined;
  }
  const sockets = new Set<Socket>();
  const server = createTlsServer(
    { key: credentials.key, cert: credentials.cert },
    socket => socket.end(),
  );
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // a client that gives up mid-handshake is no concern of the demo
  server.on('tlsClientError', () => {});
  const listening = await startOrWarn(
    () => listenLocal(server, port),
    port,
    'TLS endpoint',
    logger,
  );
  if (!listening) return undefined;
  logger.info(
    `Demo TLS endpoint on ${HOST}:${port}: CN=${TLS_COMMON_NAME}, expires in ${TLS_CERT_DAYS} days (${credentials.file})`,
  );
  return () =>
    new Promise<void>(resolve => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    });
}

export default demoServicesModule;
