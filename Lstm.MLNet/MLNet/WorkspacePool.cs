using System.Collections.Concurrent;

namespace Lstm.MLNet;

/// <summary>
/// The inference workspaces of one trained model: the weights are shared read-only, and each cursor, prediction engine
/// or convenience call rents its own workspace (network view and buffers) and gives it back, so concurrent use is safe
/// and a steady stream of predictions allocates no new buffers.
/// </summary>
internal sealed class WorkspacePool<T>(Func<T> create) where T : class
{
    private readonly ConcurrentBag<T> _free = new();

    public T Rent() => _free.TryTake(out var workspace) ? workspace : create();

    public void Return(T workspace) => _free.Add(workspace);

    /// <summary>Runs <paramref name="use"/> on a rented workspace and gives it back (a convenience call outside a cursor).</summary>
    public TResult Use<TResult>(Func<T, TResult> use)
    {
        var workspace = Rent();
        try { return use(workspace); }
        finally { Return(workspace); }
    }

    /// <summary>A workspace for a cursor's getters; <paramref name="disposer"/> gives it back (once, however often it is called).</summary>
    public T Rent(out Action disposer)
    {
        var workspace = Rent();
        bool returned = false;
        disposer = () =>
        {
            if (returned) return;
            returned = true;
            Return(workspace);
        };
        return workspace;
    }
}
