import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { signerFromPkcs8 } from '../kernel/audit/signing.js';
import { loadConfig } from '../kernel/config/index.js';
import { jwkFromPkcs8 } from '../kernel/auth/machine/platform-key.js';
import { registerTokensCommands } from './tokens.js';

describe('tongban tokens new-key', () => {
  const run = async () => {
    const lines: string[] = [];
    const program = new Command('tongban').exitOverride();
    registerTokensCommands(program, { out: (l) => lines.push(l) });
    await program.parseAsync(['tokens', 'new-key'], { from: 'user' });
    return lines;
  };

  it('prints a key the configuration and the token plugin accept, its public key, and the rotation steps', async () => {
    const [setting = '', shown = '', ...how] = await run();
    const key = setting.replace(/^TONGBAN_ACCESS_TOKEN_SIGNING_KEY=/, '');
    expect(key).not.toBe(setting);
    const publicKey = signerFromPkcs8(key).publicKey;
    expect(shown).toBe(`public key: ${publicKey}`);
    expect(JSON.parse(jwkFromPkcs8(key))).toMatchObject({ kty: 'OKP', crv: 'Ed25519', x: publicKey });
    const config = loadConfig({ TONGBAN_ACCESS_TOKEN_SIGNING_KEY: key, TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS: publicKey });
    expect(config.secrets.accessTokenSigningKey).toBe(key);
    expect(how.join(' ')).toContain('TONGBAN_ACCESS_TOKEN_TRUSTED_PUBLIC_KEYS');
    expect((await run())[0]).not.toBe(setting);
  });
});
