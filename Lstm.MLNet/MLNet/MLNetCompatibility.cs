using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Data.IO;
using Microsoft.ML.Runtime;

namespace Lstm.MLNet;

/// <summary>
/// Checks, once per process, that the ML.NET internals this library is compiled against (see
/// MLNetInternals.cs) exist in the Microsoft.ML loaded at run time, so a mismatched ML.NET fails at the first
/// LSTM call with a message that says what moved, not with a MissingMethodException deep in a pipeline.
/// </summary>
internal static class MLNetCompatibility
{
    private static readonly Lazy<string[]> Missing = new(FindMissing);

    /// <summary>The supported Microsoft.ML versions (the package reference's range).</summary>
    public const string SupportedRange = "[5.0.1, 5.1)";

    /// <summary>Throws <see cref="NotSupportedException"/> listing what is missing; returns quietly when everything is there.</summary>
    public static void EnsureSupported()
    {
        var missing = Missing.Value;
        if (missing.Length > 0)
            throw new NotSupportedException($"Lstm.MLNet needs Microsoft.ML {SupportedRange}; the loaded Microsoft.ML.Core {typeof(IHostEnvironment).Assembly.GetName().Version} / " +
                $"Microsoft.ML.Data {typeof(RowToRowTransformerBase).Assembly.GetName().Version} lacks: {string.Join("; ", missing)}.");
    }

    /// <summary>The internal members relied on, as "Type.Member" strings; empty when all are present.</summary>
    internal static string[] FindMissing()
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static;
        var missing = new List<string>();
        void Method(Type type, string name, params Type[] parameters)
        {
            if (type.GetMethod(name, all, null, parameters, null) is null)
                missing.Add($"{type.Name}.{name}({string.Join(", ", parameters.Select(p => p.Name))})");
        }
        void Member(Type type, string name)
        {
            if (type.GetMember(name, all).Length == 0) missing.Add($"{type.Name}.{name}");
        }
        Method(typeof(ModelSaveContext), nameof(ModelSaveContext.CheckAtModel));
        Method(typeof(ModelSaveContext), nameof(ModelSaveContext.SetVersionInfo), typeof(VersionInfo));
        Method(typeof(ModelSaveContext), nameof(ModelSaveContext.SaveBinaryStream), typeof(string), typeof(Action<BinaryWriter>));
        Member(typeof(ModelSaveContext), nameof(ModelSaveContext.Writer));
        Method(typeof(ModelLoadContext), nameof(ModelLoadContext.CheckAtModel), typeof(VersionInfo));
        Method(typeof(ModelLoadContext), nameof(ModelLoadContext.TryLoadBinaryStream), typeof(string), typeof(Action<BinaryReader>));
        Member(typeof(ModelLoadContext), nameof(ModelLoadContext.Reader));
        Member(typeof(ModelLoadContext), nameof(ModelLoadContext.Header));
        Member(typeof(ModelHeader), nameof(ModelHeader.ModelVerWritten));
        if (typeof(VersionInfo).GetConstructor(all, [typeof(string), typeof(uint), typeof(uint), typeof(uint), typeof(string), typeof(string), typeof(string)]) is null)
            missing.Add("VersionInfo..ctor(string, uint, uint, uint, string, string, string)");
        if (typeof(LoadableClassAttribute).GetConstructor(all, [typeof(Type), typeof(Type), typeof(Type), typeof(string), typeof(string[])]) is null)
            missing.Add("LoadableClassAttribute..ctor(Type, Type, Type, string, string[])");
        Method(typeof(RowToRowTransformerBase), "SaveModel", typeof(ModelSaveContext));
        if (typeof(RowToRowMapperTransform).GetConstructor(all, [typeof(IHostEnvironment), typeof(IDataView), typeof(IRowMapper), typeof(Func<DataViewSchema, IRowMapper>)]) is null)
            missing.Add("RowToRowMapperTransform..ctor(IHostEnvironment, IDataView, IRowMapper, Func<DataViewSchema, IRowMapper>)");
        Method(typeof(RowToRowTransformerBase), "MakeRowMapper", typeof(DataViewSchema));
        var mapperBase = typeof(RowToRowTransformerBase).GetNestedType("MapperBase", all);
        if (mapperBase is null) missing.Add("RowToRowTransformerBase.MapperBase");
        else
        {
            Method(mapperBase, "GetOutputColumnsCore");
            Method(mapperBase, "GetDependenciesCore", typeof(Func<int, bool>));
            Method(mapperBase, "CreateGetters", typeof(DataViewRow), typeof(Func<int, bool>), typeof(Action).MakeByRefType());
        }
        Method(typeof(CatalogUtils), nameof(CatalogUtils.GetEnvironment), typeof(IInternalCatalog));
        Member(typeof(AnnotationUtils), nameof(AnnotationUtils.ScoreColumnSetIdType));
        Method(typeof(AnnotationUtils), nameof(AnnotationUtils.GetTrainerOutputAnnotation), typeof(bool));
        Member(typeof(BinarySaver), ".ctor");
        Member(typeof(BinaryLoader), ".ctor");
        Member(typeof(DataSaverUtils), nameof(DataSaverUtils.SaveDataView));
        return missing.ToArray();
    }
}
