// A real OpenID Connect provider for the SSO tests: panva's oidc-provider (an OpenID
// Foundation certified implementation), on 127.0.0.1 only. tests/sso/provider.py starts it.
//
//   OIDC_PORT     the port to listen on (127.0.0.1)
//   OIDC_CLIENTS  JSON list of clients: [{client_id, client_secret, redirect_uris: [...]}]
//
// Sign-in and consent are the provider's own development pages (any login name is an account:
// the name is the person's e-mail address). An address starting with "unverified" comes with
// email_verified=false, so the tests can show Aligned refusing an unproven address.
import { generateKeyPair, exportJWK } from 'jose';
import Provider from 'oidc-provider';

const port = Number(process.env.OIDC_PORT);
const issuer = `http://127.0.0.1:${port}`;
const clients = JSON.parse(process.env.OIDC_CLIENTS || '[]').map((client) => ({
  grant_types: ['authorization_code'],
  response_types: ['code'],
  token_endpoint_auth_method: 'client_secret_basic',
  ...client,
}));

function displayName(email) {
  const local = email.split('@')[0];
  return local.split(/[._-]+/).filter(Boolean)
    .map((part) => part[0].toUpperCase() + part.slice(1)).join(' ');
}

const { privateKey } = await generateKeyPair('RS256', { extractable: true });
const signingKey = { ...(await exportJWK(privateKey)), kid: 'tests', alg: 'RS256', use: 'sig' };

const provider = new Provider(issuer, {
  clients,
  jwks: { keys: [signingKey] },
  cookies: { keys: ['aligned-tests-only'] },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const email = String(id).trim().toLowerCase();
    return {
      accountId: email,
      async claims() {
        return {
          sub: email,
          email,
          email_verified: !email.startsWith('unverified'),
          name: displayName(email),
        };
      },
    };
  },
});

provider.listen(port, '127.0.0.1', () => {
  console.log(`oidc-provider listening on ${issuer}`);
});
