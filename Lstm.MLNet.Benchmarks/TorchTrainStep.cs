using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace Lstm.MLNet.Benchmarks;

/// <summary>The libtorch peer: the same model and step in TorchSharp (nn.Embedding → nn.LSTM → nn.Linear, Adam).</summary>
internal sealed class TorchTrainStep : ITrainStep
{
    private readonly TorchClassifier _model;
    private readonly optim.Optimizer _optimizer;
    private readonly Tensor _tokens, _labels;

    public TorchTrainStep(ModelShape shape, TrainData data, int seed = 1)
    {
        _model = new TorchClassifier(shape, data.Vocabulary, seed);
        _optimizer = optim.Adam(_model.Parameters, lr: TrainData.LearningRate);
        _tokens = torch.tensor(data.Sequences.SelectMany(s => s.Select(id => (long)id)).ToArray(), [data.Sequences.Length, shape.Steps]);
        _labels = torch.tensor(data.Labels.Select(l => (long)l).ToArray());
    }

    public float Step()
    {
        // Every intermediate tensor of the step is freed when the scope ends, as Python's refcounting would.
        using var scope = torch.NewDisposeScope();
        _optimizer.zero_grad();
        var logits = _model.Logits(_tokens);
        var loss = nn.functional.cross_entropy(logits, _labels);
        loss.backward();
        _optimizer.step();
        return loss.item<float>();
    }

    /// <summary>libtorch's intra-op thread count (process-wide), matched to ours before each measurement.</summary>
    public static void SetThreads(int threads) => torch.set_num_threads(threads);

    public void Dispose()
    {
        _tokens.Dispose(); _labels.Dispose();
        _model.Dispose();
    }
}

/// <summary>The benchmark model in TorchSharp: nn.Embedding → nn.LSTM → nn.Linear on the last layer's final hidden state.</summary>
internal sealed class TorchClassifier : IDisposable
{
    private readonly nn.Module<Tensor, Tensor> _embedding, _head;
    private readonly TorchSharp.Modules.LSTM _lstm;
    private readonly int _layers;

    public TorchClassifier(ModelShape shape, int vocabulary, int seed)
    {
        torch.manual_seed(seed);
        _layers = shape.Layers;
        _embedding = nn.Embedding(vocabulary, shape.Input);
        _lstm = nn.LSTM(shape.Input, shape.Hidden, numLayers: shape.Layers, batchFirst: true);
        _head = nn.Linear(shape.Hidden, TrainData.Classes);
    }

    public IEnumerable<TorchSharp.Modules.Parameter> Parameters => _embedding.parameters().Concat(_lstm.parameters()).Concat(_head.parameters());

    /// <summary>Inference mode (no dropout; the model has none, but this is what a serving caller sets).</summary>
    public void Eval() { _embedding.eval(); _lstm.eval(); _head.eval(); }

    /// <summary>Logits [B × classes] of token ids [B × T].</summary>
    public Tensor Logits(Tensor tokens)
    {
        var (_, hN, _) = _lstm.forward(_embedding.forward(tokens));
        return _head.forward(hN[_layers - 1]);
    }

    public void Dispose() { _embedding.Dispose(); _lstm.Dispose(); _head.Dispose(); }
}

/// <summary>
/// Loads libtorch once, or says why it cannot. TorchSharp 0.107's <c>libLibTorchSharp.so</c> needs
/// GLIBCXX_3.4.32, which Debian 12's libstdc++ lacks (see torch-compat/README.md): the build patches
/// that need to weak, and the one missing symbol comes from <c>shim.so</c>, either preloaded
/// (build/bench.sh sets LD_PRELOAD) or, for a plain <c>dotnet run</c>, opened here with RTLD_GLOBAL
/// before TorchSharp loads its native library, which puts it in the same global symbol scope.
/// </summary>
internal static class TorchPeer
{
    private static readonly Lazy<string?> s_failure = new(Load);

    /// <summary>Null when libtorch works; otherwise the reason it does not.</summary>
    public static string? UnavailableReason => s_failure.Value;

    private static string? Load()
    {
        try
        {
            LoadShim();
            return Probe();
        }
        catch (Exception e)
        {
            while (e.InnerException != null) e = e.InnerException;
            return $"{e.GetType().Name}: {e.Message.Split('\n')[0].Trim()}";
        }
    }

    /// <summary>The libtorch version, after one tiny op: loading fails here if it fails at all. Kept out of line so a missing TorchSharp assembly is also caught.</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static string? Probe()
    {
        // On failure TorchSharp prints its whole probing trace; keep it out of the tables (the exception says enough).
        var (stdout, stderr) = (Console.Out, Console.Error);
        Console.SetOut(TextWriter.Null);
        Console.SetError(TextWriter.Null);
        try { torch.InitializeDeviceType(DeviceType.CPU); }
        finally { Console.SetOut(stdout); Console.SetError(stderr); }
        using var x = torch.ones(2);
        if (x.sum().item<float>() != 2f) return "libtorch computed a wrong sum";
        Version = torch.__version__;
        return null;
    }

    public static string Version { get; private set; } = "?";

    private static void LoadShim()
    {
        if ((Environment.GetEnvironmentVariable("LD_PRELOAD") ?? "").Contains("shim.so") || !OperatingSystem.IsLinux())
            return;
        string shim = Path.Combine(AppContext.BaseDirectory, "shim.so");
        if (File.Exists(shim) && dlopen(shim, RTLD_NOW | RTLD_GLOBAL) == 0)
            throw new DllNotFoundException($"dlopen({shim}) failed");
    }

    private const int RTLD_NOW = 2, RTLD_GLOBAL = 0x100;

    [DllImport("libc.so.6", CharSet = CharSet.Ansi)]
    private static extern nint dlopen(string fileName, int flags);
}
