namespace Lstm.MLNet.Model;

/// <summary>Hyperparameters of a <see cref="SequenceRegressorNetwork"/>.</summary>
internal sealed record SequenceRegressorOptions : SequenceNetworkOptions
{
    /// <summary>
    /// Values K predicted per sequence: 1 for a scalar target, the horizon for a direct multi-step forecast.
    /// </summary>
    public int Outputs { get; init; } = 1;

    /// <summary>Throws an <see cref="ArgumentOutOfRangeException"/> naming the first option out of range (Outputs ≤ 65,536, and the shared options' bounds).</summary>
    public override void Validate()
    {
        ModelLimits.RequireInRange(Outputs, 1, ModelLimits.MaxOutputs, nameof(Outputs));
        base.Validate();
        CheckSize(inputSize: 1, Outputs);
    }
}
