using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading.Channels;
using Lstm.MLNet.Sweeps;
using Microsoft.ML;
using Orleans.Runtime;

namespace Lstm.MLNet.Orleans;

/// <summary>
/// Evaluates a sweep's trials on the silos of a cluster: each fold of a trial goes to a free slot of some silo (a silo
/// has <see cref="LstmSweepWorkerOptions.ConcurrentTrials"/> slots), so one trial's folds train side by side. The
/// membership is polled; a silo that leaves has its running folds dispatched again to the others (the fold is a pure
/// function of data, options, seed and fold, so nothing is lost and the result is the same), and each such move is
/// noted on the trial's record. A silo that joins is sent the data and gets folds too.
/// </summary>
internal sealed class ClusterTrialExecutor : ITrialExecutor<ITransformer>, IAsyncDisposable
{
    private readonly IGrainFactory _cluster;
    private readonly LstmSweepPlan _plan;
    private readonly SweepJob _job;
    private readonly TimeSpan _pollInterval;
    private readonly Guid _sweepId = Guid.NewGuid();
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<SiloAddress, Worker> _workers = new();
    private readonly ConcurrentDictionary<SiloAddress, byte> _known = new();
    // One entry per free slot; a lost silo's entries are skipped when read.
    private readonly Channel<Worker> _free = Channel.CreateUnbounded<Worker>();
    private readonly CancellationTokenSource _stop = new();
    private readonly object _logLock = new();
    private int _admissions;
    private Task _watcher = Task.CompletedTask;

    private ClusterTrialExecutor(IGrainFactory cluster, LstmSweepPlan plan, SweepJob job, TimeSpan pollInterval) =>
        (_cluster, _plan, _job, _pollInterval) = (cluster, plan, job, pollInterval);

    public int Concurrency { get; private set; }
    /// <summary>Silos that train folds now.</summary>
    public int ActiveSilos => _workers.Values.Count(w => !w.Lost.IsCancellationRequested);

    /// <summary>Sends the sweep's data to every active silo of the cluster and starts watching the membership.</summary>
    public static async Task<ClusterTrialExecutor> StartAsync(IGrainFactory cluster, LstmSweepPlan plan, SweepJob job, TimeSpan pollInterval)
    {
        var executor = new ClusterTrialExecutor(cluster, plan, job, pollInterval);
        var silos = await executor.ActiveSilosAsync().ConfigureAwait(false);
        foreach (var silo in silos) executor._known.TryAdd(silo, 0);
        await Task.WhenAll(silos.Select(executor.AdmitAsync)).ConfigureAwait(false);
        if (executor._workers.IsEmpty)
            throw new InvalidOperationException($"None of the cluster's {silos.Count} active silo(s) runs the sweep's workers: " +
                "call siloBuilder.AddLstmSweepWorkers() when building the silos that should train trials.");
        executor.Concurrency = executor._workers.Values.Sum(w => w.Slots);
        executor._watcher = executor.WatchAsync();
        return executor;
    }

    public async Task<TrialEvaluation<ITransformer>> EvaluateAsync(TrialRequest trial, CancellationToken token)
    {
        var configuration = ConfigurationValue.Encode(trial.Configuration);
        var notes = new ConcurrentQueue<string>();
        var started = new StrongBox<bool>();
        var metrics = await Task.WhenAll(Enumerable.Range(0, _plan.FoldCount).Select(fold =>
            DispatchAsync(worker => worker.Grain.EvaluateFoldAsync(_sweepId, new FoldRequest(trial.Id, fold, trial.Budget, configuration), token),
                $"trial {trial.Id} fold {fold}", notes, started, token))).ConfigureAwait(false);
        return new TrialEvaluation<ITransformer>(metrics.Select(m => m.Metric).ToList(), default)
        {
            Redispatches = notes.Order(StringComparer.Ordinal).ToList(),
        };
    }

    /// <summary>
    /// Trains <paramref name="configuration"/> on some silo (on fold <paramref name="fold"/>'s training part, or on all
    /// the data with the full budget when it is -1) and loads the model it sends back.
    /// </summary>
    public async Task<(ITransformer Model, IReadOnlyList<string> Redispatches)> TrainModelAsync(MLContext ml, IReadOnlyDictionary<string, object> configuration,
        int budget, int fold, CancellationToken token)
    {
        var values = ConfigurationValue.Encode(configuration);
        var notes = new ConcurrentQueue<string>();
        var bytes = await DispatchAsync(worker => worker.Grain.TrainModelAsync(_sweepId, values, budget, fold, token),
            fold < 0 ? "the refit on all the data" : $"the model of fold {fold}", notes, new StrongBox<bool>(), token).ConfigureAwait(false);
        using var stream = new MemoryStream(bytes, writable: false);
        return (ml.Model.Load(stream, out _), notes.ToList());
    }

    /// <summary>Runs <paramref name="call"/> on a free slot; when its silo leaves the cluster meanwhile, again on another.</summary>
    private async Task<T> DispatchAsync<T>(Func<Worker, Task<T>> call, string what, ConcurrentQueue<string> notes, StrongBox<bool> started, CancellationToken token)
    {
        int transportFailures = 0;
        while (true)
        {
            Worker worker;
            try
            {
                worker = await AcquireAsync(token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested && !Volatile.Read(ref started.Value))
            {
                throw new TrialNotStartedException(token);
            }
            Volatile.Write(ref started.Value, true);
            string note;
            try
            {
                var running = call(worker);
                var lost = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                Exception? failure = null;
                using (worker.Lost.Token.Register(() => lost.TrySetResult()))
                {
                    if (await Task.WhenAny(running, lost.Task).ConfigureAwait(false) == running)
                    {
                        try
                        {
                            return await running.ConfigureAwait(false);
                        }
                        catch (Exception e) when (IsTransport(e) && !token.IsCancellationRequested)
                        {
                            failure = e;
                        }
                    }
                    else _ = running.ContinueWith(static t => _ = t.Exception, TaskScheduler.Default); // abandoned: observe its end
                }
                if (failure is not null && !worker.Lost.IsCancellationRequested)
                {
                    // The call failed on its way (its silo, or the gateway it went through, going down). A fold is a pure
                    // function, so it is safe to run again: at once while the failures are few, and after that only when
                    // the membership says the silo has left; otherwise the failure is the trial's.
                    if (++transportFailures > MaxTransportRetries && !await HasLeftAsync(worker).ConfigureAwait(false)) throw failure;
                }
                note = worker.Lost.IsCancellationRequested
                    ? $"{what} dispatched again: silo {worker.Address} left the cluster {_clock.Elapsed.TotalSeconds:F1} s into the sweep"
                    : $"{what} dispatched again: the call to silo {worker.Address} failed {_clock.Elapsed.TotalSeconds:F1} s into the sweep ({failure!.GetType().Name}: {failure.Message})";
            }
            finally
            {
                Release(worker);
            }
            notes.Enqueue(note);
            Info(note);
            if (!worker.Lost.IsCancellationRequested) await Task.Delay(_pollInterval, token).ConfigureAwait(false);
        }
    }

    /// <summary>Transport failures of one call that are retried at once before the membership is asked to decide.</summary>
    private const int MaxTransportRetries = 3;

    /// <summary>
    /// Failures of the call's transport (the silo, the connection, the messaging: Orleans' own exceptions), never of the
    /// training itself, whose exceptions arrive as their own .NET types.
    /// </summary>
    private static bool IsTransport(Exception e) => e is OrleansException or TimeoutException;

    private async Task<Worker> AcquireAsync(CancellationToken token)
    {
        while (true)
        {
            Worker worker;
            try
            {
                worker = await _free.Reader.ReadAsync(token).ConfigureAwait(false);
            }
            catch (ChannelClosedException e)
            {
                throw new SweepAbortedException(e.InnerException?.Message ?? "The cluster sweep has stopped.", e);
            }
            if (!worker.Lost.IsCancellationRequested) return worker;
        }
    }

    private void Release(Worker worker)
    {
        if (!worker.Lost.IsCancellationRequested) _free.Writer.TryWrite(worker);
    }

    /// <summary>
    /// Whether <paramref name="worker"/>'s silo has left, after a call to it failed in transport: the membership may take
    /// a while to declare a dead silo (its probes must time out), so it is read again each poll interval for up to
    /// <see cref="SiloLossGrace"/> before the failure is taken as the trial's own.
    /// </summary>
    private async Task<bool> HasLeftAsync(Worker worker)
    {
        var waited = Stopwatch.StartNew();
        while (!worker.Lost.IsCancellationRequested && waited.Elapsed < SiloLossGrace)
        {
            try
            {
                if (!(await ActiveSilosAsync().ConfigureAwait(false)).Contains(worker.Address)) MarkLost(worker);
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // the membership could not be read this time: try again
            }
            if (!worker.Lost.IsCancellationRequested) await Task.Delay(_pollInterval).ConfigureAwait(false);
        }
        return worker.Lost.IsCancellationRequested;
    }

    private static readonly TimeSpan MembershipReadTimeout = TimeSpan.FromSeconds(5);

    /// <summary>How long a transport failure waits for the membership's verdict (Orleans' defaults declare a dead silo within about 30 s).</summary>
    private static readonly TimeSpan SiloLossGrace = TimeSpan.FromMinutes(2);

    private async Task<List<SiloAddress>> ActiveSilosAsync()
    {
        // Bounded: a read routed through a silo that just died must not hold up the watch for the whole response timeout.
        var hosts = await _cluster.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(MembershipReadTimeout).ConfigureAwait(false);
        return hosts.Where(h => h.Value == SiloStatus.Active).Select(h => h.Key).ToList();
    }

    /// <summary>Sends the data to <paramref name="silo"/> and adds its slots.</summary>
    private async Task AdmitAsync(SiloAddress silo)
    {
        Interlocked.Increment(ref _admissions);
        try
        {
            var grain = _cluster.GetGrain<ITrialWorkerGrain>(silo.ToParsableString());
            int slots = await grain.PrepareAsync(_sweepId, _job).ConfigureAwait(false);
            var worker = new Worker(silo, grain, slots);
            _workers[silo] = worker;
            for (int i = 0; i < slots; i++) _free.Writer.TryWrite(worker);
            Info($"Silo {silo} received the data and trains {slots} fold(s) at once.");
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Info($"Silo {silo} runs no sweep worker ({e.GetType().Name}: {e.Message}); it gets no trials.");
        }
        finally
        {
            Interlocked.Decrement(ref _admissions);
        }
    }

    private void MarkLost(Worker worker)
    {
        if (worker.Lost.IsCancellationRequested) return;
        try { worker.Lost.Cancel(); } catch (ObjectDisposedException) { return; }
        Info($"Silo {worker.Address} left the cluster {_clock.Elapsed.TotalSeconds:F1} s into the sweep; its folds are dispatched again.");
        CheckSomeoneLeft();
    }

    private void CheckSomeoneLeft()
    {
        if (ActiveSilos == 0 && Volatile.Read(ref _admissions) == 0)
            _free.Writer.TryComplete(new SweepAbortedException(
                $"No silo running the sweep's workers is left in the cluster ({_workers.Count} took part); the sweep cannot go on."));
    }

    /// <summary>Polls the membership: silos that left lose their folds to the others, silos that joined are admitted.</summary>
    private async Task WatchAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_pollInterval, _stop.Token).ConfigureAwait(false);
                var active = (await ActiveSilosAsync().ConfigureAwait(false)).ToHashSet();
                foreach (var worker in _workers.Values)
                    if (!active.Contains(worker.Address)) MarkLost(worker);
                foreach (var silo in active)
                    if (_known.TryAdd(silo, 0)) _ = AdmitAsync(silo);
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OutOfMemoryException)
            {
                // The membership could not be read this time (the gateway itself may be moving): try again next poll.
                Info($"The membership could not be read {_clock.Elapsed.TotalSeconds:F1} s into the sweep ({e.GetType().Name}: {e.Message}); trying again.");
            }
        }
    }

    private void Info(string message)
    {
        lock (_logLock) _plan.Info(message);
    }

    /// <summary>Stops watching and lets every silo forget the sweep's data.</summary>
    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _watcher.ConfigureAwait(false);
        _free.Writer.TryComplete();
        var releases = _workers.Values.Where(w => !w.Lost.IsCancellationRequested).Select(w => w.Grain.ReleaseAsync(_sweepId));
        try
        {
            await Task.WhenAll(releases).WaitAsync(TimeSpan.FromSeconds(30)).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Info($"Some silos could not be told to forget the sweep's data ({e.Message}); they drop it when they restart.");
        }
        foreach (var worker in _workers.Values) worker.Lost.Dispose();
        _stop.Dispose();
    }

    private sealed class Worker(SiloAddress address, ITrialWorkerGrain grain, int slots)
    {
        public SiloAddress Address { get; } = address;
        public ITrialWorkerGrain Grain { get; } = grain;
        public int Slots { get; } = slots;
        public CancellationTokenSource Lost { get; } = new();
    }

    private sealed class StrongBox<T>
    {
        public T Value = default!;
    }
}
