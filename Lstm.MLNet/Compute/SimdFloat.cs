using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Lstm.MLNet.Compute;

/// <summary>
/// The vector operations the kernels need, over one register width. Kernels are written once as
/// generics over this interface and the JIT compiles one specialised copy per width, so the
/// AVX-512, AVX2, Vector128 and scalar paths share their source (ISimdVector is not public in .NET 10).
/// </summary>
internal unsafe interface ISimdFloat<TSelf> where TSelf : unmanaged, ISimdFloat<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf Zero { get; }
    static abstract TSelf Broadcast(float value);
    static abstract TSelf Load(float* source);
    static abstract void Store(float* destination, TSelf value);
    static abstract TSelf Add(TSelf a, TSelf b);
    static abstract TSelf Subtract(TSelf a, TSelf b);
    static abstract TSelf Multiply(TSelf a, TSelf b);
    static abstract TSelf Divide(TSelf a, TSelf b);
    /// <summary>a·b + c, fused where the hardware has FMA.</summary>
    static abstract TSelf MultiplyAdd(TSelf a, TSelf b, TSelf c);
    /// <summary>
    /// The smaller of a and b, or b where either is NaN: x86's minps (one instruction, where .NET's IEEE Vector512.Min is
    /// three). A caller that must propagate NaN passes the value second.
    /// </summary>
    static abstract TSelf Min(TSelf a, TSelf b);
    /// <summary>The larger of a and b, or b where either is NaN (x86's maxps; see <see cref="Min"/>).</summary>
    static abstract TSelf Max(TSelf a, TSelf b);
    static abstract TSelf Abs(TSelf a);
    static abstract TSelf Sqrt(TSelf a);
    static abstract TSelf RoundToNearest(TSelf a);
    /// <summary>2^n for integral n in [-126, 128], built from exponent bits (n = 128 gives +∞); n is converted by truncation
    /// (exact for an integral n), without .NET's saturating conversion's extra instructions.</summary>
    static abstract TSelf Pow2(TSelf integral);
    /// <summary>Horizontal sum of the lanes.</summary>
    static abstract float Sum(TSelf a);
}

internal unsafe struct Simd512 : ISimdFloat<Simd512>
{
    public Vector512<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private Simd512(Vector512<float> v) => V = v;
    public static int Count => Vector512<float>.Count;
    public static Simd512 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Broadcast(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Load(float* source) => new(Vector512.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Simd512 value) => value.V.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Add(Simd512 a, Simd512 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Subtract(Simd512 a, Simd512 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Multiply(Simd512 a, Simd512 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Divide(Simd512 a, Simd512 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 MultiplyAdd(Simd512 a, Simd512 b, Simd512 c) => new(Vector512.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Min(Simd512 a, Simd512 b) => new(Avx512F.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Max(Simd512 a, Simd512 b) => new(Avx512F.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Abs(Simd512 a) => new(Vector512.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 Sqrt(Simd512 a) => new(Vector512.Sqrt(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd512 RoundToNearest(Simd512 a) => new(Vector512.Round(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd512 Pow2(Simd512 n) =>
        new(Vector512.ShiftLeft(Avx512F.ConvertToVector512Int32WithTruncation(n.V) + Vector512.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Simd512 a) => Vector512.Sum(a.V);
}

internal unsafe struct Simd256 : ISimdFloat<Simd256>
{
    public Vector256<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private Simd256(Vector256<float> v) => V = v;
    public static int Count => Vector256<float>.Count;
    public static Simd256 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Broadcast(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Load(float* source) => new(Vector256.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Simd256 value) => value.V.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Add(Simd256 a, Simd256 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Subtract(Simd256 a, Simd256 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Multiply(Simd256 a, Simd256 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Divide(Simd256 a, Simd256 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 MultiplyAdd(Simd256 a, Simd256 b, Simd256 c) => new(Vector256.FusedMultiplyAdd(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Min(Simd256 a, Simd256 b) => new(Avx.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Max(Simd256 a, Simd256 b) => new(Avx.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Abs(Simd256 a) => new(Vector256.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 Sqrt(Simd256 a) => new(Vector256.Sqrt(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd256 RoundToNearest(Simd256 a) => new(Vector256.Round(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd256 Pow2(Simd256 n) =>
        new(Vector256.ShiftLeft(Avx.ConvertToVector256Int32WithTruncation(n.V) + Vector256.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Simd256 a) => Vector256.Sum(a.V);
}

/// <summary>The portable path: <see cref="Vector128.MultiplyAddEstimate(Vector128{float}, Vector128{float}, Vector128{float})"/> uses FMA where the CPU has it (Arm, x86 with FMA3) and mul+add elsewhere.</summary>
internal unsafe struct Simd128 : ISimdFloat<Simd128>
{
    public Vector128<float> V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private Simd128(Vector128<float> v) => V = v;
    public static int Count => Vector128<float>.Count;
    public static Simd128 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Broadcast(float value) => new(Vector128.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Load(float* source) => new(Vector128.Load(source));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Simd128 value) => value.V.Store(destination);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Add(Simd128 a, Simd128 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Subtract(Simd128 a, Simd128 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Multiply(Simd128 a, Simd128 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Divide(Simd128 a, Simd128 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 MultiplyAdd(Simd128 a, Simd128 b, Simd128 c) => new(Vector128.MultiplyAddEstimate(a.V, b.V, c.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Min(Simd128 a, Simd128 b) => new(Sse.IsSupported ? Sse.Min(a.V, b.V) : Vector128.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Max(Simd128 a, Simd128 b) => new(Sse.IsSupported ? Sse.Max(a.V, b.V) : Vector128.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Abs(Simd128 a) => new(Vector128.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 Sqrt(Simd128 a) => new(Vector128.Sqrt(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Simd128 RoundToNearest(Simd128 a) => new(Vector128.Round(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Simd128 Pow2(Simd128 n) =>
        new(Vector128.ShiftLeft((Sse2.IsSupported ? Sse2.ConvertToVector128Int32WithTruncation(n.V) : Vector128.ConvertToInt32(n.V)) + Vector128.Create(127), 23).AsSingle());
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Simd128 a) => Vector128.Sum(a.V);
}

/// <summary>One float per "vector": the scalar reference path, with no FMA (portable rounding).</summary>
internal unsafe struct Scalar1 : ISimdFloat<Scalar1>
{
    public float V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] private Scalar1(float v) => V = v;
    public static int Count => 1;
    public static Scalar1 Zero => default;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Broadcast(float value) => new(value);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Load(float* source) => new(*source);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static void Store(float* destination, Scalar1 value) => *destination = value.V;
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Add(Scalar1 a, Scalar1 b) => new(a.V + b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Subtract(Scalar1 a, Scalar1 b) => new(a.V - b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Multiply(Scalar1 a, Scalar1 b) => new(a.V * b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Divide(Scalar1 a, Scalar1 b) => new(a.V / b.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 MultiplyAdd(Scalar1 a, Scalar1 b, Scalar1 c) => new(a.V * b.V + c.V);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Min(Scalar1 a, Scalar1 b) => float.IsNaN(a.V) || float.IsNaN(b.V) ? b : new(MathF.Min(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Max(Scalar1 a, Scalar1 b) => float.IsNaN(a.V) || float.IsNaN(b.V) ? b : new(MathF.Max(a.V, b.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Abs(Scalar1 a) => new(MathF.Abs(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Sqrt(Scalar1 a) => new(MathF.Sqrt(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 RoundToNearest(Scalar1 a) => new(MathF.Round(a.V));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Scalar1 Pow2(Scalar1 n) => new(BitConverter.Int32BitsToSingle(((int)n.V + 127) << 23));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static float Sum(Scalar1 a) => a.V;
}
