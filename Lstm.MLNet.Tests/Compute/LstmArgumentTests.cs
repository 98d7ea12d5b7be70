using Lstm.MLNet.Compute;

namespace Lstm.MLNet.Tests.Compute;

/// <summary>Wrong-sized spans must fail with a message that says what size was expected.</summary>
[TestClass]
public sealed class LstmArgumentTests
{
    // Sizes chosen so the expected counts (77 input floats, 52 state floats) cannot appear by accident.
    private static readonly LstmShape Shape = new(7, 13, 1, bidirectional: true);
    private static readonly SequenceBatch Batch = SequenceBatch.FromLengths([5, 6]);

    private const int InputFloats = 11 * 7;      // TotalSteps 11 × InputSize 7
    private const int StateFloats = 2 * 2 * 13;   // L·D 2 × B 2 × H 13

    private static LstmStack NewLstm() => new(Shape, new ComputeContext(SimdSupport.Best, 1));

    private static void AssertNamesExpected(ArgumentException exception, string parameter, int expected)
    {
        Assert.AreEqual(parameter, exception.ParamName);
        Assert.Contains(expected.ToString(), exception.Message, $"the message should give the expected size: {exception.Message}");
    }

    [TestMethod]
    [DataRow(InputFloats - 1)]
    [DataRow(InputFloats + 7)]
    [DataRow(0)]
    public void Forward_RejectsInputOfWrongLength(int length)
    {
        var lstm = NewLstm();
        var exception = Assert.Throws<ArgumentException>(() => lstm.Forward(Batch, new float[length], [], [], [], []));
        AssertNamesExpected(exception, "input", InputFloats);
    }

    [TestMethod]
    [DataRow("h0")]
    [DataRow("c0")]
    [DataRow("hN")]
    [DataRow("cN")]
    public void Forward_RejectsStatesOfWrongLength(string which)
    {
        var lstm = NewLstm();
        float[] Buffer(string name) => name == which ? new float[StateFloats - 1] : [];
        var exception = Assert.Throws<ArgumentException>(() =>
            lstm.Forward(Batch, new float[InputFloats], Buffer("h0"), Buffer("c0"), Buffer("hN"), Buffer("cN")));
        AssertNamesExpected(exception, which, StateFloats);
    }

    [TestMethod]
    public void Backward_BeforeForward_Throws() =>
        Assert.ThrowsExactly<InvalidOperationException>(() => NewLstm().Backward([], [], [], [], [], []));

    [TestMethod]
    public void Backward_RejectsGradientsOfWrongLength()
    {
        var lstm = NewLstm();
        lstm.Forward(Batch, new float[InputFloats], [], [], [], []);
        int outputFloats = 11 * Shape.OutputSize;
        AssertNamesExpected(Assert.Throws<ArgumentException>(() => lstm.Backward(new float[outputFloats - 1], [], [], [], [], [])), "dOutput", outputFloats);
        AssertNamesExpected(Assert.Throws<ArgumentException>(() => lstm.Backward([], new float[StateFloats + 1], [], [], [], [])), "dHn", StateFloats);
        AssertNamesExpected(Assert.Throws<ArgumentException>(() => lstm.Backward([], [], [], new float[InputFloats - 1], [], [])), "dInput", InputFloats);
        AssertNamesExpected(Assert.Throws<ArgumentException>(() => lstm.Backward([], [], [], [], [], new float[3])), "dC0", StateFloats);
    }
}
