namespace Lstm.MLNet;

// The network's choices that users set through the ML.NET options and the model layer reads: one enum per concept,
// in the public namespace (they are part of LstmOptions), defined here so the model layer does not reach up to MLNet/.

/// <summary>How the LSTM's outputs over a sequence's real (unpadded) steps become one vector per sequence.</summary>
public enum LstmPooling
{
    /// <summary>The final hidden state: the last step's output; bidirectional, the forward direction at the last step concatenated with the reverse direction at step 0 (each direction's final state).</summary>
    Last = 0,
    /// <summary>The mean of the outputs over the real steps.</summary>
    Mean = 1,
    /// <summary>The per-feature maximum of the outputs over the real steps.</summary>
    Max = 2,
}

/// <summary>Which optimizer trains the network.</summary>
public enum LstmOptimizer
{
    /// <summary>Adam (L2 weight decay as <c>torch.optim.Adam</c>).</summary>
    Adam = 0,
    /// <summary>SGD with momentum (0.9 by default).</summary>
    Sgd = 1,
}

/// <summary>How the learning rate changes during training (as Keras' and PyTorch's schedulers do).</summary>
public enum LstmLearningRateSchedule
{
    /// <summary><see cref="LstmTrainingOptions.LearningRate"/> throughout.</summary>
    Constant = 0,
    /// <summary>
    /// Linear warm-up from 0 to the learning rate over the first 10% of the planned steps (MaxEpochs × batches per
    /// epoch), then cosine decay to 0 at the last planned step (early stopping may end training before it).
    /// </summary>
    WarmupCosine = 1,
    /// <summary>
    /// The learning rate halves after every epoch whose monitored loss (validation loss, or training loss without
    /// validation data) is not the lowest so far, down to a thousandth of the starting rate (PyTorch's
    /// <c>ReduceLROnPlateau</c> with factor 0.5 and patience 0).
    /// </summary>
    ReduceOnPlateau = 2,
}
