// An A2A client built with the official SDK, for the gateway's tests.
// Usage: node client.mjs <0.3|1.0> <route URL> <agent control URL> [JSONRPC|HTTP+JSON]
// It resolves the card from <route URL>/.well-known/agent-card.json, sends one blocking message and one streaming
// message (whose agent waits until released: the client releases it only after the first event arrived), and
// prints what it saw as JSON. With A2A_AUTHORIZATION set, every request carries that Authorization header.
const [version, routeUrl, controlUrl, transport = 'JSONRPC'] = process.argv.slice(2);

const authorization = process.env.A2A_AUTHORIZATION;
if (authorization) {
  const original = globalThis.fetch;
  globalThis.fetch = (input, init = {}) => {
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('Authorization', authorization);
    return original(input, { ...init, headers });
  };
}

const release = () => fetch(`${controlUrl}/release`, { method: 'POST' }).then((response) => response.json());
const report = { version, transport };

if (version === '0.3') {
  const { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory, RestTransportFactory } = await import('a2a-v03/client');
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory(), new RestTransportFactory()],
    preferredTransports: [transport],
  }));
  const client = await factory.createFromUrl(`${routeUrl}/.well-known/agent-card.json`, '');
  report.cardUrl = (await client.getAgentCard()).url;
  const message = (text) => ({ kind: 'message', role: 'user', messageId: crypto.randomUUID(), parts: [{ kind: 'text', text }] });
  const blocking = await client.sendMessage({ message: message('hello through the gateway'), configuration: { blocking: true } });
  report.blocking = { kind: blocking.kind, state: blocking.status?.state, text: blocking.status?.message?.parts?.[0]?.text };
  report.events = [];
  for await (const event of client.sendMessageStream({ message: message('gated stream') })) {
    report.events.push({ kind: event.kind, state: event.status?.state, text: event.status?.message?.parts?.[0]?.text ?? event.artifact?.parts?.[0]?.text });
    if (report.events.length === 1) {
      report.releasedAfterFirstEvent = (await release()).released;
    }
  }
} else {
  const { ClientFactory, ClientFactoryOptions, JsonRpcTransportFactory, RestTransportFactory } = await import('@a2a-js/sdk/client');
  const { Role } = await import('@a2a-js/sdk');
  const factory = new ClientFactory(ClientFactoryOptions.createFrom(ClientFactoryOptions.default, {
    transports: [new JsonRpcTransportFactory(), new RestTransportFactory()],
    preferredTransports: [transport],
  }));
  const client = await factory.createFromUrl(`${routeUrl}/.well-known/agent-card.json`, '');
  report.cardUrl = (await client.getAgentCard()).supportedInterfaces.find((i) => i.protocolBinding === transport)?.url;
  const text = (message) => message?.parts?.[0]?.content?.value;
  const message = (value) => ({
    messageId: crypto.randomUUID(), role: Role.ROLE_USER, taskId: '', contextId: '', extensions: [], metadata: {}, referenceTaskIds: [],
    parts: [{ content: { $case: 'text', value }, metadata: undefined, filename: '', mediaType: 'text/plain' }],
  });
  const request = (value) => ({ tenant: '', message: message(value), configuration: undefined, metadata: {} });
  const blocking = await client.sendMessage(request('hello through the gateway'));
  report.blocking = { kind: blocking.status ? 'task' : 'message', state: blocking.status?.state, text: text(blocking.status?.message) };
  report.events = [];
  for await (const event of client.sendMessageStream(request('gated stream'))) {
    const payload = event.payload;
    const value = payload?.value;
    report.events.push({ kind: payload?.$case, state: value?.status?.state, text: text(value?.status?.message) ?? text(value?.artifact) });
    if (report.events.length === 1) {
      report.releasedAfterFirstEvent = (await release()).released;
    }
  }
}

console.log(JSON.stringify(report));
