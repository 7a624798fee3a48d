// One request to the Messages API as the model activities make it: streamed, cancelled with the
// activity, its errors classified for Temporal's retries, its token usage added to the running total.
import type Anthropic from '@anthropic-ai/sdk';
import { Context } from '@temporalio/activity';
import type { TokenUsage } from '../../contract/run';
import { classifyModelError } from './errors';

export async function exchange(client: Anthropic, params: Anthropic.MessageStreamParams, usage: TokenUsage): Promise<Anthropic.Message> {
  let message: Anthropic.Message;
  try {
    message = await client.messages.stream(params, { signal: Context.current().cancellationSignal }).finalMessage();
  } catch (err) {
    throw classifyModelError(err);
  }
  usage.input += message.usage.input_tokens;
  usage.output += message.usage.output_tokens;
  usage.cacheRead += message.usage.cache_read_input_tokens ?? 0;
  usage.cacheWrite += message.usage.cache_creation_input_tokens ?? 0;
  return message;
}
