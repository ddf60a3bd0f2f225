import type { Command } from 'commander';
import { generateSigningKey, signerFromPkcs8 } from '../kernel/audit/signing.js';

/** Where the command writes; tests pass their own. */
export interface TokensCliOutput {
  out(line: string): void;
}

const standardOutput: TokensCliOutput = { out: (line) => { process.stdout.write(`${line}\n`); } };

/**
 * `tongban tokens new-key`: a new Ed25519 key for the access tokens of API clients, its public key,
 * and the rotation steps (ADR 41). Needs no database: the key is configuration.
 */
export function registerTokensCommands(program: Command, output: TokensCliOutput = standardOutput): void {
  const tokens = program.command('tokens').description('the access tokens the platform issues to API clients');
  tokens.command('new-key').description('make a new access-token signing key, and say how to rotate to it').action(() => {
    // The same kind of key as the audit key (Ed25519, PKCS#8), never the same key.
    const key = generateSigningKey();
    const publicKey = signerFromPkcs8(key).publicKey;
    output.out(`TONGBAN_ACCESS_TOKEN_SIGNING_KEY=${key}`);
    output.out(`public key: ${publicKey}`);
    output.out(`To rotate: 1. add ${publicKey} to TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS on every instance;`);
    output.out('2. set the new TONGBAN_ACCESS_TOKEN_SIGNING_KEY and put the old key\'s public key in the trusted list instead;');
    output.out('3. after the tokens\' lifetime (5 minutes and a minute of leeway), take the old public key out of the list.');
  });
}
