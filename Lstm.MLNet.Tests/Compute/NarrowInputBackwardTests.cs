using Lstm.MLNet.Compute;
using Lstm.MLNet.Tests.TestSupport;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>A few input features: the transposed input-side backward products give the GEMM's bits exactly.</summary>
[TestClass]
public sealed class NarrowInputBackwardTests
{
    [TestMethod]
    [DynamicData(nameof(SimdPaths.Each), typeof(SimdPaths))]
    public void GradientsEqualTheWideProductsBitForBit(SimdPath path)
    {
        // N > KC rows (several depth blocks of dW_ih), 4H > KC (two blocks of dX), both directions (dX accumulates), two layers.
        var shape = new LstmShape(inputSize: 3, hiddenSize: 80, numberOfLayers: 2, bidirectional: true);
        var random = new Random(5);
        var lengths = Enumerable.Range(0, 40).Select(_ => random.Next(1, 21)).ToArray();
        var batch = SequenceBatch.FromLengths(lengths);
        var input = Enumerable.Range(0, batch.TotalSteps * shape.InputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();
        var dOutput = Enumerable.Range(0, batch.TotalSteps * shape.OutputSize).Select(_ => (float)(random.NextDouble() * 2 - 1)).ToArray();

        (float[][] Gradients, float[] DInput) Run(bool narrow)
        {
            var lstm = new LstmStack(shape, new ComputeContext(path, 2), seed: 1) { NarrowInputProducts = narrow };
            lstm.Parameters.InitializeUniform(seed: 2);
            lstm.Forward(batch, input, default, default, default, default, training: true);
            var dInput = new float[input.Length];
            lstm.Backward(dOutput, default, default, dInput, default, default);
            return (lstm.Gradients.Tensors().Select(t => t.ToArray()).ToArray(), dInput);
        }

        var narrow = Run(narrow: true);
        var wide = Run(narrow: false);
        for (int t = 0; t < wide.Gradients.Length; t++)
            CollectionAssert.AreEqual(wide.Gradients[t].Select(BitConverter.SingleToInt32Bits).ToArray(),
                narrow.Gradients[t].Select(BitConverter.SingleToInt32Bits).ToArray(), $"gradient tensor {t}");
        CollectionAssert.AreEqual(wide.DInput.Select(BitConverter.SingleToInt32Bits).ToArray(), narrow.DInput.Select(BitConverter.SingleToInt32Bits).ToArray(), "dInput");
    }
}
