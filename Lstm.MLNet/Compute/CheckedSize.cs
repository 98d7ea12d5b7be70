namespace Lstm.MLNet.Compute;

/// <summary>
/// Buffer sizes computed in 64 bits and bounded by what one array can hold, so a size that would wrap in
/// <c>int</c> fails here, naming what it was for, instead of allocating too little for the unsafe kernels.
/// </summary>
internal static class CheckedSize
{
    /// <summary>a·b elements of <paramref name="what"/>, or an exception if that is negative or beyond <see cref="Array.MaxLength"/>.</summary>
    public static int Of(long a, long b, string what)
    {
        if (a < 0 || b < 0 || (a != 0 && b > Array.MaxLength / a))
            throw TooLarge(what, $"{a} × {b}");
        return (int)(a * b);
    }

    /// <summary>a·b·c elements of <paramref name="what"/> (checked as <see cref="Of(long, long, string)"/>).</summary>
    public static int Of(long a, long b, long c, string what)
    {
        if (a < 0 || b < 0 || c < 0) throw TooLarge(what, $"{a} × {b} × {c}");
        long ab = (a != 0 && b > Array.MaxLength / a) ? long.MaxValue : a * b;
        if (ab == long.MaxValue || (ab != 0 && c > Array.MaxLength / ab))
            throw TooLarge(what, $"{a} × {b} × {c}");
        return (int)(ab * c);
    }

    private static ArgumentOutOfRangeException TooLarge(string what, string shape) =>
        new(what, $"{what} [{shape}] does not fit in one array (at most {Array.MaxLength:N0} elements); use smaller sizes.");
}
