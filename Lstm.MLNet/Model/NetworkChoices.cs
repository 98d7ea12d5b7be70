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
