using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>
/// Adam, SGD, clipping and the row-sparse updates against hand-written double-precision references
/// (PyTorch's formulas), and against each other across SIMD paths.
/// </summary>
[TestClass]
public sealed class OptimizerTests
{
    // Odd length: every vector width's scalar tail runs too.
    private const int Length = 1037;
    private const int Steps = 5;

    public static IEnumerable<object[]> Paths => SimdSupport.Supported.Select(p => new object[] { p });

    // ------------------------------------------------------------------ references (double)

    private static void AdamReference(double[] p, double[] g, double[] m, double[] v, int t, double lr, double wd, bool decoupled,
        double beta1 = 0.9, double beta2 = 0.999, double eps = 1e-8)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double grad = g[i];
            if (decoupled) p[i] *= 1 - lr * wd;
            else grad += wd * p[i];
            m[i] = beta1 * m[i] + (1 - beta1) * grad;
            v[i] = beta2 * v[i] + (1 - beta2) * grad * grad;
            double mHat = m[i] / (1 - Math.Pow(beta1, t)), vHat = v[i] / (1 - Math.Pow(beta2, t));
            p[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
        }
    }

    private static void SgdReference(double[] p, double[] g, double[]? buffer, double lr, double momentum, bool nesterov, double wd)
    {
        for (int i = 0; i < p.Length; i++)
        {
            double grad = g[i] + wd * p[i];
            if (buffer != null)
            {
                buffer[i] = momentum * buffer[i] + grad;
                grad = nesterov ? grad + momentum * buffer[i] : buffer[i];
            }
            p[i] -= lr * grad;
        }
    }

    private static float[] RandomValues(Random random, int count, double scale = 1)
    {
        var values = new float[count];
        for (int i = 0; i < count; i++) values[i] = (float)((random.NextDouble() * 2 - 1) * scale);
        return values;
    }

    private static void AssertClose(double[] expected, float[] actual, double tolerance, string what)
    {
        Assert.AreEqual(expected.Length, actual.Length, what + ": length");
        for (int i = 0; i < expected.Length; i++)
            if (!(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i]))))
                Assert.Fail($"{what}[{i}]: expected {expected[i]:R}, got {actual[i]:R} (tolerance {tolerance}).");
    }

    // ------------------------------------------------------------------ dense

    [TestMethod]
    [DataRow(0.0, false)]
    [DataRow(0.1, false)]
    [DataRow(0.1, true)]
    public void Adam_MatchesDoubleReference(double weightDecay, bool decoupled)
    {
        var random = new Random(7);
        var parameter = RandomValues(random, Length);
        var gradient = new float[Length];
        double lr = 1e-2;
        var optimizer = new AdamOptimizer(lr, weightDecay: weightDecay, decoupledWeightDecay: decoupled);
        optimizer.Add(parameter, gradient);
        double[] p = parameter.Select(x => (double)x).ToArray(), m = new double[Length], v = new double[Length];
        for (int t = 1; t <= Steps; t++)
        {
            // Gradients of mixed scale, tiny ones included, where ε matters.
            var g = RandomValues(random, Length, scale: t % 2 == 0 ? 1e-3 : 3);
            g.CopyTo(gradient, 0);
            optimizer.Step();
            AdamReference(p, g.Select(x => (double)x).ToArray(), m, v, t, lr, weightDecay, decoupled);
            AssertClose(p, parameter, 1e-5, $"Adam step {t}");
            CollectionAssert.AreEqual(g, gradient, "Step must leave the gradient as it was.");
        }
        Assert.AreEqual(Steps, optimizer.StepCount);
    }

    [TestMethod]
    [DataRow(0.0, false, 0.0)]
    [DataRow(0.9, false, 0.0)]
    [DataRow(0.9, true, 0.0)]
    [DataRow(0.9, false, 0.01)]
    [DataRow(0.0, false, 0.01)]
    public void Sgd_MatchesDoubleReference(double momentum, bool nesterov, double weightDecay)
    {
        var random = new Random(11);
        var parameter = RandomValues(random, Length);
        var gradient = new float[Length];
        double lr = 0.05;
        var optimizer = new SgdMomentumOptimizer(lr, momentum, nesterov, weightDecay);
        optimizer.Add(parameter, gradient);
        double[] p = parameter.Select(x => (double)x).ToArray();
        double[]? buffer = momentum != 0 ? new double[Length] : null;
        for (int t = 1; t <= Steps; t++)
        {
            var g = RandomValues(random, Length);
            g.CopyTo(gradient, 0);
            optimizer.Step();
            SgdReference(p, g.Select(x => (double)x).ToArray(), buffer, lr, momentum, nesterov, weightDecay);
            AssertClose(p, parameter, 1e-6, $"SGD step {t}");
        }
    }

    /// <summary>The updates use no fused multiply-add, so every path must give the scalar path's bits.</summary>
    [TestMethod]
    [DynamicData(nameof(Paths))]
    public void EveryPath_GivesTheScalarResult(SimdPath path)
    {
        float[] Run(SimdPath runPath, bool adam)
        {
            var random = new Random(3);
            var parameter = RandomValues(random, Length);
            var gradient = new float[Length];
            Optimizer optimizer = adam
                ? new AdamOptimizer(1e-2, weightDecay: 0.01, context: new ComputeContext(runPath, 1))
                : new SgdMomentumOptimizer(0.05, 0.9, nesterov: true, weightDecay: 0.01, context: new ComputeContext(runPath, 1));
            optimizer.Add(parameter, gradient);
            for (int t = 0; t < Steps; t++)
            {
                RandomValues(random, Length).CopyTo(gradient, 0);
                optimizer.ClipGradientNorm(10f);
                optimizer.Step();
            }
            return parameter;
        }

        foreach (bool adam in new[] { true, false })
        {
            var expected = Run(SimdPath.Scalar, adam);
            var actual = Run(path, adam);
            for (int i = 0; i < Length; i++)
                Assert.AreEqual(expected[i], actual[i], 1e-6f, $"{(adam ? "Adam" : "SGD")} on {path}, element {i}");
        }
    }

    // ------------------------------------------------------------------ clipping

    [TestMethod]
    [DynamicData(nameof(Paths))]
    public void ClipGradientNorm_MatchesReference(SimdPath path)
    {
        var random = new Random(5);
        var gradientA = RandomValues(random, Length);
        var gradientB = RandomValues(random, 33);
        var sparse = new SparseRowGradient(rowCount: 10, rowWidth: 4);
        sparse.Add(7, [1f, -2f, 3f, 0.5f]);
        sparse.Add(2, [0.25f, 0f, -1f, 4f]);
        var optimizer = new SgdMomentumOptimizer(0.1, context: new ComputeContext(path, 1));
        optimizer.Add(new float[Length], gradientA);
        optimizer.Add(new float[33], gradientB);
        optimizer.Add(new float[40], sparse);

        double sumOfSquares = gradientA.Concat(gradientB).Concat(sparse.Values.ToArray()).Sum(x => (double)x * x);
        double norm = Math.Sqrt(sumOfSquares);

        // Above the threshold: everything is scaled by maxNorm / (norm + 1e-6), as clip_grad_norm_.
        var expectedA = gradientA.Select(x => x * (1.0 / (norm + 1e-6))).ToArray();
        var expectedSparse = sparse.Values.ToArray().Select(x => x * (1.0 / (norm + 1e-6))).ToArray();
        float returned = optimizer.ClipGradientNorm(1f);
        Assert.AreEqual(norm, returned, 1e-5 * norm, "returned norm");
        AssertClose(expectedA, gradientA, 1e-6, "clipped dense gradient");
        AssertClose(expectedSparse, sparse.Values.ToArray(), 1e-6, "clipped sparse gradient");
        Assert.AreEqual(1.0, optimizer.GradientNorm(), 1e-5, "norm after clipping");

        // Below the threshold: untouched.
        var before = gradientA.ToArray();
        optimizer.ClipGradientNorm(2f);
        CollectionAssert.AreEqual(before, gradientA);
    }

    // ------------------------------------------------------------------ sparse

    [TestMethod]
    public void SparseRowGradient_SumsDuplicatesIntoSortedUniqueRows()
    {
        var gradient = new SparseRowGradient(rowCount: 8, rowWidth: 3);
        int[] ids = [5, 1, 5, 7, 1, 5];
        var rows = new float[ids.Length * 3];
        for (int i = 0; i < rows.Length; i++) rows[i] = i + 1;
        gradient.AddRows(ids, rows);

        CollectionAssert.AreEqual(new[] { 1, 5, 7 }, gradient.Rows.ToArray());
        float[] Sum(params int[] occurrences) =>
            Enumerable.Range(0, 3).Select(j => occurrences.Sum(o => rows[o * 3 + j])).ToArray();
        CollectionAssert.AreEqual(Sum(1, 4).Concat(Sum(0, 2, 5)).Concat(Sum(3)).ToArray(), gradient.Values.ToArray());

        var dense = new float[24];
        gradient.CopyTo(dense);
        CollectionAssert.AreEqual(Sum(1, 4), dense[3..6]);
        Assert.IsTrue(dense[..3].All(x => x == 0) && dense[6..15].All(x => x == 0));

        gradient.Clear();
        Assert.AreEqual(0, gradient.Count);
        gradient.Add(0, [1f, 2f, 3f]);
        CollectionAssert.AreEqual(new[] { 0 }, gradient.Rows.ToArray());
        CollectionAssert.AreEqual(new[] { 1f, 2f, 3f }, gradient.Values.ToArray(), "a cleared row starts again from zero");
    }

    /// <summary>Growth after a reorder: the slot buffers must stay large enough however sorting and growth interleave.</summary>
    [TestMethod]
    public void SparseRowGradient_GrowsAfterReordering()
    {
        var gradient = new SparseRowGradient(rowCount: 300, rowWidth: 2);
        for (int round = 0; round < 3; round++)
        {
            gradient.Clear();
            foreach (int row in new[] { 9, 4, 7 }) gradient.Add(row, [row, 1f]);
            Assert.AreEqual(4, gradient.Rows[0]); // reorders with the small capacity
            for (int row = 299; row >= 100; row--) gradient.Add(row, [row, 1f]);
            if (round < 2) continue; // the next round reorders a few rows again, then grows past the old capacity
            CollectionAssert.AreEqual(new[] { 4, 7, 9 }.Concat(Enumerable.Range(100, 200)).ToArray(), gradient.Rows.ToArray());
            var values = gradient.Values.ToArray();
            for (int k = 0; k < gradient.Count; k++) Assert.AreEqual(gradient.Rows[k], values[2 * k], $"round {round}, slot {k}");
        }
    }

    /// <summary>
    /// Runs a dense optimizer on the densified gradient next to a sparse one on the row list, over steps
    /// touching the rows in <paramref name="touchedPerStep"/>; returns (dense table, sparse table, initial table).
    /// </summary>
    private static (float[] Dense, float[] Sparse, float[] Initial) RunDenseAndSparse(Func<Optimizer> create, int[][] touchedPerStep,
        int rowCount = 12, int rowWidth = 19)
    {
        var random = new Random(9);
        var initial = RandomValues(random, rowCount * rowWidth);
        float[] denseTable = initial.ToArray(), sparseTable = initial.ToArray();
        var denseGradient = new float[initial.Length];
        var sparseGradient = new SparseRowGradient(rowCount, rowWidth);
        var dense = create();
        dense.Add(denseTable, denseGradient);
        var sparse = create();
        sparse.Add(sparseTable, sparseGradient);
        foreach (var touched in touchedPerStep)
        {
            sparse.ZeroGradients();
            sparseGradient.AddRows(touched, RandomValues(random, touched.Length * rowWidth));
            sparseGradient.CopyTo(denseGradient);
            dense.Step();
            sparse.Step();
        }
        return (denseTable, sparseTable, initial);
    }

    private static void AssertRows(float[] expected, float[] actual, IEnumerable<int> rows, int rowWidth, string what, float tolerance = 0f)
    {
        foreach (int row in rows)
            for (int j = 0; j < rowWidth; j++)
                Assert.AreEqual(expected[row * rowWidth + j], actual[row * rowWidth + j], tolerance, $"{what}: row {row}, column {j}");
    }

    [TestMethod]
    public void SparseSgd_TouchesOnlyListedRows_AndEqualsDenseUpdate()
    {
        const int rowWidth = 19;
        // Duplicates within a step, and different rows from step to step.
        int[][] steps = [[3, 0, 3, 11], [5, 3], [7, 7, 7], [0, 11, 2]];
        var (dense, sparse, initial) = RunDenseAndSparse(() => new SgdMomentumOptimizer(0.1), steps);
        var touched = steps.SelectMany(s => s).Distinct().ToArray();
        AssertRows(dense, sparse, touched, rowWidth, "plain SGD, touched rows equal the dense update");
        AssertRows(initial, sparse, Enumerable.Range(0, 12).Except(touched), rowWidth, "untouched rows never move");

        // With momentum the lazy buffer matches dense momentum on rows touched at every step.
        int[][] sameRows = [[4, 9, 4], [9, 4], [4, 9]];
        (dense, sparse, initial) = RunDenseAndSparse(() => new SgdMomentumOptimizer(0.1, momentum: 0.9, weightDecay: 0.01), sameRows);
        AssertRows(dense, sparse, [4, 9], rowWidth, "SGD with momentum and weight decay, rows touched every step");
        AssertRows(initial, sparse, Enumerable.Range(0, 12).Except([4, 9]), rowWidth, "untouched rows never move (lazy weight decay)");
    }

    [TestMethod]
    public void SparseAdam_TouchesOnlyListedRows_AndFollowsDenseAdamOnRowsTouchedEveryStep()
    {
        const int rowWidth = 19;
        int[][] steps = [[4, 9, 1], [9, 4], [4, 9, 6]];
        var (dense, sparse, initial) = RunDenseAndSparse(() => new AdamOptimizer(1e-2, weightDecay: 0.01), steps);
        AssertRows(dense, sparse, [4, 9], rowWidth, "Adam, rows touched every step", tolerance: 1e-7f);
        AssertRows(initial, sparse, Enumerable.Range(0, 12).Except([1, 4, 6, 9]), rowWidth, "untouched rows never move");
        // A row touched once moved once (lazy: its moments did not decay on the steps it missed).
        Assert.IsTrue(Enumerable.Range(0, rowWidth).Any(j => sparse[rowWidth + j] != initial[rowWidth + j]));
    }

    [TestMethod]
    public void Registration_RejectsMismatchedOrRepeatedTensors()
    {
        var optimizer = new AdamOptimizer();
        var parameter = new float[4];
        Assert.ThrowsExactly<ArgumentException>(() => optimizer.Add(parameter, new float[3]));
        optimizer.Add(parameter, new float[4]);
        Assert.ThrowsExactly<ArgumentException>(() => optimizer.Add(parameter, new float[4]));
        Assert.ThrowsExactly<ArgumentException>(() => optimizer.Add(new float[5], new SparseRowGradient(2, 2)));
        Assert.ThrowsExactly<ArgumentException>(() => new SgdMomentumOptimizer(0.1, momentum: 0, nesterov: true));
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => new SparseRowGradient(4, 2).Add(4, [1f, 2f]));
    }
}
