// The official OpenAI client's embeddings against the gateway: it asks for base64 vectors (its default) and decodes
// them. Prints the count and the first vector as JSON.
//   node embeddings-client.mjs <baseURL> <model> <apiKey>
import OpenAI from 'openai';

const [baseURL, model, apiKey] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const answer = await client.embeddings.create({ model, input: ['the weather in paris', 'a light breeze'] });
console.log(JSON.stringify({ count: answer.data.length, first: answer.data[0].embedding, model: answer.model }));
