using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Model;

/// <summary>What every sequence network does the same way: optimizer setup, the guarded update step, loading named tensors, workspaces.</summary>
internal static class NetworkSupport
{
    /// <summary>The optimizer the options ask for, on <paramref name="context"/>'s SIMD path.</summary>
    public static Optimizer CreateOptimizer(SequenceNetworkOptions options, ComputeContext context) =>
        options.Optimizer == LstmOptimizer.Adam
            ? new AdamOptimizer(options.LearningRate, weightDecay: options.WeightDecay, context: context)
            : new SgdMomentumOptimizer(options.LearningRate, options.Momentum, weightDecay: options.WeightDecay, context: context);

    /// <summary>
    /// Clips the accumulated gradients to the options' norm (when set) and steps the optimizer, unless the
    /// gradient is not finite: then the update is skipped, so one bad batch cannot destroy the weights.
    /// Returns the gradient norm before clipping.
    /// </summary>
    public static float ClipAndStep(Optimizer optimizer, SequenceNetworkOptions options)
    {
        float norm = options.GradientClipNorm > 0 ? optimizer.ClipGradientNorm(options.GradientClipNorm) : optimizer.GradientNorm();
        if (float.IsFinite(norm)) optimizer.Step();
        return norm;
    }

    /// <summary>
    /// Copies <paramref name="tensors"/> into <paramref name="targets"/> (a network's live named parameters).
    /// Every target name must appear exactly once with the same length.
    /// </summary>
    public static void LoadNamedParameters(IEnumerable<(string Name, float[] Values)> targets, IEnumerable<(string Name, float[] Values)> tensors)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var byName = targets.ToDictionary(t => t.Name, t => t.Values);
        var loaded = new HashSet<string>();
        foreach (var (name, values) in tensors)
        {
            if (!byName.TryGetValue(name, out var target))
                throw new ArgumentException($"Unknown tensor '{name}'; expected: {string.Join(", ", byName.Keys)}.", nameof(tensors));
            if (values.Length != target.Length)
                throw new ArgumentException($"Tensor '{name}' has {values.Length} values; this network's has {target.Length}.", nameof(tensors));
            if (!loaded.Add(name))
                throw new ArgumentException($"Tensor '{name}' appears twice.", nameof(tensors));
            values.CopyTo(target, 0);
        }
        var missing = byName.Keys.Where(k => !loaded.Contains(k)).ToArray();
        if (missing.Length > 0)
            throw new ArgumentException($"Missing tensors: {string.Join(", ", missing)}.", nameof(tensors));
    }

    /// <summary>A copy of every tensor of <paramref name="parameters"/>, in order (early stopping's best-epoch snapshot).</summary>
    public static float[][] CaptureParameters(IEnumerable<(string Name, float[] Values)> parameters) =>
        parameters.Select(t => (float[])t.Values.Clone()).ToArray();

    /// <summary>Copies a <see cref="CaptureParameters"/> snapshot back into <paramref name="parameters"/> (same order and lengths).</summary>
    public static void RestoreParameters(IEnumerable<(string Name, float[] Values)> parameters, IReadOnlyList<float[]> snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var targets = parameters.ToArray();
        if (snapshot.Count != targets.Length)
            throw new ArgumentException($"The snapshot has {snapshot.Count} tensors; this network has {targets.Length}.", nameof(snapshot));
        for (int i = 0; i < targets.Length; i++)
        {
            if (snapshot[i].Length != targets[i].Values.Length)
                throw new ArgumentException($"Snapshot tensor {i} ('{targets[i].Name}') has {snapshot[i].Length} values; expected {targets[i].Values.Length}.", nameof(snapshot));
            snapshot[i].CopyTo(targets[i].Values, 0);
        }
    }

    /// <summary>The first <paramref name="length"/> elements of <paramref name="buffer"/>, reallocated (with headroom) when too small.</summary>
    public static Span<T> Grow<T>(ref T[] buffer, int length)
    {
        if (buffer.Length < length) buffer = new T[length + length / 4];
        return buffer.AsSpan(0, length);
    }
}
