// The official Anthropic client against the gateway: a blocking and a streaming message (with a tool), and a
// request for a model the route does not serve. Prints what it saw as JSON.
//   node anthropic-client.mjs <baseURL> <model> <apiKey>
import Anthropic from '@anthropic-ai/sdk';

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new Anthropic({ baseURL, apiKey, maxRetries: 0 });
const tools = [{
  name: 'get_weather',
  description: 'The weather in a city.',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}];
const request = {
  model,
  max_tokens: 256,
  system: 'Be brief.',
  messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
  tools,
};

const blocking = await client.messages.create(request);

const stream = client.messages.stream(request);
const events = [];
stream.on('streamEvent', event => events.push(event.type));
const final = await stream.finalMessage();

let error = null;
try {
  await client.messages.create({ ...request, model: 'no-such-model' });
} catch (e) {
  error = { status: e.status, type: e.error?.error?.type ?? null, message: e.message };
}

const summary = message => ({
  id: message.id,
  model: message.model,
  text: message.content.filter(block => block.type === 'text').map(block => block.text).join(''),
  toolUses: message.content.filter(block => block.type === 'tool_use').map(block => ({ id: block.id, name: block.name, input: block.input })),
  stopReason: message.stop_reason,
  usage: message.usage,
});

console.log(JSON.stringify({ blocking: summary(blocking), stream: { ...summary(final), events }, error }));
