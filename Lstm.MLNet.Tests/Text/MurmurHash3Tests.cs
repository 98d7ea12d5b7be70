using System.Text;
using Lstm.MLNet.Text;

namespace Lstm.MLNet.Tests.Text;

/// <summary>
/// MurmurHash3 x86_32 against the published vectors (the reference implementation's, as listed by SMHasher ports and
/// Bitcoin Core's hash tests): the wide path's character n-gram rows must be rebuilt exactly by an ONNX export.
/// </summary>
[TestClass]
public sealed class MurmurHash3Tests
{
    [TestMethod]
    [DataRow("", 0u, 0x00000000u)]
    [DataRow("", 1u, 0x514E28B7u)]
    [DataRow("", 0xFFFFFFFFu, 0x81F16F39u)]
    [DataRow("\0\0\0\0", 0u, 0x2362F9DEu)]
    [DataRow("a", 0x9747B28Cu, 0x7FA09EA6u)]
    [DataRow("ab", 0x9747B28Cu, 0x74875592u)]
    [DataRow("abc", 0x9747B28Cu, 0xC84A62DDu)]
    [DataRow("abcd", 0x9747B28Cu, 0xF0478627u)]
    [DataRow("aaaa", 0x9747B28Cu, 0x5A97808Au)]
    [DataRow("abc", 0u, 0xB3DD93FAu)]
    [DataRow("test", 0u, 0xBA6BD213u)]
    [DataRow("Hello, world!", 0u, 0xC0363E43u)]
    [DataRow("Hello, world!", 0x9747B28Cu, 0x24884CBAu)]
    [DataRow("ππππππππ", 0x9747B28Cu, 0xD58063C1u)]
    [DataRow("The quick brown fox jumps over the lazy dog", 0x9747B28Cu, 0x2FA826CDu)]
    [DataRow("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", 0u, 0xEE925B90u)]
    public void MatchesThePublishedVectors(string text, uint seed, uint expected) =>
        Assert.AreEqual(expected, MurmurHash3.Hash32(Encoding.UTF8.GetBytes(text), seed), $"\"{text}\", seed 0x{seed:X8}");

    [TestMethod]
    public void EveryTailLengthOfALongInputMatches() =>
        Assert.AreEqual(0x37405BDCu, MurmurHash3.Hash32(Encoding.UTF8.GetBytes(new string('a', 256)), 0x9747B28C));
}
