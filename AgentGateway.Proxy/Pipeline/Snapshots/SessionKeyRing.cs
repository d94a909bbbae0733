using System.Buffers.Binary;
using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;

namespace AgentGateway.Proxy.Pipeline.Snapshots;

/// <summary>The session keys of one config: the primary seals new ids, every key opens ids it sealed.</summary>
internal sealed class SessionKeyRing
{
    private readonly FrozenDictionary<uint, Key> _byTag;

    private SessionKeyRing(Key primary, FrozenDictionary<uint, Key> byTag)
    {
        Primary = primary;
        _byTag = byTag;
    }

    public Key Primary { get; }

    public Key? Find(uint tag) => _byTag.GetValueOrDefault(tag);

    /// <summary>Builds a ring; the caller has validated that there is exactly one primary and every key is 32 bytes.</summary>
    public static SessionKeyRing Create(IReadOnlyCollection<Key> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return new SessionKeyRing(keys.Single(key => key.Primary), keys.ToFrozenDictionary(key => key.Tag));
    }

    /// <param name="Id">The key's name in config.</param>
    /// <param name="Material">32 bytes of AES-256 key.</param>
    /// <param name="Primary">Whether new ids are sealed with it.</param>
    internal sealed record Key(string Id, byte[] Material, bool Primary)
    {
        /// <summary>Names the key inside a sealed id without revealing its name: the first 4 bytes of SHA-256(id).</summary>
        public uint Tag { get; } = BinaryPrimitives.ReadUInt32BigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(Id)));
    }
}
