using Lstm.MLNet.Compute;
using Lstm.MLNet.Model;
using static Lstm.MLNet.Tests.TestSupport.FiniteDifferences;

namespace Lstm.MLNet.Tests.Model;

/// <summary>
/// The classifier head (pooling over packed LSTM outputs → dense → softmax cross-entropy): analytic
/// gradients against central finite differences of the loss, on small ragged batches.
/// </summary>
[TestClass]
public sealed class ClassifierHeadTests
{
    private const int Hidden = 3, Classes = 3;
    private static readonly int[] Lengths = [2, 4, 1, 3];
    private static readonly int[] Labels = [1, 0, 2, 1];

    public static IEnumerable<object[]> Cases =>
        from kind in Enum.GetValues<LstmPooling>()
        from directions in new[] { 1, 2 }
        select new object[] { kind, directions };

    private sealed class Head(LstmPooling kind, int directions)
    {
        public readonly SequenceBatch Batch = SequenceBatch.FromLengths(Lengths);
        public readonly Dense Dense = new(directions * Hidden, Classes);
        public int Width => directions * Hidden;
        private readonly ComputeContext _context = new(SimdPath.Scalar, 1);
        private int[] _argmax = [];
        private float[] _pooled = [], _logits = [], _probabilities = [];

        public float Loss(float[] packed)
        {
            int B = Batch.BatchSize;
            _pooled = new float[B * Width];
            _argmax = new int[B * Width];
            _logits = new float[B * Classes];
            _probabilities = new float[B * Classes];
            SequencePooling.Forward(kind, Batch, packed, Width, directions, _pooled, _argmax, SimdPath.Scalar);
            Dense.Forward(_context, B, _pooled, _logits);
            return SoftmaxCrossEntropy.Forward(_logits, Classes, Labels, _probabilities);
        }

        /// <summary>Gradient of the last <see cref="Loss"/> w.r.t. the packed outputs (dense gradients accumulate in <see cref="Dense"/>).</summary>
        public float[] Backward()
        {
            int B = Batch.BatchSize;
            var dLogits = new float[B * Classes];
            var dPooled = new float[B * Width];
            var dPacked = Enumerable.Repeat(float.NaN, Batch.TotalSteps * Width).ToArray(); // must be overwritten
            SoftmaxCrossEntropy.Backward(_probabilities, Classes, Labels, dLogits);
            Dense.Backward(_context, B, _pooled, dLogits, dPooled);
            SequencePooling.Backward(kind, Batch, dPooled, Width, directions, _argmax, dPacked, SimdPath.Scalar);
            return dPacked;
        }
    }

    [TestMethod]
    [DynamicData(nameof(Cases))]
    public void HeadGradients_MatchFiniteDifferences(LstmPooling kind, int directions)
    {
        var head = new Head(kind, directions);
        var random = new Random(13);
        // Distinct multiples of 0.01 (37 and 190 are coprime), so a ±0.002 step never changes which step max pooling picks.
        var packed = Enumerable.Range(0, head.Batch.TotalSteps * head.Width).Select(i => (float)(i * 0.37 % 1.9 - 0.95)).ToArray();
        random.Shuffle(packed);
        head.Dense.InitializeUniform(random);

        head.Loss(packed);
        var dPacked = head.Backward();
        var dWeight = head.Dense.WeightGradient.ToArray();
        var dBias = head.Dense.BiasGradient.ToArray();

        Func<float> loss = () => head.Loss(packed);
        for (int i = 0; i < packed.Length; i++)
            AssertGradient(NumericGradient(loss, packed, i), dPacked[i], $"{kind}, D={directions}: dOutput[{i}]");
        for (int i = 0; i < dWeight.Length; i++)
            AssertGradient(NumericGradient(loss, head.Dense.Weight, i), dWeight[i], $"{kind}, D={directions}: dW[{i}]");
        for (int i = 0; i < dBias.Length; i++)
            AssertGradient(NumericGradient(loss, head.Dense.Bias, i), dBias[i], $"{kind}, D={directions}: db[{i}]");
    }

    /// <summary>Last pooling reads each direction where it ends: forward at the last step, reverse at step 0.</summary>
    [TestMethod]
    public void LastPooling_Bidirectional_ConcatenatesForwardEndAndReverseEnd()
    {
        var batch = SequenceBatch.FromLengths(Lengths);
        int width = 2 * Hidden;
        var packed = Enumerable.Range(0, batch.TotalSteps * width).Select(i => (float)i).ToArray();
        var pooled = new float[batch.BatchSize * width];
        SequencePooling.Forward(LstmPooling.Last, batch, packed, width, 2, pooled, default, SimdPath.Scalar);
        for (int b = 0; b < batch.BatchSize; b++)
            for (int j = 0; j < Hidden; j++)
            {
                Assert.AreEqual(packed[batch.PackedRow(b, Lengths[b] - 1) * width + j], pooled[b * width + j], $"forward half, sequence {b}");
                Assert.AreEqual(packed[batch.PackedRow(b, 0) * width + Hidden + j], pooled[b * width + Hidden + j], $"reverse half, sequence {b}");
            }
    }
}
