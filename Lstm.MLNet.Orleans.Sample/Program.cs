// A cluster sweep on this machine: the coordinator (this process) starts silo processes of itself with localhost
// clustering, runs the same sweep on one silo and then on two, checks that both leaderboards are equal, and prints the
// speed-up. `silo` runs one silo (what the coordinator starts; on a real cluster each machine runs one).
//
//   dotnet run -c Release --project Lstm.MLNet.Orleans.Sample                       # 1 silo vs 2 silos, 9 trials × 3 folds
//   dotnet run -c Release --project Lstm.MLNet.Orleans.Sample -- --trials 20 --folds-per-silo 1
using System.Diagnostics;
using Lstm.MLNet;
using Lstm.MLNet.Orleans;
using Lstm.MLNet.Sweeps;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.ML;
using Orleans.Hosting;

const int FirstSiloPort = 11411, FirstGatewayPort = 30411;

if (args.Length > 0 && args[0] == "silo")
{
    int index = int.Parse(args[1]), siloFolds = int.Parse(args[2]);
    using var silo = Host.CreateDefaultBuilder()
        .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
        .UseOrleans(builder => builder
            .UseLocalhostClustering(FirstSiloPort + index, FirstGatewayPort + index, new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, FirstSiloPort))
            .AddLstmSweepWorkers(o => o.ConcurrentTrials = siloFolds))
        .Build();
    await silo.StartAsync();
    Console.WriteLine("ready");
    await Console.In.ReadLineAsync(); // the coordinator closes stdin to stop the silo
    await silo.StopAsync();
    return 0;
}

int trials = Option("--trials", 9), rows = Option("--rows", 1500);
int foldsPerSilo = Option("--folds-per-silo", Environment.ProcessorCount);
var ml = new MLContext(1);
var data = ml.Data.LoadFromEnumerable(SentimentSentences(rows));
LstmSweepOptions Options(int maxTrials) => new()
{
    MaxTrials = maxTrials, Folds = 3, Seed = 1, MaxExperimentTime = Timeout.InfiniteTimeSpan,
    SearchSpace = new SearchSpace()
        .Set(nameof(LstmOptions.HiddenSize), SearchDimension.Choice(16, 32, 64))
        .Set(nameof(LstmOptions.LearningRate), SearchDimension.Range(1e-3, 1e-2, 3e-3, logScale: true))
        .Set(nameof(LstmOptions.Dropout), SearchDimension.Range(0.0, 0.5, 0.3))
        .Set(nameof(LstmOptions.MaxEpochs), SearchDimension.Fixed(3)),
    BaseOptions = new LstmOptions { EmbeddingSize = 32, ValidationFraction = 0, EarlyStoppingPatience = 0 },
};
Console.WriteLine($"Sweep: {trials} trials × 3 folds on {rows} sentiment sentences; each silo trains {foldsPerSilo} fold(s) at once; " +
                  $"{Environment.ProcessorCount} logical cores on this machine.");

var silos = new List<Process>();
try
{
    // Each timed sweep follows a small untimed one, so every silo has compiled its code (JIT) before the clock runs.
    silos.Add(StartSilo(0));
    await SweepAsync(1, Options(2));
    var (oneTime, one) = await SweepAsync(1, Options(trials));
    silos.Add(StartSilo(1));
    await SweepAsync(2, Options(2));
    var (twoTime, two) = await SweepAsync(2, Options(trials));
    bool same = Leaderboard(one).SequenceEqual(Leaderboard(two));
    Console.WriteLine(two.ToMarkdown(top: 5));
    Console.WriteLine($"1 silo process: {oneTime.TotalSeconds:F1} s; 2 silo processes: {twoTime.TotalSeconds:F1} s; speed-up {oneTime / twoTime:F2}×; " +
                      $"leaderboards {(same ? "equal" : "DIFFERENT")}.");
    return same ? 0 : 1;
}
finally
{
    foreach (var silo in silos)
    {
        silo.StandardInput.Close();
        if (!silo.WaitForExit(15_000)) silo.Kill();
        silo.Dispose();
    }
}

async Task<(TimeSpan, LstmSweepResult)> SweepAsync(int siloCount, LstmSweepOptions options)
{
    using var client = Host.CreateDefaultBuilder()
        .ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning))
        .UseOrleansClient(builder => builder.UseLocalhostClustering(Enumerable.Range(FirstGatewayPort, siloCount).ToArray()))
        .Build();
    await client.StartAsync();
    var cluster = client.Services.GetService(typeof(IClusterClient)) as IClusterClient ?? throw new InvalidOperationException("No cluster client.");
    var clock = Stopwatch.StartNew();
    var result = await ml.Lstm().SweepOnClusterAsync(cluster, data, options);
    clock.Stop();
    Console.WriteLine($"{siloCount} silo(s): {result.Trials.Count} trials in {clock.Elapsed.TotalSeconds:F1} s, best {result.MetricName} " +
                      $"{result.BestRun?.Metric:F4} (trial {result.BestRun?.Id}).");
    await client.StopAsync();
    return (clock.Elapsed, result);
}

Process StartSilo(int index)
{
    // This program again, in silo mode: `dotnet Sample.dll silo …` or the app host.
    string self = Environment.ProcessPath!;
    var start = new ProcessStartInfo(self) { RedirectStandardInput = true, RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(self) == "dotnet") start.ArgumentList.Add(typeof(Sentence).Assembly.Location);
    foreach (var arg in new[] { "silo", index.ToString(), foldsPerSilo.ToString() }) start.ArgumentList.Add(arg);
    var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start a silo process.");
    string? line;
    while ((line = process.StandardOutput.ReadLine()) != null && line != "ready") { }
    if (line != "ready") throw new InvalidOperationException($"Silo {index} exited before it was ready (exit code {(process.HasExited ? process.ExitCode : -1)}).");
    Console.WriteLine($"Started silo process {index} (pid {process.Id}).");
    return process;
}

int Option(string name, int fallback)
{
    int at = Array.IndexOf(args, name);
    return at >= 0 && at + 1 < args.Length ? int.Parse(args[at + 1]) : fallback;
}

static string[] Leaderboard(LstmSweepResult result) =>
    result.Trials.Select(t => $"{t.Id} {t.Rung} {t.Status} {t.Metric:R} {SearchSpace.Describe(t.Configuration)}").ToArray();

static IEnumerable<Sentence> SentimentSentences(int count)
{
    string folder = Path.Combine(AppContext.BaseDirectory, "Data", "sentiment-sentences");
    // Interleave the three sources, so any prefix mixes them (UCI "Sentiment Labelled Sentences"; see ATTRIBUTION.md).
    var files = new[] { "amazon_cells_labelled.txt", "imdb_labelled.txt", "yelp_labelled.txt" }
        .Select(f => File.ReadLines(Path.Combine(folder, f)).Skip(1).Select(l => l.Split('\t')).Where(p => p.Length == 2)
            .Select(p => new Sentence { Text = p[0], Label = p[1].Trim() == "1" }).ToList()).ToList();
    return Enumerable.Range(0, files.Max(f => f.Count)).SelectMany(i => files.Where(f => i < f.Count).Select(f => f[i])).Take(count);
}

internal sealed class Sentence
{
    public string Text { get; set; } = "";
    public bool Label { get; set; }
}
