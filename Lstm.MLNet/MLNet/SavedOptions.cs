namespace Lstm.MLNet;

/// <summary>What a trained model keeps of its training options.</summary>
internal static class SavedOptions
{
    /// <summary>
    /// A copy without the validation set, progress sink and cancellation token: they are neither saved nor kept alive by
    /// the model, so a model's options are the same after a save and load as before.
    /// </summary>
    public static T Of<T>(T options) where T : LstmTrainingOptions
    {
        var copy = (T)options.Copy();
        copy.ValidationSet = null;
        copy.Progress = null;
        copy.CancellationToken = default;
        return copy;
    }
}
