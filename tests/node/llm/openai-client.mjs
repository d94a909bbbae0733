// The official OpenAI client against the gateway: a blocking and a streaming chat completion (with a tool), the
// model list, and a request for a model the route does not serve. Prints what it saw as JSON.
//   node openai-client.mjs <baseURL> <model> <apiKey>
import OpenAI from 'openai';

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const tools = [{
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'The weather in a city.',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
}];
const messages = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'What is the weather in Paris?' },
];

const blocking = await client.chat.completions.create({ model, messages, tools, custom_field: 'kept' });
const choice = blocking.choices[0];

const stream = await client.chat.completions.create({ model, messages, tools, stream: true, stream_options: { include_usage: true } });
let content = '';
let finish = null;
let usage = null;
let chunks = 0;
const calls = [];
for await (const chunk of stream) {
  chunks++;
  if (chunk.usage) usage = chunk.usage;
  for (const streamed of chunk.choices) {
    if (streamed.delta?.content) content += streamed.delta.content;
    for (const call of streamed.delta?.tool_calls ?? []) {
      calls[call.index] ??= { id: call.id, name: call.function?.name, arguments: '' };
      calls[call.index].arguments += call.function?.arguments ?? '';
    }
    if (streamed.finish_reason) finish = streamed.finish_reason;
  }
}

const models = [];
for await (const listed of client.models.list()) models.push(listed.id);

let error = null;
try {
  await client.chat.completions.create({ model: 'no-such-model', messages });
} catch (e) {
  error = { status: e.status, type: e.type, code: e.code, message: e.message };
}

console.log(JSON.stringify({
  blocking: {
    id: blocking.id,
    model: blocking.model,
    content: choice.message.content,
    finish: choice.finish_reason,
    toolCalls: (choice.message.tool_calls ?? []).map(call => ({ id: call.id, name: call.function.name, arguments: call.function.arguments })),
    usage: blocking.usage,
    systemFingerprint: blocking.system_fingerprint ?? null,
  },
  stream: { content, finish, usage, chunks, toolCalls: calls },
  models,
  error,
}));
