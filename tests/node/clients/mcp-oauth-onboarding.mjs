// Connects the official TypeScript MCP SDK client to a gateway route behind MCP authentication the way Claude, VS Code
// or Cursor do on first use: the 401 names the route's protected resource metadata, the client finds the
// authorization server, registers itself there (RFC 7591), sends the user to sign in (done here as a browser would:
// the issuer's form, its cookies and redirects), exchanges the code with PKCE for a token bound to the route, and
// lists the tools. Prints what happened as JSON.
// Usage: node mcp-oauth-onboarding.mjs <url> <username> <password>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UnauthorizedError } from "@modelcontextprotocol/sdk/client/auth.js";

const [url, username, password] = process.argv.slice(2);
const redirectUrl = "http://127.0.0.1:33419/callback";
const saved = { client: undefined, tokens: undefined, verifier: undefined, authorization: undefined };
const provider = {
  get redirectUrl() { return redirectUrl; },
  get clientMetadata() {
    return {
      client_name: "agentgateway onboarding test",
      redirect_uris: [redirectUrl],
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "none",
    };
  },
  clientInformation: () => saved.client,
  saveClientInformation: (information) => { saved.client = information; },
  tokens: () => saved.tokens,
  saveTokens: (tokens) => { saved.tokens = tokens; },
  redirectToAuthorization: (authorization) => { saved.authorization = authorization; },
  saveCodeVerifier: (verifier) => { saved.verifier = verifier; },
  codeVerifier: () => saved.verifier,
};

const connect = async () => {
  const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
  const client = new Client({ name: "agentgateway-onboarding", version: "1.0.0" });
  await client.connect(transport);
  return { client, transport };
};

let firstTry = "connected";
const transport = new StreamableHTTPClientTransport(new URL(url), { authProvider: provider });
try {
  await new Client({ name: "agentgateway-onboarding", version: "1.0.0" }).connect(transport);
} catch (error) {
  if (!(error instanceof UnauthorizedError)) throw error;
  firstTry = "unauthorized";
}

const code = await signIn(saved.authorization, username, password);
await transport.finishAuth(code);
const { client } = await connect();
const tools = await client.listTools();
const claims = JSON.parse(Buffer.from(saved.tokens.access_token.split(".")[1], "base64url").toString());
console.log(JSON.stringify({
  firstTry,
  clientId: saved.client.client_id,
  resource: saved.authorization.searchParams.get("resource"),
  audience: claims.aud,
  azp: claims.azp,
  user: claims.preferred_username,
  tools: tools.tools.map((tool) => tool.name),
}));
await client.close();

/** The user's sign-in, as a browser does it: the form, its cookies, the redirects back to the client's callback. */
async function signIn(authorization, user, secret) {
  const cookies = new Map();
  const send = async (target, init = {}) => {
    const headers = { ...(init.headers ?? {}), cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; ") };
    const response = await fetch(target, { ...init, headers, redirect: "manual" });
    for (const cookie of response.headers.getSetCookie()) {
      const [pair] = cookie.split(";");
      const equals = pair.indexOf("=");
      cookies.set(pair.slice(0, equals), pair.slice(equals + 1));
    }
    return response;
  };
  let response = await send(authorization);
  const login = new URL(response.headers.get("location"), authorization);
  const page = await (await send(login)).text();
  const hidden = (name) => decode(page.match(new RegExp(`<input type="hidden" name="${name}" value="([^"]*)">`))[1]);
  response = await send(login, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ __RequestVerificationToken: hidden("__RequestVerificationToken"), returnUrl: hidden("returnUrl"), username: user, password: secret }),
  });
  let location = new URL(response.headers.get("location"), login);
  while (!location.href.startsWith(redirectUrl)) {
    response = await send(location);
    if (!response.headers.get("location")) throw new Error(`The sign-in stopped at ${location} with ${response.status}: ${await response.text()}`);
    location = new URL(response.headers.get("location"), location);
  }
  return location.searchParams.get("code");
}

function decode(html) {
  return html
    .replace(/&#x([0-9a-f]+);/gi, (_, hex) => String.fromCodePoint(parseInt(hex, 16)))
    .replace(/&#(\d+);/g, (_, number) => String.fromCodePoint(Number(number)))
    .replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}
