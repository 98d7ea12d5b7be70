// How Lstm.MLNet plugs into ML.NET's model persistence
// ====================================================
// ML.NET saves and loads a transformer through APIs it keeps internal (ModelSaveContext's members,
// ModelLoadContext, VersionInfo, [LoadableClass], RowToRowTransformerBase's private-protected members).
// Lstm.MLNet is compiled against "publicized" copies of Microsoft.ML.Core and Microsoft.ML.Data whose
// internals are public (build/Publicize.targets runs build/Publicizer at build time; compile-time only).
// At run time the real, signed assemblies are loaded, and the attributes below tell the CLR to let this
// assembly use their non-public members (the runtime honours IgnoresAccessChecksToAttribute, which any
// assembly may declare for itself). So our transformers are written exactly like ML.NET's own: an
// [assembly: LoadableClass] per loader, SaveModel/Create with ModelSaveContext/ModelLoadContext. A saved
// model records this assembly's name; ModelLoadContext.EnsureLoaderAssemblyIsRegistered loads it by name
// and registers its LoadableClass attributes, so plain mlContext.Model.Load works in a fresh process with
// no registration call.
//
// Only code under Lstm.MLNet/MLNet/ may use ML.NET internals. Everything it relies on is pinned to
// Microsoft.ML 5.0.x (Lstm.MLNet.csproj), checked at run time by MLNetCompatibility, and checked member by
// member by Lstm.MLNet.Tests/MLNet/InternalsGuardTests.

using System.Runtime.CompilerServices;

[assembly: IgnoresAccessChecksTo("Microsoft.ML.Core")]
[assembly: IgnoresAccessChecksTo("Microsoft.ML.Data")]

namespace System.Runtime.CompilerServices
{
    /// <summary>
    /// Tells the CLR that this assembly may access non-public members of the named assembly. Not in the
    /// BCL's reference assemblies; the runtime matches it by name, so every assembly declares its own.
    /// </summary>
    [AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
    internal sealed class IgnoresAccessChecksToAttribute : Attribute
    {
        public IgnoresAccessChecksToAttribute(string assemblyName) => AssemblyName = assemblyName;

        public string AssemblyName { get; }
    }
}
