// The official OpenAI client's Responses API against the gateway: a blocking and a streamed response (with a
// function tool), a follow-up that sends the function's output back with the whole conversation and one that names
// the stored response instead, a stored response read and deleted, and an unknown one. Prints what it saw as JSON.
//   node responses-client.mjs <baseURL> <model> <apiKey>
import OpenAI from 'openai';

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const tools = [{
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city.',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
}];

const blocking = await client.responses.create({ model, instructions: 'Be brief.', input: 'What is the weather in Paris?', tools, max_output_tokens: 200 });

const stream = await client.responses.create({ model, input: [{ role: 'user', content: [{ type: 'input_text', text: 'Say hello.' }] }], tools, stream: true });
const types = [];
let text = '';
let completed = null;
const calls = [];
for await (const event of stream) {
  types.push(event.type);
  if (event.type === 'response.output_text.delta') text += event.delta;
  if (event.type === 'response.output_item.done' && event.item.type === 'function_call') calls.push({ name: event.item.name, arguments: event.item.arguments });
  if (event.type === 'response.completed') completed = event.response;
}

const call = blocking.output.find(item => item.type === 'function_call');
const followUp = call
  ? await client.responses.create({
    model,
    input: [
      { role: 'user', content: 'What is the weather in Paris?' },
      { type: 'function_call', call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: 'function_call_output', call_id: call.call_id, output: '{"temperature": 21}' },
    ],
    tools,
  })
  : null;

// The same turn by reference: the stored response names the conversation, the input only the function's output.
const chained = call
  ? await client.responses.create({
    model,
    previous_response_id: blocking.id,
    input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"temperature": 22}' }],
    tools,
  })
  : null;
const streamedChain = completed
  ? await client.responses.create({ model, previous_response_id: completed.id, input: 'And again, please.' })
  : null;
const retrieved = await client.responses.retrieve(blocking.id);
await client.responses.delete(blocking.id);
const failure = async request => {
  try {
    await request();
    return null;
  } catch (e) {
    return { status: e.status, code: e.code ?? null, param: e.param ?? null, message: e.message };
  }
};
const deleted = await failure(() => client.responses.retrieve(blocking.id));
const error = await failure(() => client.responses.create({ model, input: 'again', previous_response_id: 'resp_unknown' }));

console.log(JSON.stringify({
  blocking: {
    id: blocking.id,
    status: blocking.status,
    outputText: blocking.output_text,
    functionCalls: blocking.output.filter(item => item.type === 'function_call').map(item => ({ callId: item.call_id, name: item.name, arguments: item.arguments })),
    usage: blocking.usage,
  },
  stream: { types, text, completedText: completed?.output_text ?? completed?.output?.flatMap(item => item.content ?? []).map(part => part.text).join(''), usage: completed?.usage ?? null, calls },
  followUp: followUp ? { status: followUp.status, outputText: followUp.output_text } : null,
  chained: chained ? { id: chained.id, status: chained.status, previousResponseId: chained.previous_response_id } : null,
  streamedChain: streamedChain ? { status: streamedChain.status } : null,
  retrieved: { id: retrieved.id, output: retrieved.output.map(item => item.type) },
  deleted,
  error,
}));
