using Orleans.Placement;
using Orleans.Runtime;
using Orleans.Runtime.Placement;

namespace Lstm.MLNet.Orleans;

/// <summary>
/// Places a grain on the silo its string key names (<see cref="SiloAddress.ToParsableString"/>): the coordinator
/// addresses one worker per silo and so decides which silo trains which fold. A key whose silo is no longer in the
/// cluster fails the call, and the coordinator dispatches the fold elsewhere.
/// </summary>
[GenerateSerializer, Alias("Lstm.MLNet.Orleans.SiloTargetedPlacement")]
internal sealed class SiloTargetedPlacement : PlacementStrategy
{
    internal static readonly SiloTargetedPlacement Instance = new();
}

[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SiloTargetedPlacementAttribute() : PlacementAttribute(SiloTargetedPlacement.Instance);

internal sealed class SiloTargetedPlacementDirector : IPlacementDirector
{
    public Task<SiloAddress> OnAddActivation(PlacementStrategy strategy, PlacementTarget target, IPlacementContext context)
    {
        string key = target.GrainIdentity.Key.ToString()!;
        var silo = SiloAddress.FromParsableString(key);
        return context.GetCompatibleSilos(target).Contains(silo)
            ? Task.FromResult(silo)
            : throw new SiloUnavailableException($"The sweep worker's silo {key} is not an active member of the cluster.");
    }
}
