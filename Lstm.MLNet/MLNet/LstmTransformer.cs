using Microsoft.ML;
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
    // What every task's transformer keeps besides its model object (which its own class holds, with its workspace pool):
    // the training record, and the saving skeleton (ML.NET's version header, one ModelEnvelope, v1's field order).
    private readonly LstmTrainingProgress[] _history;
    private readonly int _bestEpoch;

    private protected LstmTransformer(IHost host, IReadOnlyList<LstmTrainingProgress> history, int bestEpoch) : base(host)
    {
        ArgumentNullException.ThrowIfNull(history);
        _history = history.ToArray();
        _bestEpoch = bestEpoch;
    }

    /// <summary>What the model predicts.</summary>
    public abstract LstmTask Task { get; }
    /// <summary>The column the model reads.</summary>
    public abstract string InputColumnName { get; }
    /// <summary>The options the model was trained with (without the validation set, progress sink and cancellation token); each task's model gives its own options type.</summary>
    public abstract LstmTrainingOptions Options { get; }
    /// <summary>One entry per finished training epoch.</summary>
    public abstract IReadOnlyList<LstmTrainingProgress> TrainingHistory { get; }
    /// <summary>The epoch whose weights the model holds (0 when training was cancelled before one finished).</summary>
    public abstract int BestEpoch { get; }

    /// <summary>The training record the model was built with (what the task's <see cref="TrainingHistory"/> gives).</summary>
    private protected IReadOnlyList<LstmTrainingProgress> History => _history;
    /// <summary>The epoch whose weights were kept (what the task's <see cref="BestEpoch"/> gives).</summary>
    private protected int KeptEpoch => _bestEpoch;

    /// <summary>
    /// Saves the model as every LSTM model is saved (format v2): <paramref name="version"/> in ML.NET's header, then one
    /// <see cref="ModelEnvelope"/> of <paramref name="kind"/> holding <paramref name="writeHead"/>'s fields, the training
    /// history and best epoch, <paramref name="writeWeights"/>'s fields and <paramref name="writeTail"/>'s (format v1's order).
    /// </summary>
    private protected void SaveModel(ModelSaveContext ctx, VersionInfo version, ModelKind kind,
        Action<BinaryWriter> writeHead, Action<BinaryWriter> writeWeights, Action<BinaryWriter>? writeTail = null)
    {
        Host.CheckValue(ctx, nameof(ctx));
        ctx.CheckAtModel();
        ctx.SetVersionInfo(version);
        ModelEnvelope.Write(ctx.Writer, kind, w =>
        {
            writeHead(w);
            LstmModelFormat.WriteHistory(w, _history);
            w.Write(_bestEpoch);
            writeWeights(w);
            writeTail?.Invoke(w);
        });
    }

    /// <summary>Reads the training history and best epoch <see cref="SaveModel(ModelSaveContext, VersionInfo, ModelKind, Action{BinaryWriter}, Action{BinaryWriter}, Action{BinaryWriter}?)"/> wrote after the head.</summary>
    private protected static (LstmTrainingProgress[] History, int BestEpoch) ReadTrainingRecord(BinaryReader r)
    {
        var history = LstmModelFormat.ReadHistory(r);
        return (history, r.ReadInt32());
    }
}
