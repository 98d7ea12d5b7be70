namespace Lstm.MLNet.Model;

/// <summary>Hyperparameters of a <see cref="SequenceRegressorNetwork"/>.</summary>
internal sealed record SequenceRegressorOptions : SequenceNetworkOptions
{
    /// <summary>
    /// Values K predicted per sequence: 1 for a scalar target, the horizon for a direct multi-step forecast.
    /// </summary>
    public int Outputs { get; init; } = 1;

    /// <summary>Throws if a value is out of range.</summary>
    public override void Validate()
    {
        if (Outputs < 1) throw new ArgumentOutOfRangeException(nameof(Outputs), Outputs, "Must be at least 1.");
        base.Validate();
    }
}
