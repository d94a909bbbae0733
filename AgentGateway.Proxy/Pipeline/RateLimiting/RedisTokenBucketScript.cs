namespace AgentGateway.Proxy.Pipeline.RateLimiting;

/// <summary>
/// The Lua script that takes tokens from one or more buckets in Redis atomically: either every bucket holds the
/// cost and each gives it, or none gives anything. The clock is Redis's own (<c>TIME</c>), so every proxy sees the
/// same fills. Fills are aligned to that clock like the local buckets'; each key expires once it would be full
/// again, so idle buckets cost Redis nothing.
/// </summary>
/// <remarks>
/// KEYS: the buckets. ARGV[1]: the cost, negative for a debit (a use already made: each bucket gives the cost or
/// all it holds, never refusing); then per bucket: max tokens, tokens per fill, fill interval (ms).
/// Returns {allowed (1|0), then per bucket: tokens left, ms until its next fill}.
/// </remarks>
internal static class RedisTokenBucketScript
{
    public const string Source = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local cost = tonumber(ARGV[1])
        local debit = cost < 0
        if debit then
          cost = -cost
        end
        local allowed = 1
        local tokens = {}
        local indexes = {}
        for i = 1, #KEYS do
          local max = tonumber(ARGV[i * 3 - 1])
          local per = tonumber(ARGV[i * 3])
          local interval = tonumber(ARGV[i * 3 + 1])
          local index = math.floor(now / interval)
          local state = redis.call('HMGET', KEYS[i], 't', 'i')
          local t = tonumber(state[1])
          local last = tonumber(state[2])
          if t == nil or last == nil then
            t = max
          elseif index > last then
            t = math.min(max, t + (index - last) * per)
          else
            index = last
          end
          tokens[i] = t
          indexes[i] = index
          if t < cost and not debit then
            allowed = 0
          end
        end
        local result = { allowed }
        for i = 1, #KEYS do
          local max = tonumber(ARGV[i * 3 - 1])
          local per = tonumber(ARGV[i * 3])
          local interval = tonumber(ARGV[i * 3 + 1])
          local t = tokens[i]
          if allowed == 1 then
            t = math.max(0, t - cost)
          end
          redis.call('HSET', KEYS[i], 't', t, 'i', indexes[i])
          redis.call('PEXPIRE', KEYS[i], (math.floor((max - t + per - 1) / per) + 1) * interval)
          result[#result + 1] = t
          result[#result + 1] = interval - (now % interval)
        end
        return result
        """;
}
