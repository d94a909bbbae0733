// Calls one tool through a gateway route with the official TypeScript MCP SDK client, as the caller of a bearer token,
// and prints what came back as JSON: the tool's text, or the error, with what the SDK made of a URL elicitation error.
// Usage: node url-elicitation.mjs <url> <bearer token> <tool>
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { UrlElicitationRequiredError } from "@modelcontextprotocol/sdk/types.js";

const [url, token, tool] = process.argv.slice(2);
const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers: { Authorization: `Bearer ${token}` } } });
const client = new Client({ name: "agentgateway-tests", version: "1.0.0" }, { capabilities: { elicitation: { url: {} } } });

const report = {};
try {
  await client.connect(transport);
  const result = await client.callTool({ name: tool, arguments: {} });
  report.text = result.content.filter((block) => block.type === "text").map((block) => block.text).join(" ");
} catch (error) {
  report.code = error.code;
  report.message = error.message;
  report.urlElicitation = error instanceof UrlElicitationRequiredError;
  report.elicitations = error.elicitations ?? null;
} finally {
  await client.close();
}

console.log(JSON.stringify(report));
