// Drives the official TypeScript MCP SDK client through one gateway route in front of server-everything and
// prints what came back as JSON. Usage: node sdk-round-trips.mjs <streamable|sse> <url> [tool-prefix]
// Exits non-zero, with the reason on stderr, when any round trip fails.
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";
import { CreateMessageRequestSchema, ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";

const [mode, url, prefix = ""] = process.argv.slice(2);
const name = (tool) => prefix + tool;
const endpoint = new URL(url);
const transport = mode === "sse" ? new SSEClientTransport(endpoint) : new StreamableHTTPClientTransport(endpoint);

const client = new Client(
  { name: "agentgateway-tests", version: "1.0.0" },
  { capabilities: { sampling: {}, elicitation: { form: {} } } },
);

const asked = { sampling: null, elicitation: null };
client.setRequestHandler(CreateMessageRequestSchema, async (request) => {
  asked.sampling = request.params.messages.map((message) => message.content.text).join(" ");
  return { role: "assistant", model: "test-model", content: { type: "text", text: "a reply from the TypeScript client" } };
});
client.setRequestHandler(ElicitRequestSchema, async (request) => {
  asked.elicitation = request.params.message;
  return { action: "accept", content: { name: "Ada Lovelace" } };
});

const text = (result) => result.content.filter((block) => block.type === "text").map((block) => block.text).join(" ");
const report = {};
try {
  await client.connect(transport);
  report.server = client.getServerVersion()?.name;
  report.tools = (await client.listTools()).tools.map((tool) => tool.name);
  report.echo = text(await client.callTool({ name: name("echo"), arguments: { message: "through the gateway" } }));

  report.prompts = (await client.listPrompts()).prompts.map((prompt) => prompt.name);
  const prompt = await client.getPrompt({ name: name("args-prompt"), arguments: { city: "Lisbon" } });
  report.prompt = prompt.messages[0].content.text;

  const resources = (await client.listResources()).resources;
  report.resourceCount = resources.length;
  const read = await client.readResource({ uri: resources[0].uri });
  report.readUri = read.contents[0].uri;
  report.firstUri = resources[0].uri;

  const progress = [];
  await client.callTool(
    { name: name("trigger-long-running-operation"), arguments: { duration: 1, steps: 3 } },
    undefined,
    { onprogress: (value) => progress.push(value.progress) },
  );
  report.progress = progress;

  report.sampling = text(await client.callTool({ name: name("trigger-sampling-request"), arguments: { prompt: "a haiku", maxTokens: 20 } }));
  report.samplingPrompt = asked.sampling;

  report.elicitation = text(await client.callTool({ name: name("trigger-elicitation-request"), arguments: {} }));
  report.elicitationMessage = asked.elicitation;

  await client.close();
  console.log(JSON.stringify(report));
} catch (error) {
  console.error(`${error?.stack ?? error}\nreport so far: ${JSON.stringify(report)}`);
  process.exit(1);
}
