using System.Runtime.CompilerServices;

namespace Lstm.MLNet.Compute;

/// <summary>A growable float workspace on the pinned heap, so kernels hold raw pointers without <c>fixed</c>.</summary>
internal sealed unsafe class PinnedBuffer
{
    private float[] _array = [];

    public float* Pointer { get; private set; }
    public int Length { get; private set; }

    /// <summary>Ensures room for <paramref name="length"/> floats (contents are not kept) and returns the pointer.</summary>
    public float* Ensure(int length, bool clear = false)
    {
        // A negative length is a size that wrapped upstream: never hand out a stale or null pointer for it.
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        if (_array.Length < length)
        {
            _array = GC.AllocateUninitializedArray<float>(length, pinned: true);
            Pointer = (float*)Unsafe.AsPointer(ref _array[0]);
        }
        Length = length;
        if (clear && length > 0) new Span<float>(Pointer, length).Clear();
        return Pointer;
    }

    public Span<float> Span => new(Pointer, Length);
}
