using System.Buffers.Binary;
using System.Numerics;

namespace Lstm.MLNet.Text;

/// <summary>
/// MurmurHash3 x86_32 (Austin Appleby's reference <c>MurmurHash3_x86_32</c>): the hash ML.NET's hashing transform
/// and ONNX Runtime's <c>com.microsoft.MurmurHash3</c> operator compute, so a model's hashed features can be rebuilt
/// bit for bit outside this library. Strings are hashed as their UTF-8 bytes (as both of those do).
/// </summary>
internal static class MurmurHash3
{
    private const uint C1 = 0xCC9E2D51, C2 = 0x1B873593;

    /// <summary>The 32-bit hash of <paramref name="data"/> with <paramref name="seed"/>.</summary>
    public static uint Hash32(ReadOnlySpan<byte> data, uint seed)
    {
        uint h = seed;
        int blocks = data.Length / 4;
        for (int i = 0; i < blocks; i++)
        {
            uint k = BinaryPrimitives.ReadUInt32LittleEndian(data.Slice(i * 4, 4));
            h ^= MixKey(k);
            h = BitOperations.RotateLeft(h, 13) * 5 + 0xE6546B64;
        }
        var tail = data[(blocks * 4)..];
        uint last = 0;
        switch (tail.Length)
        {
            case 3: last ^= (uint)tail[2] << 16; goto case 2;
            case 2: last ^= (uint)tail[1] << 8; goto case 1;
            case 1: last ^= tail[0]; h ^= MixKey(last); break;
        }
        h ^= (uint)data.Length;
        h ^= h >> 16; h *= 0x85EBCA6B;
        h ^= h >> 13; h *= 0xC2B2AE35;
        h ^= h >> 16;
        return h;
    }

    private static uint MixKey(uint k) => BitOperations.RotateLeft(k * C1, 15) * C2;
}
