// A small A2A agent built with the official SDK (@a2a-js/sdk 1.x for v1.0, its 0.3 release as "a2a-v03"), for
// the gateway's tests. Usage: node agent.mjs <0.3|1.0> <port>
//
// It serves, below http://127.0.0.1:<port>/a2a: the card (/.well-known/agent-card.json), the JSON-RPC binding
// (/jsonrpc) and the HTTP+JSON binding (/rest). Its card also lists a gRPC interface and (v0.3) an interface
// outside its base URL, and carries the agent's own security scheme and a signature: all things the gateway must not pass on.
// The executor answers "echo: <text>" after a "working" status update. A message whose text contains "gated"
// waits after that update until POST /control/release (or 20 s, then it answers "gate timed out"), so a test can
// tell that events reach the client while the agent is still working.
import express from 'express';

const [version, portText] = process.argv.slice(2);
const port = Number(portText);
const base = `http://127.0.0.1:${port}/a2a`;

let releases = [];
const gate = () => new Promise((resolve) => {
  const timer = setTimeout(() => resolve(false), 20000);
  releases.push(() => { clearTimeout(timer); resolve(true); });
});
const reply = async (text) => {
  if (!text.includes('gated')) return `echo: ${text}`;
  return (await gate()) ? `echo: ${text}` : 'gate timed out';
};

const app = express();
app.post('/control/release', (_req, res) => {
  const pending = releases;
  releases = [];
  pending.forEach((release) => release());
  res.json({ released: pending.length });
});

if (version === '0.3') {
  const { DefaultRequestHandler, InMemoryTaskStore } = await import('a2a-v03/server');
  const { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } = await import('a2a-v03/server/express');
  const card = {
    name: 'Echo agent (v0.3)',
    description: 'Echoes what it is told.',
    protocolVersion: '0.3.0',
    version: '1.0.0',
    url: `${base}/jsonrpc`,
    preferredTransport: 'JSONRPC',
    additionalInterfaces: [
      { url: `${base}/jsonrpc`, transport: 'JSONRPC' },
      { url: `${base}/rest`, transport: 'HTTP+JSON' },
      { url: `127.0.0.1:${port + 1}`, transport: 'GRPC' },
      { url: `http://127.0.0.1:${port}/outside/jsonrpc`, transport: 'JSONRPC' },
    ],
    capabilities: { streaming: true, pushNotifications: true },
    supportsAuthenticatedExtendedCard: true,
    securitySchemes: { agentKey: { type: 'apiKey', in: 'header', name: 'X-Agent-Key' } },
    security: [{ agentKey: [] }],
    signatures: [{ protected: 'eyJhbGciOiJFUzI1NiJ9', signature: 'c2lnbmF0dXJl' }],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text', tags: ['echo'], security: [{ agentKey: [] }] }],
    'x-custom': { kept: true },
  };
  const message = (text, taskId, contextId) => ({ kind: 'message', role: 'agent', messageId: crypto.randomUUID(), parts: [{ kind: 'text', text }], taskId, contextId });
  const executor = {
    cancelTask: async () => {},
    execute: async (context, bus) => {
      const { taskId, contextId, userMessage } = context;
      const text = userMessage.parts.find((part) => part.kind === 'text')?.text ?? '';
      bus.publish({ kind: 'task', id: taskId, contextId, status: { state: 'submitted', timestamp: new Date().toISOString() }, history: [userMessage] });
      bus.publish({ kind: 'status-update', taskId, contextId, status: { state: 'working', message: message('working', taskId, contextId), timestamp: new Date().toISOString() }, final: false });
      const answer = await reply(text);
      bus.publish({ kind: 'artifact-update', taskId, contextId, artifact: { artifactId: crypto.randomUUID(), name: 'answer', parts: [{ kind: 'text', text: answer }] } });
      bus.publish({ kind: 'status-update', taskId, contextId, status: { state: 'completed', message: message(answer, taskId, contextId), timestamp: new Date().toISOString() }, final: true });
      bus.finished();
    },
  };
  // The authenticated extended card is the same card (the v0.3 client asks for it when the card says it exists).
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor, undefined, undefined, undefined, card);
  app.use('/a2a/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }));
  app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  app.use('/a2a/rest', restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
} else {
  const { A2A_PROTOCOL_VERSION, TaskState, Role } = await import('@a2a-js/sdk');
  const { DefaultRequestHandler, InMemoryTaskStore, AgentEvent } = await import('@a2a-js/sdk/server');
  const { agentCardHandler, jsonRpcHandler, restHandler, UserBuilder } = await import('@a2a-js/sdk/server/express');
  const card = {
    name: 'Echo agent (v1.0)',
    description: 'Echoes what it is told.',
    supportedInterfaces: [
      { url: `${base}/jsonrpc`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
      { url: `${base}/rest`, protocolBinding: 'HTTP+JSON', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
      { url: `127.0.0.1:${port + 1}`, protocolBinding: 'GRPC', tenant: '', protocolVersion: A2A_PROTOCOL_VERSION },
    ],
    provider: { organization: 'Tests', url: 'https://example.com' },
    version: '1.0.0',
    capabilities: { streaming: true, pushNotifications: true, extensions: [], extendedAgentCard: false },
    securitySchemes: { agentKey: { apiKeySecurityScheme: { description: '', location: 'header', name: 'X-Agent-Key' } } },
    securityRequirements: [{ schemes: { agentKey: { list: [] } } }],
    defaultInputModes: ['text'],
    defaultOutputModes: ['text'],
    skills: [{ id: 'echo', name: 'Echo', description: 'Echoes text', tags: ['echo'], examples: [], inputModes: [], outputModes: [], securityRequirements: [] }],
    signatures: [{ protected: 'eyJhbGciOiJFUzI1NiJ9', signature: 'c2lnbmF0dXJl', header: undefined }],
  };
  const textPart = (text) => ({ content: { $case: 'text', value: text }, metadata: undefined, filename: '', mediaType: 'text/plain' });
  const message = (text, taskId, contextId) => ({ role: Role.ROLE_AGENT, messageId: crypto.randomUUID(), parts: [textPart(text)], taskId, contextId, extensions: [], metadata: {}, referenceTaskIds: [] });
  const executor = {
    cancelTask: async () => {},
    execute: async (context, bus) => {
      const { taskId, contextId, userMessage } = context;
      const part = userMessage.parts.find((p) => p.content?.$case === 'text');
      const text = part?.content?.value ?? '';
      const status = (state, msg) => ({ state, timestamp: new Date().toISOString(), message: msg });
      bus.publish(AgentEvent.task({ id: taskId, contextId, status: status(TaskState.TASK_STATE_SUBMITTED), artifacts: [], history: [userMessage], metadata: undefined }));
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_WORKING, message('working', taskId, contextId)), metadata: {} }));
      const answer = await reply(text);
      bus.publish(AgentEvent.artifactUpdate({ taskId, contextId, artifact: { artifactId: crypto.randomUUID(), name: 'answer', description: '', parts: [textPart(answer)], metadata: undefined, extensions: [] }, append: false, lastChunk: true, metadata: undefined }));
      bus.publish(AgentEvent.statusUpdate({ taskId, contextId, status: status(TaskState.TASK_STATE_COMPLETED, message(answer, taskId, contextId)), metadata: {} }));
    },
  };
  const handler = new DefaultRequestHandler(card, new InMemoryTaskStore(), executor);
  app.use('/a2a/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }));
  app.use('/a2a/jsonrpc', jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
  app.use('/a2a/rest', restHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }));
}

app.listen(port, '127.0.0.1', () => console.log(`agent ${version} listening on ${base}`));
