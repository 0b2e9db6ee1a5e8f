import { VaultClient } from '@fleetdeck/fleetdeck-node';
import { RunbookExecutorContext } from '@fleetdeck/plugin-runbooks-node';
import { X509Certificate } from 'crypto';
import { z } from 'zod';
import type { VaultGrants } from './VaultExecutor';

/** Renew when this many days or fewer are left, unless a step says otherwise. */
const DEFAULT_RENEW_WITHIN_DAYS = 30;

/** A number, or a template's rendering of one (`"12"`). */
const days = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(\.\d+)?$/, 'must be a number of days')
    .transform(Number),
]);

/** Input of `renewCertificate`. */
export const renewInputSchema = z
  .object({
    /** PKI issue path, e.g. `pki/issue/fleetdeck-kafka`. */
    pkiRole: z.string().min(1),
    commonName: z.string().min(1),
    altNames: z.array(z.string().min(1)).optional(),
    /** Vault TTL of the new certificate, e.g. `720h`. */
    ttl: z.string().min(1).optional(),
    /** KV v2 path the certificate and key are written to. */
    path: z.string().min(1),
    /**
     * Days the current certificate has left, e.g. `${{ steps.check.output.daysLeft }}`
     * of a preceding tls check; absent or null, the certificate is renewed.
     */
    daysLeft: days.nullish(),
    /** Renew when `daysLeft` is at most this (default 30). */
    renewWithinDays: days.optional(),
  })
  .strict();

type RenewInput = z.infer<typeof renewInputSchema>;

/**
 * Issues a new certificate from Vault PKI and writes it, its private key and
 * CA chain to a KV path, unless the current one has more than
 * `renewWithinDays` left. Outputs only facts about the certificate: the
 * private key is never logged nor returned.
 */
export async function renewCertificate(
  ctx: RunbookExecutorContext,
  input: RenewInput,
  deps: {
    grants: VaultGrants;
    vault: () => Pick<VaultClient, 'write' | 'issueCertificate'>;
  },
) {
  const within = input.renewWithinDays ?? DEFAULT_RENEW_WITHIN_DAYS;
  const daysLeft = input.daysLeft ?? undefined;
  if (daysLeft !== undefined && daysLeft > within) {
    ctx.logger.info(
      `${input.commonName} has ${daysLeft} days left, more than ${within}: not renewed`,
    );
    return { output: { renewed: false, daysLeft } };
  }
  deps.grants.pkiRole(input.pkiRole);
  deps.grants.writable(input.path);
  const why =
    daysLeft === undefined
      ? 'no days left given'
      : `${daysLeft} days left, at most ${within}`;
  if (ctx.dryRun) {
    ctx.logger.info(
      `Dry run: would issue a certificate for ${input.commonName} from ${input.pkiRole} (${why}) and write its certificate, private key and CA chain to ${input.path}`,
    );
    return {
      output: { dryRun: true, renewed: false, path: input.path, daysLeft },
    };
  }
  const vault = deps.vault();
  const issued = await vault.issueCertificate(input.pkiRole, {
    commonName: input.commonName,
    altNames: input.altNames,
    ttl: input.ttl,
  });
  // whatever goes wrong from here (an error quoting the response), the key
  // shows as *** in the target's log, output and error
  ctx.redact(issued.privateKey);
  const x509 = new X509Certificate(issued.certificate);
  const notAfter = new Date(x509.validTo).toISOString();
  const { version } = await vault.write(input.path, {
    certificate: issued.certificate,
    private_key: issued.privateKey,
    ca_chain: issued.caChain.join('\n'),
    serial_number: issued.serialNumber,
    expiration: issued.expiration,
  });
  ctx.logger.info(
    `Renewed ${input.commonName} (${why}): serial ${issued.serialNumber}, not after ${notAfter}; wrote certificate, private key and CA chain to ${input.path} (version ${version})`,
  );
  return {
    output: {
      renewed: true,
      path: input.path,
      version,
      serialNumber: issued.serialNumber,
      notAfter,
      fingerprint256: x509.fingerprint256,
      ...(daysLeft !== undefined ? { previousDaysLeft: daysLeft } : {}),
    },
  };
}
