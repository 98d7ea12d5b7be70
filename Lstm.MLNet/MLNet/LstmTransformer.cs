using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// What every trained LSTM model exposes, whatever its task: the pipeline's <c>LastTransformer</c> after an
/// LSTM trainer is one, so <c>model.LastTransformer.TrainingHistory</c> needs no cast. The task-specific
/// models (<see cref="LstmTextClassificationTransformer"/>) derive from it.
/// </summary>
public abstract class LstmTransformer : RowToRowTransformerBase
{
    private protected LstmTransformer(IHost host) : base(host)
    {
    }

    /// <summary>What the model predicts.</summary>
    public abstract LstmTask Task { get; }
    /// <summary>The column the model reads.</summary>
    public abstract string InputColumnName { get; }
    /// <summary>The options the model was trained with (without the validation set, progress sink and cancellation token).</summary>
    public abstract LstmOptions Options { get; }
    /// <summary>One entry per finished training epoch.</summary>
    public abstract IReadOnlyList<LstmTrainingProgress> TrainingHistory { get; }
    /// <summary>The epoch whose weights the model holds (0 when training was cancelled before one finished).</summary>
    public abstract int BestEpoch { get; }
}
